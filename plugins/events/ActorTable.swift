import TidingsCore
import TidingsPluginKit

/// An actor of a PETRARCH `.actors` file: its codes over time.
struct DictionaryActor: Sendable {
    var name: String
    var codes: [DatedCode]
}

/// An agent of an `.agents` file: `FOREIGN_MINISTER [~GOV]` adds GOV after the actor's code;
/// `HUMAN_RIGHTS_BODY [NGO~]` puts NGO before it.
struct Agent: Sendable, Equatable {
    var code: String
    var prefix: Bool
}

/// The actors and agents of a dictionary folder, in tries over upper-case words.
struct ActorTable: Sendable {
    private(set) var actors = PhraseTrie<Int>()
    private(set) var entries: [DictionaryActor] = []
    private(set) var agents = PhraseTrie<Agent>()

    init() {}

    /// An `.actors` file: `NAME [CODE]` or `NAME` with `+SYNONYM` lines and tab-indented dated
    /// codes (`\t[RUSGOV 910710-991231]`).
    mutating func loadActors(_ text: String) {
        var names: [String] = []
        var codes: [DatedCode] = []
        func finish() {
            defer { names = []; codes = [] }
            guard !names.isEmpty, !codes.isEmpty else { return }
            let index = entries.count
            entries.append(DictionaryActor(name: names[0], codes: codes))
            for name in names {
                var words = PetrarchText.words(name)
                if words.count > 1 && words[0] == "THE" { words.removeFirst() }
                actors.insert(words, index)
            }
        }
        for line in PetrarchText.lines(text) {
            let body = line.text
            guard let first = body.first else { continue }
            if first == "[" {
                if let code = PetrarchText.bracket(body).flatMap(DatedCode.parse) { codes.append(code) }
                continue
            }
            if first == "!" || first == "=" { continue }
            var name = body
            var inline: DatedCode?
            if let open = name.firstIndex(of: "[") {
                inline = PetrarchText.bracket(name).flatMap(DatedCode.parse)
                name = name[..<open]
            }
            let clean = name.trimmedWhitespace()
            if clean.hasPrefix("+") {
                names.append(String(clean.dropFirst()))
                if let inline { codes.append(inline) }
                continue
            }
            // A new actor once the current one has codes; else another name of the same one
            // (people listed one per line before their shared codes).
            if !codes.isEmpty || names.isEmpty || inline != nil {
                finish()
                names = [clean]
                if let inline { codes = [inline] }
            } else {
                names.append(clean)
            }
        }
        finish()
    }

    /// An `.agents` file: `PHRASE {PLURAL} [~CODE]`, with `!NAME! = A, B` substitutions.
    mutating func loadAgents(_ text: String) {
        var substitutions: [String: [String]] = [:]
        for line in PetrarchText.lines(text) {
            let body = line.text
            guard !body.isEmpty else { continue }
            if body.hasPrefix("!"), let equals = body.firstIndex(of: "=") {
                let name = body[..<equals].trimmedWhitespace()
                substitutions[name] = body[body.index(after: equals)...].split(separator: ",").map { $0.trimmedWhitespace().uppercased() }
                continue
            }
            guard let inside = PetrarchText.bracket(body), let tilde = inside.firstIndex(of: "~") else { continue }
            let before = inside[..<tilde].trimmedWhitespace(), after = inside[inside.index(after: tilde)...].trimmedWhitespace()
            let agent = before.isEmpty ? Agent(code: after.uppercased(), prefix: false) : Agent(code: before.uppercased(), prefix: true)
            guard !agent.code.isEmpty else { continue }
            var phrase = body[..<(body.firstIndex(of: "[") ?? body.endIndex)]
            var plurals: [String]?
            if let open = phrase.firstIndex(of: "{") {
                let close = phrase[open...].firstIndex(of: "}") ?? phrase.endIndex
                plurals = phrase[phrase.index(after: open)..<close].split(whereSeparator: \.isWhitespace).map(String.init)
                phrase = phrase[..<open]
            }
            var names = [phrase.trimmedWhitespace()]
            // `CONGRESS!PERSON!` → CONGRESSMAN, CONGRESSMEN, …: no plurals made for these. Every
            // marker in the phrase is expanded, in a fixed order.
            for marker in substitutions.keys.sorted() where names.contains(where: { $0.contains(marker) }) {
                names = names.flatMap { name in substitutions[marker]!.map { name.replacing(marker, with: $0) } }
                plurals = []
            }
            for name in names {
                let words = PetrarchText.words(name)
                guard !words.isEmpty else { continue }
                agents.insert(words, agent)
                if let plurals {
                    for plural in plurals { agents.insert(PetrarchText.words(plural), agent) }
                } else if let last = words.last, last.count > 2, last.allSatisfy(\.isLetter) {
                    agents.insert(Array(words.dropLast()) + [Inflection.plural(last)], agent)
                }
            }
        }
    }
}

