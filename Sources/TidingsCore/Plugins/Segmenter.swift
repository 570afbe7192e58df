/// Splits text into tokens and sentences, with offsets in Unicode code points (what the
/// store and `tidingsd analyze` use). Shared by every plugin; it runs on every document.
///
/// Tokens: words (letters, digits, marks, and inner apostrophes: "Obuchi's", "don't"),
/// numbers ("1,000", "3.5"), dotted abbreviations ("U.S.", "a.m."), and single punctuation
/// marks. Hyphens and dashes split words ("Russia-Japan" → Russia, -, Japan;
/// "postpone–until" → postpone, –, until).
///
/// Sentences end at `.`, `!`, `?` or `…` (with the closing quotes and brackets after them)
/// when what follows can start a sentence, and at line breaks. A period does not end a
/// sentence after a title or other known abbreviation ("Mr.", "Gen.", "Jan. 5"), an initial
/// ("J. Smith"), or a dotted abbreviation followed by a word that goes on the sentence
/// ("the U.S. envoy").
public enum Segmenter {
    public static func segment(_ text: [Unicode.Scalar]) -> Segmentation {
        let tokens = tokenize(text)
        return Segmentation(tokens: tokens, sentences: sentences(text, tokens))
    }

    public static func segment(_ text: String) -> Segmentation { segment(Array(text.unicodeScalars)) }

    // MARK: tokens

    static func tokenize(_ text: [Unicode.Scalar]) -> [Token] {
        text.withUnsafeBufferPointer { tokenize($0) }
    }

