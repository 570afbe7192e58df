import TidingsCore

/// An event code as a verb dictionary writes it: `[042:043]` is a visit by the source and, in
/// the other direction, the target receiving it; `[036]` has no reverse; `[---]` codes nothing;
/// `[:026]` only the reverse.
struct EventCode: Sendable, Equatable {
    var forward: String?
    var reverse: String?

    static let none = EventCode(forward: nil, reverse: nil)

    /// The inside of the brackets.
    static func parse(_ text: Substring) -> EventCode {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmedWhitespace() }
        func one(_ part: String?) -> String? {
            guard let part, !part.isEmpty, part.contains(where: { $0 != "-" }) else { return nil }
            return part.uppercased()
        }
        return EventCode(forward: one(parts.first), reverse: parts.count > 1 ? one(parts[1]) : nil)
    }

    var isNone: Bool { forward == nil && reverse == nil }
}

/// One element of a pattern, and whether it must touch the element before it (PETRARCH's
/// `_`: `NEW_&TIETYPES_RELATIONS` is three words in a row; a space lets other words in).
struct PatternTerm: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// Words that must follow each other (`DIPLOMATIC_TIES`).
        case words([String])
        /// Any phrase of a synonym set (`&CURRENCY`).
        case synset(String)
        /// `$`: the source actor is here.
        case source
        /// `+`: the target actor is here.
        case target
        /// `^`: a phrase to pass over ("celebrated Iftar in ^ +": the place, then the target).
        case skip
    }

    var kind: Kind
    /// Starts right where the element before it (a term, or the verb) ends.
    var joined: Bool = false
    /// Written inside parentheses: a prepositional phrase, which may come after the verb's
    /// object ("met Gondor for talks"); words outside them are the object itself.
    var inPhrase: Bool = false
}

/// `- SAID * TO ATTEND [082]`: words before and after the verb (`*`), and the code.
struct VerbPattern: Sendable {
    var before: [PatternTerm]
    var after: [PatternTerm]
    var code: EventCode
    /// How many words it needs: the more, the more specific.
    var weight: Int
    /// Where it came from, for explanations and tests.
    var line: Int
    /// `IN_*`: the last word before the verb touches it.
    var beforeTouchesVerb = false
    /// Words the sentence must contain for the pattern to match (the first word of each word
    /// term): most patterns are ruled out by a set lookup before any scanning.
    var needs: [String] = []
    /// The verbs its comment names (CAMEO.2.0 writes the verb each pattern came from): among
    /// equally specific patterns, one written for the verb at hand wins.
    var writtenFor: Set<String> = []
}

/// A verb synonym block: `--- VISIT [042:043] ---`, its verbs and its patterns.
struct VerbBlock: Sendable {
    var name: String
    var code: EventCode
    var patterns: [VerbPattern]
    /// The bare forms of its verbs: a pattern whose comment names some of them was written for
    /// those only ("- &MILITARY * [192] # TAKE" is not about "soldiers arrested").
    var verbs: Set<String> = []

    /// Whether a pattern applies to a verb of this block.
    func applies(_ pattern: VerbPattern, to base: String) -> Bool {
        pattern.writtenFor.isDisjoint(with: verbs) || pattern.writtenFor.contains(base)
    }
}

/// One written form of a verb: "VISITED", or "MET WITH".
struct VerbForm: Sendable {
    var words: [String]
    /// The bare form it was made from ("VISIT" for "VISITED").
    var base: String
    var block: Int
    /// The verb's own code when its line gives one (`DETAIN [173]`), else the block's.
    var code: EventCode?
    /// A past participle (-ED or an irregular past form), for passives.
    var participle: Bool
    /// The bare form (VISIT), which is more often a noun than -ED or -ING forms are.
    var bare: Bool
    /// -S form (VISITS, TALKS), also often a noun.
    var plural: Bool
}

/// A PETRARCH-2 verb dictionary (`CAMEO.2.0.txt`, `PETR.Validate.verbs.txt`): synonym sets
/// (`&NAME` then `+PHRASE` lines), then blocks of synonymous verbs with their patterns.
/// Regular verb forms (-S, -ED, -ING) are generated; irregular ones come in `{...}`.
struct VerbDictionary: Sendable {
    private(set) var synsets: [String: [[String]]] = [:]
    private(set) var blocks: [VerbBlock] = []
    /// Forms by their first word.
    private(set) var forms: [String: [VerbForm]] = [:]

    init() {}