/// Discard phrases: a sentence with one of them is not coded; with a `+` phrase, the whole
/// document is not (sports results, chronologies).
///
/// A year alone (Phoenix lists 1914–2013) marks a sentence about history ("the 1994
/// genocide"). Tidings applies it only when the year is at least `historyYears` before the
/// document's date, so that "a 1997 agreement" in a 1999 report is still coded; without a date,
/// as PETRARCH does, always.
struct Discards: Sendable {
    var sentence = PhraseSet()
    var story = PhraseSet()
    var years: Set<Int> = []
    static let historyYears = 5

    mutating func load(_ text: String) {
        for line in PetrarchText.lines(text) where !line.text.isEmpty {
            let story = line.text.hasPrefix("+")
            let words = PetrarchText.words(String(story ? line.text.dropFirst() : line.text))
            guard !words.isEmpty else { continue }
            if !story, words.count == 1, words[0].count == 4, let year = Int(words[0]) {
                years.insert(year)
            } else if story {
                self.story.insert(words)
            } else {
                sentence.insert(words)
            }
        }
    }

    /// "three years ago" is recent; "fifty years ago" and "years ago" are history. Phoenix
    /// discards every sentence with "years ago", "months ago" or "weeks ago"; Tidings keeps
    /// those that look back fewer than `historyYears` years, as it does for years.
    static func recent(_ phrase: [String], in words: ArraySlice<String>) -> Bool {
        guard phrase.count == 2, ["AGO", "LATER", "EARLIER"].contains(phrase[1]) else { return false }
        if ["DAYS", "WEEKS", "MONTHS"].contains(phrase[0]) { return true }
        guard phrase[0] == "YEARS" else { return false }
        let numbers = ["TWO": 2, "THREE": 3, "FOUR": 4, "A": 1, "ONE": 1, "FEW": 3, "SEVERAL": 4]
        var index = words.startIndex
        while index + 2 <= words.endIndex {
            if words[index] == "YEARS", words[index + 1] == phrase[1] {
                guard index > words.startIndex else { return false }
                let count = numbers[words[index - 1]] ?? Int(words[index - 1])
                return count.map { $0 < historyYears } ?? false
            }
            index += 1
        }
        return false
    }

    /// Whether a sentence matches a sentence-level discard (recent look-backs excepted).
    func discards(_ words: ArraySlice<String>) -> Bool {
        sentence.matches(words).contains { !Discards.recent($0, in: words) }
    }

    /// Whether a sentence names a year of history, for a document of `documentYear`.
    func namesHistory(_ words: ArraySlice<String>, documentYear: Int?) -> Bool {
        // utf8.count first: a year is four ASCII digits, and counting characters of every
        // word cost more than the rest of the test.
        for word in words where word.utf8.count == 4 && word.count == 4 {
            guard let year = Int(word), years.contains(year) else { continue }
            guard let documentYear else { return true }
            if documentYear - year >= Discards.historyYears { return true }
        }
        return false
    }

}

/// Phrases looked up by their first word: finding which occur in a sentence costs one hash
/// lookup per word, not one comparison per phrase.
struct PhraseSet: Sendable {
    private var byFirst: [String: [[String]]] = [:]
    /// For each first byte, the UTF-8 lengths (1 to 63, longer as 63) of the first words that
    /// start with it: most words are ruled out by this before any hashing.
    private var lengthsByFirstByte = [UInt64](repeating: 0, count: 256)

    mutating func insert(_ words: [String]) {
        guard let first = words.first else { return }
        byFirst[first, default: []].append(words)
        if let byte = first.utf8.first { lengthsByFirstByte[Int(byte)] |= 1 << UInt64(min(first.utf8.count, 63)) }
    }

    func mayStart(_ word: String) -> Bool {
        guard let byte = word.utf8.first else { return byFirst[word] != nil }
        return lengthsByFirstByte[Int(byte)] & (1 << UInt64(min(word.utf8.count, 63))) != 0
    }

    /// The phrases that occur in `words`.
    func matches(_ words: ArraySlice<String>) -> [[String]] {
        var found: [[String]] = []
        for index in words.indices where mayStart(words[index]) {
            for phrase in byFirst[words[index]] ?? [] where index + phrase.count <= words.endIndex {
                if words[index..<(index + phrase.count)].elementsEqual(phrase) { found.append(phrase) }
            }
        }
        return found
    }

    func contains(_ words: ArraySlice<String>) -> Bool { !matches(words).isEmpty }
}
