import TidingsCore
import TidingsPluginKit

/// Who did what to whom, in CAMEO codes, coded TABARI-style without a parser: PETRARCH-2
/// verb patterns, actors from the entity plugin (or the dictionary folder's `.actors` files),
/// agents, discards; compounds, passives, negation, modality and reciprocal codes are read
/// from word order. See README.md for the rules and their limits.
public struct EventCoder: Extractor {
    public static let descriptor = PluginDescriptor(
        name: "events", version: "1.0.0", requires: ["entities"], produces: ["events"],
        summary: "Who did what to whom, in CAMEO codes, from PETRARCH-2 dictionaries (no parser needed).")

    let dictionaries: Dictionaries

    /// Config keys: `dictionaries` (a folder of PETRARCH-format files; the bundled CAMEO 2.0 /
    /// Phoenix set by default) and `additions` (also read Tidings' own additions; default on
    /// for the bundled set, off for another folder).
    public init(configuration: PluginConfiguration) throws {
        let codebookPath = try configuration.dataFile("cameo_codes.tsv")
        let bundled = (try configuration.dataFile("CAMEO.2.0.txt") as String).deletingLastPathComponent()
        let folder = try configuration.string("dictionaries")
        let additions = try configuration.bool("additions", default: folder == nil)
        try configuration.finish()
        do {
            dictionaries = try EventCoder.load(folder: folder ?? bundled, additionsFrom: additions ? bundled : nil, codebook: codebookPath)
        } catch let error as PluginError where folder != nil {
            // A folder the user named: the error points at the key and its line.
            throw PluginConfigurationError(plugin: "events", key: "dictionaries", line: configuration.line(of: "dictionaries"), message: error.message)
        }
    }

    static func read(_ path: String) throws -> String {
        guard let bytes = FileBytes.read(path) else { throw PluginError("cannot read \(path)") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a dictionary folder: `*verbs*` or `CAMEO*` files, `*actors*`, `*agents*` and
    /// `*discards*` files; and, from `additionsFrom`, `Tidings.verbs.txt` and `Tidings.nouns.txt`.
    static func load(folder: String, additionsFrom: String?, codebook: String) throws -> Dictionaries {
        let names = try FileList.names(in: folder)
        func files(_ accept: (String) -> Bool) -> [String] {
            names.filter { $0.lowercased().hasSuffix(".txt") && !$0.hasPrefix("Tidings.") && accept($0.lowercased()) }.sorted().map { folder + "/" + $0 }
        }
        let verbFiles = files { $0.contains("verbs") || $0.hasPrefix("cameo") }
        guard !verbFiles.isEmpty else {
            throw PluginError("no verb dictionary in \(folder): expected a file named like CAMEO.2.0.txt or *.verbs.txt")
        }
        var verbs = VerbDictionary()
        for file in verbFiles { verbs.load(try read(file)) }
        let actorFiles = files { $0.contains("actors") }
        var actors: ActorTable?
        if !actorFiles.isEmpty {
            var table = ActorTable()
            for file in actorFiles { table.loadActors(try read(file)) }
            actors = table
        }
        var agents = ActorTable()
        for file in files({ $0.contains("agents") }) { agents.loadAgents(try read(file)) }
        var discards = Discards()
        for file in files({ $0.contains("discards") }) { discards.load(try read(file)) }
        var nouns: [(words: [String], code: EventCode)] = []
        if let additionsFrom {
            let extra = additionsFrom + "/Tidings.verbs.txt"
            if FileList.exists(extra) { verbs.load(try read(extra)) }
            let nounFile = additionsFrom + "/Tidings.nouns.txt"
            if FileList.exists(nounFile) { nouns = readNouns(try read(nounFile)) }
        }
        return Dictionaries(
            verbs: verbs, actors: actors, agents: agents, discards: discards, nouns: nouns, codebook: Codebook(try read(codebook)))
    }

    /// `TALKS [046:046]  # reason` lines.
    static func readNouns(_ text: String) -> [(words: [String], code: EventCode)] {
        PetrarchText.lines(text).compactMap { line in
            guard let open = line.text.firstIndex(of: "["), let inside = PetrarchText.bracket(line.text) else { return nil }
            let words = PetrarchText.words(String(line.text[..<open]))
            return words.isEmpty ? nil : (words, EventCode.parse(inside))
        }
    }

    public func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        var coder = Coder(dictionaries: dictionaries, document: document, mentions: context.entities)
        return Extraction(events: coder.code())
    }
}

/// CAMEO codes with their names, Goldstein scores and quad classes (`cameo_codes.tsv`).
struct Codebook: Sendable {
    struct Entry: Sendable {
        var name: String
        var goldstein: Double
        var quadClass: Int
    }

    private(set) var entries: [String: Entry] = [:]

    /// `code \t name \t goldstein \t root \t quadclass` lines after a header.
    init(_ text: String) {
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 5, let goldstein = Double(fields[2].trimmedWhitespace()), let quad = Int(fields[4].trimmedWhitespace()) else { continue }
            entries[fields[0].trimmedWhitespace()] = Entry(name: fields[1].trimmedWhitespace(), goldstein: goldstein, quadClass: quad)
        }
    }

    /// The entry of a code, or of the nearest code above it (4-digit codes the codebook does
    /// not list take their 3-digit parent's values); unknown roots get quad class by root.
    func entry(_ code: String) -> Entry {
        var key = code
        while !key.isEmpty {
            if let entry = entries[key] { return entry }
            key.removeLast()
        }
        return Entry(name: "", goldstein: 0, quadClass: Codebook.quadClass(root: code))
    }

    /// CAMEO quad classes by root: verbal cooperation 01–05, material cooperation 06–08,
    /// verbal conflict 09–13, material conflict 14–20.
    static func quadClass(root code: String) -> Int {
        switch Int(code.prefix(2)) ?? 1 {
        case ...5: return 1
        case 6...8: return 2
        case 9...13: return 3
        default: return 4
        }
    }
}

extension String {
    func deletingLastPathComponent() -> String {
        guard let slash = lastIndex(of: "/") else { return "." }
        return slash == startIndex ? "/" : String(self[..<slash])
    }
}