    /// Reads one more verb file (a later file adds blocks and patterns to the earlier ones).
    mutating func load(_ text: String) {
        var synset: (name: String, plurals: Bool)?
        var block: Int?
        var lineNumber = 0
        for rawLine in PetrarchText.lines(text) {
            lineNumber = rawLine.number
            let line = rawLine.text
            if line.isEmpty {
                synset = nil
                continue
            }
            if line.hasPrefix("---") {
                synset = nil
                let name = line.drop(while: { $0 == "-" || $0 == " " }).prefix { $0 != "[" && $0 != "-" }.trimmedWhitespace()
                let code = PetrarchText.bracket(line).map(EventCode.parse) ?? .none
                blocks.append(VerbBlock(name: name, code: code, patterns: []))
                block = blocks.count - 1
                continue
            }
            if line.hasPrefix("&") {
                var name = String(line.prefix { !$0.isWhitespace })
                let plurals = !name.hasSuffix("_")
                while name.hasSuffix("_") { name.removeLast() }
                synset = (name, plurals)
                if synsets[name] == nil { synsets[name] = [] }
                continue
            }
            if line.hasPrefix("+"), let current = synset {
                var phrase = String(line.dropFirst()).trimmedWhitespace()
                let noPlural = phrase.hasSuffix("_") || !current.plurals
                while phrase.hasSuffix("_") { phrase.removeLast() }
                let words = PetrarchText.words(phrase)
                guard !words.isEmpty else { continue }
                synsets[current.name, default: []].append(words)
                if !noPlural, let last = words.last, last.count > 2, last.allSatisfy(\.isLetter) {
                    synsets[current.name, default: []].append(Array(words.dropLast()) + [Inflection.plural(last)])
                }
                continue
            }
            guard let block else { continue }
            if line.hasPrefix("-") {
                if var pattern = VerbDictionary.pattern(line.dropFirst(), line: lineNumber) {
                    // "# RATIFY" or "# DELAY , POSTPONE": the verbs the pattern was written for.
                    pattern.writtenFor = Set(rawLine.comment.split(separator: ",").compactMap { $0.split(whereSeparator: \.isWhitespace).first.map { String($0).uppercased() } })
                    blocks[block].patterns.append(pattern)
                }
                continue
            }
            addVerb(line, block: block)
        }
    }

    /// `MEET {MEETS MET MEETING} [040]`, `+MEET_WITH {+MET_WITH ...}`, `ASK [020]`,
    /// `KLM_NOP_+RST [002]` (the `+` marks the word that is inflected).
    private mutating func addVerb(_ line: Substring, block: Int) {
        var body = line
        var code: EventCode?
        if let open = body.firstIndex(of: "[") {
            code = PetrarchText.bracket(body).map(EventCode.parse)
            body = body[..<open]
        }
        var irregular: [String]?
        if let open = body.firstIndex(of: "{") {
            let close = body[open...].firstIndex(of: "}") ?? body.endIndex
            irregular = body[body.index(after: open)..<close].split(whereSeparator: \.isWhitespace).map(String.init)
            body = body[..<open]
        }
        let head = body.trimmedWhitespace()
        guard !head.isEmpty else { return }
        var words = PetrarchText.words(head.replacingPlus())
        guard !words.isEmpty else { return }
        // The inflected word: the one marked with "+" inside the phrase, else the first.
        let parts = head.split(whereSeparator: { $0 == "_" || $0 == " " })
        let verbIndex = parts.firstIndex(where: { $0.hasPrefix("+") && $0 != parts.first }).map { parts.distance(from: parts.startIndex, to: $0) } ?? 0
        guard verbIndex < words.count else { return }
        words = words.map { $0.uppercased() }
        func add(_ phrase: [String], participle: Bool, bare: Bool, plural: Bool) {
            guard let first = phrase.first else { return }
            forms[first, default: []].append(VerbForm(words: phrase, base: words.joined(separator: "_"), block: block, code: code, participle: participle, bare: bare, plural: plural))
        }
        let base = words[verbIndex]
        blocks[block].verbs.insert(words.joined(separator: "_"))
        add(words, participle: false, bare: true, plural: false)
        var seen: Set<String> = [base]
        if let irregular {
            // Listed forms, written whole (`+MET_WITH`) or as the verb word alone (`MET`).
            for form in irregular {
                let formWords = PetrarchText.words(form.replacingPlus())
                guard !formWords.isEmpty else { continue }
                var phrase = words
                if formWords.count == words.count { phrase = formWords } else { phrase[verbIndex] = formWords[0] }
                let word = phrase[verbIndex]
                guard seen.insert(word).inserted else { continue }
                add(phrase, participle: !word.hasSuffix("ING") && !(word.hasSuffix("S") && !base.hasSuffix("S")), bare: false, plural: word.hasSuffix("S") && !word.hasSuffix("SS"))
            }
        }
        // Regular forms too, unless the braces are empty (`{}`: no other forms).
        if irregular == nil || irregular?.isEmpty == false, base.count > 1, base.allSatisfy({ $0.isLetter }) {
            for (form, participle, plural) in Inflection.verbForms(base) where seen.insert(form).inserted {
                var phrase = words
                phrase[verbIndex] = form
                add(phrase, participle: participle, bare: false, plural: plural)
            }
        }
    }

