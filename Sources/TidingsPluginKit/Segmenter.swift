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
        let tokens = text.withUnsafeBufferPointer { tokenize($0) }
        return Segmentation(tokens: tokens, sentences: sentences(text, tokens))
    }

    public static func segment(_ text: String) -> Segmentation { segment(Array(text.unicodeScalars)) }

    // MARK: tokens

    static func tokenize(_ text: [Unicode.Scalar]) -> [Token] {
        text.withUnsafeBufferPointer { tokenize($0) }
    }

    /// ASCII letters and digits → their folded byte (letters in lower case); other ASCII and
    /// entry 128 (for every code point past ASCII) → 0.
    /// (A pointer that lives as long as the process, read without a closure around the loop;
    /// written once, before anyone reads it.)
    nonisolated(unsafe) static let asciiWordBytes: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 129)
        for value in UInt32(0)...128 {
            table[Int(value)] = value &- 0x30 < 10 ? UInt8(value) : (value | 0x20) &- 0x61 < 26 ? UInt8(value | 0x20) : 0
        }
        return UnsafePointer(table)
    }()

    /// What ``tokenize(_:)-(UnsafeBufferPointer<Unicode.Scalar>)`` makes, token by token.
    private struct Tokens {
        var tokens: [Token] = []
        /// A line break since the last token.
        var lineBreak = false

        @inline(__always)
        mutating func add(_ start: Int, _ end: Int, _ kind: Token.Kind, _ key: WordKey) {
            tokens.append(Token(start: start, end: end, kind: kind, afterLineBreak: lineBreak, key: key))
            lineBreak = false
        }
    }

    /// The tokens, each with its ``WordKey`` (its folded bytes, read as they are scanned: a
    /// ``WordTable`` then finds a word without reading its characters again). Every index
    /// read is checked against `count` first: no bounds checks per character.
    static func tokenize(_ text: UnsafeBufferPointer<Unicode.Scalar>) -> [Token] {
        var out = Tokens()
        // News text has a token per 4–5 code points; a third of the count leaves room for
        // nearly every text, and the array grows for the rest.
        out.tokens.reserveCapacity(text.count / 3 + 8)
        var index = 0
        let count = text.count
        let wordBytes = asciiWordBytes
        while index < count {
            let scalar = text[index]
            let value = scalar.value
            if value < 0x80 {
                // Most tokens are ASCII letters and digits: taken in one tight loop that
                // folds them into the key as it goes.
                var byte = wordBytes[Int(value)]
                if byte != 0 {
                    let start = index
                    var low: UInt64 = 0, high: UInt64 = 0
                    var bits: UInt8 = 0
                    repeat {
                        bits |= byte
                        // The key rolls each byte in (``WordTable/packed(_:_:)``'s order).
                        high = high &<< 8 | low &>> 56
                        low = low &<< 8 | UInt64(byte)
                        index &+= 1
                        guard index < count else { break }
                        // Code points past ASCII read entry 128, which is 0.
                        byte = wordBytes[Int(min(text[index].value, 0x80))]
                    } while byte != 0
                    // Folded letters have bit 0x40; digits do not.
                    let hasLetter = bits & 0x40 != 0
                    // What can go on a word: a code point past ASCII, or an apostrophe, ","
                    // or "." with a word character after it ("don't", "1,000", "U.S.").
                    if index < count, text[index].value >= 0x80
                        || (text[index] == "'" || text[index] == "," || text[index] == ".") && index + 1 < count && isWordChar(text[index + 1])
                    {
                        let (end, kind) = continueWord(text, from: index, hasLetter: hasLetter, singleLetters: hasLetter && index - start == 1)
                        index = end
                        out.add(start, end, kind, WordKey(text, start..<end))
                    } else {
                        out.add(start, index, hasLetter ? .word : .number, index - start <= 16 ? WordKey(low: low, high: high) : .none)
                    }
                    continue
                }
                if value == 0x20 {
                    index += 1
                    continue
                }
                if value &- 0x09 < 5 {
                    if value == 0x0A || value == 0x0D { out.lineBreak = true }
                    index += 1
                    continue
                }
            } else {
                if isSpace(scalar) {
                    if value == 0x2028 || value == 0x2029 { out.lineBreak = true }
                    index += 1
                    continue
                }
                if isWordChar(scalar) {
                    let start = index
                    let (end, kind) = continueWord(text, from: index + 1, hasLetter: !isDigit(scalar), singleLetters: isLetter(scalar))
                    index = end
                    out.add(start, end, kind, WordKey(text, start..<end))
                    continue
                }
            }
            if (scalar == "'" || scalar == "\u{2019}") && index > 0 && isWordChar(text[index - 1]) && isPossessive(text, index) {
                out.add(index, index + 2, .word, WordKey(text, index..<(index + 2)))
                index += 2
                continue
            }
            // Ellipsis written as three periods is one token.
            if scalar == "." && index + 2 < count && text[index + 1] == "." && text[index + 2] == "." {
                out.add(index, index + 3, .punctuation, WordKey(low: 0x2E2E2E, high: 0))  // "..." in any order
                index += 3
                continue
            }
            out.add(index, index + 1, isPunctuation(scalar) ? .punctuation : .symbol, value < 0x80 ? WordKey(low: UInt64(value), high: 0) : .none)
            index += 1
        }
        return out.tokens
    }

    /// The rest of a word whose code points before `from` are word characters: letters,
    /// digits and marks, inner apostrophes ("Obuchi's" stops before the possessive),
    /// "," and "." between digits ("1,000.5"), and single letters joined by periods ("U.S.").
    /// `singleLetters`: the word so far is one letter. Returns where it ends and its kind.
    static func continueWord(_ text: UnsafeBufferPointer<Unicode.Scalar>, from: Int, hasLetter: Bool, singleLetters: Bool) -> (end: Int, kind: Token.Kind) {
        var index = from
        let count = text.count
        var hasLetter = hasLetter
        var dotted = false
        // The token so far is single letters joined by periods ("U", "U.S"): kept up to date
        // as it grows, so long runs cost linear time.
        var singleLettersSoFar = singleLetters
        // ASCII letters and digits at once. (Each follows a word character, not a period, so
        // the token is no longer single letters.)
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
                if c == "." && isLetter(text[index + 1]) && singleLettersSoFar && (index + 2 == count || !isWordChar(text[index + 2])) {
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
        return (index, dotted ? .abbreviation : (hasLetter ? .word : .number))
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
            if index + 1 < tokens.count && tokens[index + 1].afterLineBreak {
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
        // ASCII words (nearly all) are looked up by their bytes: making a string is slow.
        if let word = ExactKey(text, before.start..<before.end) {
            if titleKeys.contains(word) { return false }
            // "Jan. 5", "No. 10", "p. 4": a number goes on.
            if numberAbbreviationKeys.contains(word) && following.kind == .number { return false }
            return !(otherAbbreviationKeys.contains(word.lowercased) && !isUpper(first))
        }
        let word = String(scalars: text[before.start..<before.end])
        if titles.contains(word) { return false }
        if numberAbbreviations.contains(word) && following.kind == .number { return false }
        if otherAbbreviations.contains(word.lowercased()) && !isUpper(first) { return false }
        return true
    }

    /// "U.S." ends the sentence only when a typical sentence opening follows it.
    static func endsSentenceAfterAbbreviation(_ text: [Unicode.Scalar], _ tokens: [Token], _ index: Int) -> Bool {
        guard text[tokens[index].end - 1] == "." else { return false }
        guard index + 1 < tokens.count else { return true }
        let next = tokens[index + 1]
        if let word = ExactKey(text, next.start..<next.end) { return sentenceOpenerKeys.contains(word) }
        return sentenceOpeners.contains(String(scalars: text[next.start..<next.end]))
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

    static let titleKeys = Set(titles.compactMap(ExactKey.init))
    static let numberAbbreviationKeys = Set(numberAbbreviations.compactMap(ExactKey.init))
    static let otherAbbreviationKeys = Set(otherAbbreviations.compactMap(ExactKey.init))
    static let sentenceOpenerKeys = Set(sentenceOpeners.compactMap(ExactKey.init))

    /// A word of up to 16 ASCII characters as two numbers, its case kept: the abbreviation
    /// and opener lists are looked up by these, with no string made.
    struct ExactKey: Hashable {
        var low: UInt64 = 0
        var high: UInt64 = 0

        init?(_ text: [Unicode.Scalar], _ range: Range<Int>) {
            guard range.count <= 16 else { return nil }
            for position in range {
                let value = text[position].value
                guard value < 0x80 else { return nil }
                high = high &<< 8 | low &>> 56
                low = low &<< 8 | UInt64(value)
            }
        }

        init?(_ word: String) {
            let scalars = Array(word.unicodeScalars)
            self.init(scalars, 0..<scalars.count)
        }

        private init(low: UInt64, high: UInt64) {
            self.low = low
            self.high = high
        }

        /// The same word in lower case.
        var lowercased: ExactKey { ExactKey(low: ExactKey.lower(low), high: ExactKey.lower(high)) }

        private static func lower(_ bytes: UInt64) -> UInt64 {
            var out = bytes
            for shift in stride(from: UInt64(0), to: 64, by: 8) where (bytes &>> shift) & 0xFF &- 0x41 < 26 { out |= 0x20 &<< shift }
            return out
        }
    }

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

/// A token's code points folded as a ``WordTable`` folds them, packed as
/// ``WordTable/packed(_:_:)`` packs them, when it has at most 16 and all are ASCII; else `.none` (all zero: no token is empty).
/// The tokenizer makes them as it reads the text, so looking a token up reads one slot and
/// not the token's characters again.
struct WordKey: Sendable, Equatable {
    var low: UInt64
    var high: UInt64

    static let none = WordKey(low: 0, high: 0)

    init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// The key of `range` of `text`.
    init(_ text: UnsafeBufferPointer<Unicode.Scalar>, _ range: Range<Int>) {
        let key = text.withMemoryRebound(to: UInt32.self) { WordTable.packed($0, range) }
        (low, high) = key ?? (0, 0)
    }
}

/// One token: a half-open range of code points.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case word, number, abbreviation, punctuation, symbol
    }
    public var start: Int
    public var end: Int
    public var kind: Kind
    /// A line break (`\n`, `\r`, U+2028, U+2029) comes between this token and the one before.
    public var afterLineBreak = false
    /// Its folded code points, for ``WordTable`` lookups.
    var key = WordKey.none
}

/// One sentence: its code-point range and its tokens' indices.
public struct Sentence: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public var tokens: Range<Int>
}
