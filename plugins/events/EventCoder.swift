import TidingsCore

/// Events, first version: a short list of English verb phrases with their CAMEO codes; the
/// source is the nearest entity before the verb in the sentence, the target the nearest one
/// after it, each coded by its country and role (from the entities plugin). Issue 6 replaces
/// this with PETRARCH-style dictionaries and patterns.
public struct EventCoder: Extractor {
    public static let descriptor = PluginDescriptor(
        name: "events", version: "0.1.0", requires: ["entities"], produces: ["events"],
        summary: "Who did what to whom, in CAMEO codes (first version: a short verb list and nearest actors).")

    public init(configuration: PluginConfiguration) throws {
        try configuration.finish()
    }

    /// Verb phrases (lower case, as written) → CAMEO code. Longer phrases are tried first.
    static let verbs: [String: String] = [
        "will visit": "036", "plans to visit": "036", "to visit": "036", "agreed to meet": "036", "will meet": "036",
        "visited": "042", "visits": "042", "arrived in": "042", "hosted": "043", "met": "040", "met with": "040",
        "meets": "040", "talked with": "040", "negotiated": "046", "held talks with": "046", "praised": "051",
        "welcomed": "051", "signed": "057", "urged": "020", "called on": "020", "asked": "020", "criticized": "111",
        "criticised": "111", "condemned": "111", "denounced": "111", "accused": "112", "threatened": "130",
        "protested": "140", "arrested": "173", "detained": "173", "attacked": "190", "bombed": "190", "postponed": "036",
    ]
    /// Goldstein scores of the codes above (CAMEO codebook values).
    static let goldstein: [String: Double] = [
        "020": 3, "036": 4, "040": 1, "042": 1.9, "043": 2.8, "046": 7, "051": 3.4, "057": 8, "111": -2, "112": -2,
        "130": -4.4, "140": -6.5, "173": -5, "190": -10,
    ]

    public func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        let entities = context.entities.filter { $0.country != nil || $0.actorCode != nil }
        var events: [CodedEvent] = []
        let tokens = document.tokens
        let lower = document.tokenTexts.map { $0.lowercased() }
        let bySentence = Dictionary(grouping: entities, by: \.sentence)
        for (sentenceIndex, sentence) in document.sentences.enumerated() {
            var index = sentence.tokens.lowerBound
            while index < sentence.tokens.upperBound {
                var coded = false
                for length in stride(from: min(3, sentence.tokens.upperBound - index), through: 1, by: -1) {
                    let phrase = length == 1 ? lower[index] : lower[index..<(index + length)].joined(separator: " ")
                    guard let code = EventCoder.verbs[phrase] else { continue }
                    let start = tokens[index].start, end = tokens[index + length - 1].end
                    let here = bySentence[sentenceIndex] ?? []
                    let source = here.last { $0.end <= start }
                    let target = here.first { $0.start >= end }
                    if let source, let target {
                        events.append(CodedEvent(
                            source: actor(source), target: actor(target), sourceName: source.canonical, targetName: target.canonical,
                            code: code, quadClass: EventCoder.quadClass(code), goldstein: EventCoder.goldstein[code] ?? 0,
                            sentence: sentenceIndex, start: min(source.start, start), end: max(target.end, end)))
                    }
                    index += length
                    coded = true
                    break
                }
                if !coded { index += 1 }
            }
        }
        return Extraction(events: events)
    }

    func actor(_ entity: EntityMention) -> String? { entity.actorCode ?? entity.country }

    /// CAMEO quad classes by root: verbal cooperation 01–05, material cooperation 06–08,
    /// verbal conflict 09–13, material conflict 14–20.
    static func quadClass(_ code: String) -> Int {
        switch Int(code.prefix(2)) ?? 1 {
        case ...5: return 1
        case 6...8: return 2
        case 9...13: return 3
        default: return 4
        }
    }
}