    /// A pattern line after its `-`: `SAID * TO ATTEND [082] # comment`.
    static func pattern(_ text: Substring, line: Int) -> VerbPattern? {
        guard let open = text.lastIndex(of: "["), let code = PetrarchText.bracket(text[open...]).map(EventCode.parse) else { return nil }
        var body = text[..<open]
        // Junk between the phrase and the code (`VENTURE (WITH VISIT) VISIT)[042:043]`) is ignored.
        if let close = body.lastIndex(of: ")"), body[body.index(after: close)...].contains(where: { !$0.isWhitespace }) {
            body = body[...close]
        }
        // Pieces in reading order, each knowing whether `_` tied it to the one before.
        var pieces: [(text: String, joined: Bool, inPhrase: Bool)] = []
        var depth = 0
        for raw in body.split(whereSeparator: \.isWhitespace) {
            depth += raw.filter { $0 == "(" }.count
            let token = raw.filter { !"(){}".contains($0) }
            for (index, piece) in token.split(separator: "_", omittingEmptySubsequences: true).enumerated() {
                pieces.append((String(piece), index > 0, depth > 0))
            }
            depth = max(0, depth - raw.filter { $0 == ")" }.count)
        }
        var before: [PatternTerm] = []
        var after: [PatternTerm] = []
        var sawVerb = false
        var weight = 0
        var pendingJoin = false
        var beforeTouchesVerb = false
        var inPhrase = false
        func add(_ kind: PatternTerm.Kind, joined: Bool) {
            // Words tied to the words before them extend that term.
            if case .words(let more) = kind, joined {
                if sawVerb, let last = after.last, case .words(let words) = last.kind {
                    after[after.count - 1].kind = .words(words + more)
                    return
                }
                if !sawVerb, let last = before.last, case .words(let words) = last.kind {
                    before[before.count - 1].kind = .words(words + more)
                    return
                }
            }
            let term = PatternTerm(kind: kind, joined: joined, inPhrase: inPhrase)
            if sawVerb { after.append(term) } else { before.append(term) }
        }
        for (index, piece) in pieces.enumerated() {
            inPhrase = piece.inPhrase
            let joined = piece.joined || pendingJoin
            pendingJoin = false
            switch piece.text {
            case "*", "**":
                sawVerb = true
                // `IN_*`: the word before touches the verb; `*_OUT`: the word after does.
                if piece.joined, !before.isEmpty { beforeTouchesVerb = true }
                if index + 1 < pieces.count, pieces[index + 1].joined { pendingJoin = true }
            case "$": add(.source, joined: joined)
            case "+": add(.target, joined: joined)
            case "^": add(.skip, joined: joined)
            case "%": continue  // "compound": no words to match
            default:
                if piece.text.hasPrefix("&") {
                    var name = piece.text
                    while name.hasSuffix("_") { name.removeLast() }
                    add(.synset(name), joined: joined)
                    weight += 1
                } else {
                    let words = PetrarchText.words(piece.text.replacingPlus())
                    guard !words.isEmpty else { continue }
                    // A word tied to the verb starts a new term even when joined.
                    let touchesVerb = sawVerb && after.isEmpty
                    if touchesVerb { after.append(PatternTerm(kind: .words(words), joined: joined, inPhrase: inPhrase)) } else { add(.words(words), joined: joined) }
                    weight += words.count
                }
            }
        }
        // A pattern of no words that codes nothing would silence its whole block.
        guard sawVerb, !(before.isEmpty && after.isEmpty && code.isNone) else { return nil }
        var pattern = VerbPattern(before: before, after: after, code: code, weight: weight, line: line, beforeTouchesVerb: beforeTouchesVerb)
        pattern.needs = (before + after).compactMap { term in if case .words(let words) = term.kind { return words.first } else { return nil } }
        return pattern
    }
}

