import TidingsCore
import TidingsPluginKit

/// People, organisations, places and nationalities.
///
/// 1. Names from the Phoenix/PETRARCH actor dictionaries (countries and their cities, regions
///    and nationality words; ~17,000 leaders with dated CAMEO codes; international and
///    non-state organisations), matched in a token trie in one pass.
/// 2. Titles before names ("Japanese Foreign Minister Masahiko Komura", "Gen. X", "Mr. Y")
///    make a person, keep the title as its role, and give an actor code from the nationality
///    and the title's agent (GOV, MIL, …) when the dictionaries have none for the date.
/// 3. Patterns for what the dictionaries miss: organisation words ("Ministry", "Party",
///    "Council", "Agency", "Inc."), acronyms, natural places ("the X Islands", "X Sea"),
///    places after "in"/"near", names before "said", and capitalised runs.
/// 4. Within a document a surname alone ("Hashimoto") is the person named in full before.
///    Sentence-initial words and all-capital headlines are judged by context.
public struct EntityExtractor: Extractor {
    public static let descriptor = PluginDescriptor(
        name: "entities", version: "1.0.0", produces: ["entities"],
        summary: "People, organisations, places and nationalities, with canonical names, country and CAMEO actor codes.")

    let dictionary: ActorDictionary
    let agents: [String: String]
    /// The word classes the rules ask about, with the agents dictionary's title words.
    let wordClasses: [String: Titles.WordClass]
    let guessUnknown: Bool

    public init(configuration: PluginConfiguration) throws {
        guessUnknown = try configuration.bool("guess_unknown", default: true)
        var files: [(text: String, organisations: Bool)] = []
        for (name, organisations) in [("Phoenix.Countries.actors.txt", false), ("Phoenix.International.actors.txt", true), ("Phoenix.MilNonState.actors.txt", true)] {
            let path = try configuration.dataFile(name)
            guard let bytes = FileBytes.read(path) else { throw PluginError("cannot read \(path)") }
            files.append((String(decoding: bytes, as: UTF8.self), organisations))
        }
        let agentsPath = try configuration.dataFile("Phoenix.agents.txt")
        try configuration.finish()
        guard let agentBytes = FileBytes.read(agentsPath) else { throw PluginError("cannot read \(agentsPath)") }
        agents = EntityExtractor.readAgents(String(decoding: agentBytes, as: UTF8.self))
        let agentFirstWords = Set(agents.keys.compactMap { key in key.split(separator: " ").count >= 2 ? key.split(separator: " ").first.map(String.init) : nil })
        wordClasses = Titles.wordClasses(extraFirstWords: agentFirstWords)
        dictionary = ActorDictionary(files: files, isTitle: { Titles.isTitleWord($0) })
    }

    /// `FORMER_PRIME_MINISTER [~ELI]` → "FORMER PRIME MINISTER": "ELI".
    static func readAgents(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard !line.hasPrefix("#"), let open = line.firstIndex(of: "["), line[open...].hasPrefix("[~") else { continue }
            let name = line[..<open].trimmedWhitespace()
            guard !name.isEmpty, !name.contains("!"), !name.contains("{") else { continue }
            let code = line[line.index(open, offsetBy: 2)...].prefix { $0 != "]" && $0 != " " }
            out[String(name.map { $0 == "_" ? " " : $0 }).trimmedWhitespace()] = String(code.prefix(3))
        }
        return out
    }

    public func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        var reader = Reader(document: document, dictionary: dictionary, agents: agents, wordClasses: wordClasses, guessUnknown: guessUnknown)
        return Extraction(entities: reader.read())
    }
}
