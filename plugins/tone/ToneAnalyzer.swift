import TidingsCore

/// Tone, first version: the VADER lexicon's word valences summed over the document (score),
/// over the sentences that mention each entity (entity tone) and over a window around each
/// requested span (targets), with GDELT V2Tone-style word percentages. No negation, intensity
/// or context rules yet: issue 7 makes it good.
public struct ToneAnalyzer: Extractor {
    public static let descriptor = PluginDescriptor(
        name: "tone", version: "0.1.0", requires: ["entities"], produces: ["tone", "targets"],
        summary: "Document tone and tone toward entities and spans (first version: VADER word valences).")

    let lexicon: [String: Double]
    /// Words on each side of a target span that count toward its tone.
    let window: Int

    public init(configuration: PluginConfiguration) throws {
        window = try configuration.int("window", default: 8, range: 1...100)
        let path = try configuration.dataFile("vader_lexicon.txt")
        try configuration.finish()
        guard let bytes = FileBytes.read(path) else { throw PluginError("cannot read \(path)") }
        let text = String(decoding: bytes, as: UTF8.self)
        var lexicon: [String: Double] = [:]
        for line in text.split(whereSeparator: \.isNewline) {  // the file has CRLF line ends
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count >= 2, let value = Double(fields[1]) { lexicon[String(fields[0])] = value }
        }
        guard !lexicon.isEmpty else { throw PluginError("\(path) holds no word valences") }
        self.lexicon = lexicon
    }

    static let selfWords: Set<String> = ["i", "me", "my", "mine", "we", "us", "our", "ours", "myself", "ourselves"]

    /// VADER's normalisation of a valence sum into −1…1.
    static func normalize(_ sum: Double) -> Double { sum == 0 ? 0 : sum / (sum * sum + 15).squareRoot() }

    public func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        let tokens = document.tokens
        let texts = document.tokenTexts
        var valences = [Double](repeating: 0, count: tokens.count)
        var words = 0, positive = 0, negative = 0, selfGroup = 0
        for (index, token) in tokens.enumerated() where token.kind == .word {
            words += 1
            let word = texts[index].lowercased()
            if ToneAnalyzer.selfWords.contains(word) { selfGroup += 1 }
            guard let value = lexicon[word] else { continue }
            valences[index] = value
            if value > 0 { positive += 1 } else if value < 0 { negative += 1 }
        }
        let percent = { (count: Int) in words == 0 ? 0 : Double(count) * 100 / Double(words) }
        let tone = Tone(
            score: ToneAnalyzer.normalize(valences.reduce(0, +)), tone: percent(positive) - percent(negative), positive: percent(positive),
            negative: percent(negative), polarity: percent(positive) + percent(negative), activity: 0, selfGroup: percent(selfGroup),
            words: words)
        // Tone toward an entity: the sentences that mention it.
        let sentences = document.sentences
        func sentenceScore(_ index: Int) -> Double {
            ToneAnalyzer.normalize(sentences[index].tokens.reduce(0) { $0 + valences[$1] })
        }
        var byEntity: [String: (label: String, sentences: Set<Int>, mentions: Int)] = [:]
        for mention in context.entities {
            let key = mention.canonical + "\u{1F}" + mention.label
            var entry = byEntity[key] ?? (mention.label, [], 0)
            entry.sentences.insert(mention.sentence)
            entry.mentions += 1
            byEntity[key] = entry
        }
        let entityTones = byEntity.map { key, entry in
            let scores = entry.sentences.filter { $0 < sentences.count }.map(sentenceScore)
            return EntityTone(
                canonical: String(key.split(separator: "\u{1F}").first ?? ""), label: entry.label,
                score: scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count), mentions: entry.mentions)
        }.sorted { $0.canonical < $1.canonical }
        // Tone toward a span: the words around it.
        let targets = context.targets.map { span -> TargetTone in
            let first = tokens.firstIndex { $0.end > span.start } ?? tokens.count
            let last = tokens.lastIndex { $0.start < span.end } ?? -1
            let low = max(0, first - window), high = min(tokens.count - 1, last + window)
            let sum = low <= high ? (low...high).reduce(0.0) { $0 + valences[$1] } : 0
            return TargetTone(start: span.start, end: span.end, score: ToneAnalyzer.normalize(sum))
        }
        return Extraction(tone: tone, entityTones: entityTones, targets: targets)
    }
}