/// Regular English inflections, as PETRARCH generates them.
enum Inflection {
    /// -S, -ED and -ING forms of a verb, each with (participle, plural) flags.
    static func verbForms(_ base: String) -> [(String, Bool, Bool)] {
        let vowels: Set<Character> = ["A", "E", "I", "O", "U"]
        var out: [(String, Bool, Bool)] = []
        let last = base.last!
        let beforeLast = base.dropLast().last
        if last == "E" {
            out.append((base + "S", false, true))
            out.append((base + "D", true, false))
            out.append((base.hasSuffix("EE") ? base + "ING" : String(base.dropLast()) + "ING", false, false))
        } else if last == "Y", let beforeLast, !vowels.contains(beforeLast) {
            let stem = String(base.dropLast())
            out.append((stem + "IES", false, true))
            out.append((stem + "IED", true, false))
            out.append((base + "ING", false, false))
        } else if base.hasSuffix("S") || base.hasSuffix("SH") || base.hasSuffix("CH") || base.hasSuffix("X") || base.hasSuffix("Z") {
            out.append((base + "ES", false, true))
            out.append((base + "ED", true, false))
            out.append((base + "ING", false, false))
        } else {
            out.append((base + "S", false, true))
            out.append((base + "ED", true, false))
            out.append((base + "ING", false, false))
            // A short word ending consonant-vowel-consonant doubles its last letter: PLANNED.
            if let beforeLast, vowels.contains(beforeLast), !vowels.contains(last), !"WXY".contains(last), base.count <= 5,
                let third = base.dropLast(2).last, !vowels.contains(third)
            {
                out.append((base + String(last) + "ED", true, false))
                out.append((base + String(last) + "ING", false, false))
            }
        }
        return out
    }

    /// A regular plural: -S, -IES after a consonant and Y, -ES after SS, SH, CH, X.
    static func plural(_ word: String) -> String {
        if word.hasSuffix("Y"), let before = word.dropLast().last, !"AEIOU".contains(before) { return String(word.dropLast()) + "IES" }
        if word.hasSuffix("SS") || word.hasSuffix("SH") || word.hasSuffix("CH") || word.hasSuffix("X") { return word + "ES" }
        return word + "S"
    }
}

/// Reading PETRARCH text files: comments (`#`, `;` and `<!-- ... -->`, also over several
/// lines), words of phrases (`_` or space between them).
enum PetrarchText {
    struct Line {
        var number: Int
        var text: Substring
        /// What followed `#`: in verb files, the verbs a pattern was written for.
        var comment: Substring = ""
    }

    /// Lines without comments, trimmed, numbered from 1. Empty lines are kept (they end
    /// synonym sets); lines that held only a comment are dropped. Works on bytes.
    static func lines(_ text: String) -> [Line] {
        var out: [Line] = []
        var inComment = false
        let all = Array(text.utf8)
        var number = 0
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
        for raw in all.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            var kept: [UInt8] = []
            var index = raw.startIndex
            while index < raw.endIndex {
                if inComment {
                    if raw[index] == 0x2D, index + 2 < raw.endIndex, raw[index + 1] == 0x2D, raw[index + 2] == 0x3E {  // "-->"
                        inComment = false
                        index += 3
                    } else {
                        index += 1
                    }
                } else if raw[index] == 0x3C, index + 3 < raw.endIndex, raw[index + 1] == 0x21, raw[index + 2] == 0x2D, raw[index + 3] == 0x2D {  // "<!--"
                    inComment = true
                    index += 4
                } else {
                    kept.append(raw[index])
                    index += 1
                }
            }
            var comment: Substring = ""
            if let hash = kept.firstIndex(of: 0x23) {  // "#"
                comment = Substring(String(decoding: kept[(hash + 1)...], as: UTF8.self))
                kept.removeSubrange(hash...)
            }
            if let semicolon = kept.firstIndex(of: 0x3B) { kept.removeSubrange(semicolon...) }  // ";"
            var start = kept.startIndex, end = kept.endIndex
            while start < end, isSpace(kept[start]) { start += 1 }
            while end > start, isSpace(kept[end - 1]) { end -= 1 }
            // A line of only a comment is not a blank line.
            if start == end && raw.contains(where: { !isSpace($0) }) { continue }
            out.append(Line(number: number, text: Substring(String(decoding: kept[start..<end], as: UTF8.self)), comment: comment))
        }
        return out
    }

    /// The inside of the first `[...]` in a line; nil when there is none or it is not closed.
    static func bracket(_ line: Substring) -> Substring? {
        guard let open = line.firstIndex(of: "[") else { return nil }
        let rest = line[line.index(after: open)...]
        guard let close = rest.firstIndex(of: "]") else { return nil }
        return rest[..<close]
    }

    /// Upper-case words of a phrase: `DIPLOMATIC_TIES`, `Manchester United`. Split as the
    /// document tokenizer splits text, so "N'T" and "'S" stay as it writes them.
    static func words(_ phrase: String) -> [String] {
        var words: [String] = []
        for word in phrase.uppercased().split(whereSeparator: { $0 == "_" || $0 == " " || $0 == "\t" }) {
            // TreeBank splits "didn't" as DID N'T; the document tokenizer keeps DIDN'T whole.
            if (word == "N'T" || word == "N’T"), let last = words.popLast() {
                words.append(last + word)
            } else {
                words.append(String(word))
            }
        }
        return words
    }
}

extension StringProtocol {
    /// Without the `+` markers PETRARCH puts in phrases.
    func replacingPlus() -> String { String(filter { $0 != "+" }) }
}