    /// Every index read is checked against `count` first: no bounds checks per character.
    static func tokenize(_ text: UnsafeBufferPointer<Unicode.Scalar>) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(text.count / 4)
        var index = 0
        let count = text.count
        while index < count {
            let scalar = text[index]
            if isSpace(scalar) {
                index += 1
                continue
            }
            if isWordChar(scalar) {
                let start = index
                var hasLetter = !isDigit(scalar)
                var dotted = false
                // The token so far is single letters joined by periods ("U", "U.S"): kept up
                // to date as it grows, so long runs cost linear time.
                var singleLettersSoFar = isLetter(scalar)
                index += 1
                // Most words are ASCII letters and digits: take them at once. (Each follows a
                // word character, not a period, so the token is no longer single letters.)
                while index < count {
                    let value = text[index].value
                    if (value | 0x20) &- 0x61 < 26 {
                        hasLetter = true
                    } else if value &- 0x30 >= 10 {
                        break
                    }
                    singleLettersSoFar = false
                    index += 1
                }
                while index < count {
                    let c = text[index]
                    if isWordChar(c) {
                        if !isDigit(c) { hasLetter = true }
                        if text[index - 1] != "." || !isLetter(c) { singleLettersSoFar = false }
                        index += 1
                        continue
                    }
                    // Inner apostrophes ("Obuchi's") and, between digits, "," and "." ("1,000.5").
                    if index + 1 < count && isWordChar(text[index + 1]) {
                        if c == "'" || c == "\u{2019}" {
                            // The possessive is a token of its own: "Obuchi" "'s".
                            if isPossessive(text, index) { break }
                            singleLettersSoFar = false
                            index += 1
                            continue
                        }
                        if (c == "," || c == ".") && !hasLetter && isDigit(text[index - 1]) && isDigit(text[index + 1]) {
                            singleLettersSoFar = false
                            index += 1
                            continue
                        }
                        // Dotted abbreviations: single letters joined by periods ("U.S", "a.m").
                        if c == "." && isLetter(text[index + 1]) && singleLettersSoFar
                            && (index + 2 == count || !isWordChar(text[index + 2]))
                        {
                            dotted = true
                            index += 1
                            continue
                        }
                    }
                    break
                }
                // A dotted abbreviation keeps its final period: "U.S." (one letter after a period).
                if dotted && index < count && text[index] == "." {
                    index += 1
                }
                tokens.append(Token(start: start, end: index, kind: dotted ? .abbreviation : (hasLetter ? .word : .number)))
                continue
            }
            if (scalar == "'" || scalar == "\u{2019}") && index > 0 && isWordChar(text[index - 1]) && isPossessive(text, index) {
                tokens.append(Token(start: index, end: index + 2, kind: .word))
                index += 2
                continue
            }
            // Ellipsis written as three periods is one token.
            if scalar == "." && index + 2 < count && text[index + 1] == "." && text[index + 2] == "." {
                tokens.append(Token(start: index, end: index + 3, kind: .punctuation))
                index += 3
                continue
            }
            tokens.append(Token(start: index, end: index + 1, kind: isPunctuation(scalar) ? .punctuation : .symbol))
            index += 1
        }
        return tokens
    }

    /// `'s` (or `’s`) at `index`, ending there.
    static func isPossessive(_ text: UnsafeBufferPointer<Unicode.Scalar>, _ index: Int) -> Bool {
        index + 1 < text.count && (text[index + 1] == "s" || text[index + 1] == "S") && (index + 2 == text.count || !isWordChar(text[index + 2]))
    }

    // MARK: sentences

    static func sentences(_ text: [Unicode.Scalar], _ tokens: [Token]) -> [Sentence] {
        var sentences: [Sentence] = []
        guard !tokens.isEmpty else { return sentences }
        var first = 0
        func close(_ last: Int) {
            guard last >= first else { return }
            sentences.append(Sentence(start: tokens[first].start, end: tokens[last].end, tokens: first..<(last + 1)))
            first = last + 1
        }
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            // A line break between two tokens ends the sentence (paragraphs, headlines).
            if index + 1 < tokens.count && hasLineBreak(text, from: token.end, to: tokens[index + 1].start) {
                close(index)
                index += 1
                continue
            }
            if isTerminal(text, token) || (token.kind == .abbreviation && endsSentenceAfterAbbreviation(text, tokens, index)) {
                var last = index
                // Closing quotes and brackets belong to the sentence they close.
                while last + 1 < tokens.count, isCloser(text[tokens[last + 1].start]), tokens[last + 1].start == tokens[last].end {
                    last += 1
                }
                if token.kind == .abbreviation || canEndHere(text, tokens, period: index, next: last + 1) {
                    close(last)
                    index = last + 1
                    continue
                }
            }
            index += 1
        }
        close(tokens.count - 1)
        return sentences
    }

    static func isTerminal(_ text: [Unicode.Scalar], _ token: Token) -> Bool {
        guard token.kind == .punctuation else { return false }
        let c = text[token.start]
        return c == "." || c == "!" || c == "?" || c == "\u{2026}"
    }

    /// After `.`/`!`/`?` at `period`, with `next` the first token after any closers.
    static func canEndHere(_ text: [Unicode.Scalar], _ tokens: [Token], period: Int, next: Int) -> Bool {
        guard next < tokens.count else { return true }
        let following = tokens[next]
        let first = text[following.start]
        // Lower case goes on the sentence ("… said Mr. Obuchi. then" is rare; "e.g. the" is not).
        if isLower(first) { return false }
        if text[tokens[period].start] != "." { return true }
        guard period > 0 else { return true }
        let before = tokens[period - 1]
        guard before.end == tokens[period].start else { return true }
        // An initial: "J. Smith".
        if before.kind == .word && before.end - before.start == 1 && isUpper(text[before.start]) { return false }
        // No abbreviation below is longer than six letters: a longer word needs no string.
        guard before.end - before.start <= 6 else { return true }
        let word = String(String.UnicodeScalarView(text[before.start..<before.end]))
        if titles.contains(word) { return false }
        // "Jan. 5", "No. 10", "p. 4": a number goes on.
        if numberAbbreviations.contains(word) && following.kind == .number { return false }
        if otherAbbreviations.contains(word.lowercased()) && !isUpper(first) { return false }
        return true
    }

    /// "U.S." ends the sentence only when a typical sentence opening follows it.
    static func endsSentenceAfterAbbreviation(_ text: [Unicode.Scalar], _ tokens: [Token], _ index: Int) -> Bool {
        guard text[tokens[index].end - 1] == "." else { return false }
        guard index + 1 < tokens.count else { return true }
        let next = tokens[index + 1]
        let word = String(String.UnicodeScalarView(text[next.start..<next.end]))
        return sentenceOpeners.contains(word)
    }

    static func hasLineBreak(_ text: [Unicode.Scalar], from: Int, to: Int) -> Bool {
        var index = from
        while index < to {
            let c = text[index]
            if c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}" { return true }
            index += 1
        }
        return false
    }

    static let titles: Set<String> = [
        "Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "Gen", "Lt", "Col", "Maj", "Capt", "Cmdr", "Adm", "Sgt", "Cpl", "Pvt", "Gov",
        "Sen", "Rep", "Rev", "Hon", "Pres", "Amb", "St", "Mt", "Ft", "Jr", "Sr", "Sr", "Brig", "Gens", "Supt", "Insp", "Fr",
        "Mme", "Mlle", "Messrs", "Sens", "Reps", "Atty", "Dist", "Dept", "Univ", "Assn", "Bros", "vs", "v",
    ]
    static let numberAbbreviations: Set<String> = [
        "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "No", "Nos", "p", "pp", "vol",
        "Vol", "art", "Art", "ch", "Ch", "sec", "Sec", "fig", "Fig", "approx", "ca", "c",
    ]
    static let otherAbbreviations: Set<String> = ["etc", "inc", "ltd", "co", "corp", "e.g", "i.e", "cf", "al", "approx", "est", "dept"]
    static let sentenceOpeners: Set<String> = [
        "The", "A", "An", "He", "She", "It", "They", "We", "I", "This", "That", "These", "Those", "But", "And", "In", "On", "At",
        "Its", "His", "Her", "Their", "There", "Meanwhile", "However", "Officials", "Mr", "Mrs", "Ms", "Dr", "President",
    ]

    // MARK: character classes (ASCII fast paths)

    /// The General Punctuation block (U+2000–U+206F: spaces, dashes, quotes, bullets) holds
    /// no letter, digit or mark; its spaces are U+2000–U+200A, U+2028, U+2029, U+202F and
    /// U+205F. News text is full of its quotes and dashes, and this answers without the
    /// Unicode tables.
    @inline(__always) static func isGeneralPunctuation(_ c: Unicode.Scalar) -> Bool { c.value &- 0x2000 < 0x70 }

    @inline(__always) static func isSpace(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c == " " || (c.value >= 0x09 && c.value <= 0x0D) }
        if isGeneralPunctuation(c) { return c.value <= 0x200A || c.value == 0x2028 || c.value == 0x2029 || c.value == 0x202F || c.value == 0x205F }
        return c.properties.isWhitespace
    }

    @inline(__always) static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value &- 0x30 < 10 }

    @inline(__always) static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return (c.value | 0x20) &- 0x61 < 26 }
        if isGeneralPunctuation(c) { return false }
        return c.properties.isAlphabetic
    }

    @inline(__always) static func isWordChar(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value &- 0x30 < 10 || (c.value | 0x20) &- 0x61 < 26 }
        if isGeneralPunctuation(c) { return false }
        if c.properties.isAlphabetic { return true }
        switch c.properties.generalCategory {
        case .decimalNumber, .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    @inline(__always) static func isUpper(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value >= 0x41 && c.value <= 0x5A }
        return c.properties.isUppercase
    }

    @inline(__always) static func isLower(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return c.value >= 0x61 && c.value <= 0x7A }
        return c.properties.isLowercase
    }

    /// `!"#%&'()*,-./:;?@[\]_{}` as bits by code point, in two halves (constants, not
    /// `static let`s, which are checked for initialisation at every read).
    @inline(__always) static var asciiPunctuationLow: UInt64 { 0x8C00_F7EE_0000_0000 }
    @inline(__always) static var asciiPunctuationHigh: UInt64 { 0x2800_0000_B800_0001 }

    static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        if c.value < 0x80 { return (c.value < 64 ? asciiPunctuationLow &>> c.value : asciiPunctuationHigh &>> (c.value - 64)) & 1 != 0 }
        // General Punctuation: U+2010–2027, 2030–2043, 2045–2051 and 2053–205E are punctuation
        // (dashes, quotes, bullets); the rest of the block is spaces, format marks and two
        // mathematical symbols.
        if isGeneralPunctuation(c) {
            let v = c.value
            return (0x2010...0x2027).contains(v) || (0x2030...0x2043).contains(v) || (0x2045...0x2051).contains(v) || (0x2053...0x205E).contains(v)
        }
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
            .otherPunctuation:
            return true
        default: return false
        }
    }

    static func isCloser(_ c: Unicode.Scalar) -> Bool {
        c == "\"" || c == "'" || c == ")" || c == "]" || c == "}" || c == "\u{201D}" || c == "\u{2019}" || c == "\u{00BB}"
            || c == "\u{203A}"
    }
}

/// Tokens and sentences of one text.
public struct Segmentation: Sendable {
    public var tokens: [Token]
    public var sentences: [Sentence]
}

/// One token: a half-open range of code points.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case word, number, abbreviation, punctuation, symbol
    }
    public var start: Int
    public var end: Int
    public var kind: Kind
}

/// One sentence: its code-point range and its tokens' indices.
public struct Sentence: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public var tokens: Range<Int>
}
