import TidingsCore
import TidingsPluginKit

/// Tone as a reader would rate it: each sentence is scored with VADER's word valences and
/// rules (negation, boosters and dampeners, contrast, capitals, exclamation, hedges) plus news
/// vocabulary; the document's score is the mean of its sentences' (not one saturating sum);
/// the tone toward an entity or a requested span weights the words nearest it in the
/// sentences that mention it. Also GDELT's V2Tone fields. See README.md.
public struct ToneAnalyzer: Extractor {
    public static let descriptor = PluginDescriptor(
        name: "tone", version: "1.0.0", uses: ["entities"], produces: ["tone", "targets"],
        summary: "Sentence and document tone, tone toward each entity and span, GDELT V2Tone fields (VADER rules + news words).")

    let scorer: Scorer
    /// Learned weights for the tone toward a target; empty: the rule-based score alone.
    let model: TargetModel
    /// Scores within ±band are "no tone" (0); the rest is stretched back to −1…1.
    let band: Double
    /// How much a word counts toward a target by its distance: `window` (words on each side
    /// that count) and `decay` (the distance at which a word counts half).
    let reach: Reach

    public init(configuration: PluginConfiguration) throws {
        reach = Reach(
            window: try configuration.int("window", default: 12, range: 1...100), decay: try configuration.double("decay", default: 3, range: 0.5...100))
        band = try configuration.double("neutral_band", default: 0.2, range: 0...0.9)
        let vaderPath = try configuration.dataFile("vader_lexicon.txt")
        let additionsPath = try configuration.dataFile("news_additions.txt")
        let activePath = try configuration.dataFile("active_words.txt")
        // The learned model is optional: without it (or with `model = false`), targets get the
        // rule-based score.
        let useModel = try configuration.bool("model", default: true)
        let modelPath = useModel ? try? configuration.dataFile("target_model.txt") : nil
        try configuration.finish()
        func read(_ path: String) throws -> String {
            guard let bytes = FileBytes.read(path) else { throw PluginError("cannot read \(path)") }
            return String(decoding: bytes, as: UTF8.self)
        }
        var lexicon = Lexicon()
        lexicon.loadVader(try read(vaderPath))
        guard !lexicon.valences.isEmpty else { throw PluginError("\(vaderPath) holds no word valences") }
        let bad = lexicon.loadAdditions(try read(additionsPath))
        if let line = bad.first { throw PluginError("\(additionsPath):\(line): expected `word valence # reason` with a valence in −4…4") }
        lexicon.active = Set(try read(activePath).split(whereSeparator: \.isNewline).map { $0.trimmedWhitespace().lowercased() }.filter {
            !$0.isEmpty && !$0.hasPrefix("#")
        })
        let model = try modelPath.map { try TargetModel(text: try read($0)) } ?? TargetModel()
        self.model = model
        scorer = Scorer(lexicon: lexicon, modelWords: model.wordIndex)
    }

    /// The model's features for a span of a document, or nil when it covers no token.
    func targetFeatures(_ document: AnalyzedDocument, start: Int, end: Int) -> [String: Double]? {
        let segmentation = document.segmentation
        let tokens = segmentation.tokens
        guard let first = tokens.firstIndex(where: { $0.end > start }), tokens[first].start < end else { return nil }
        let last = max(first, tokens.lastIndex(where: { $0.start < end }) ?? first)
        let sentenceIndex = document.sentenceIndex(at: tokens[first].start)
        guard sentenceIndex < segmentation.sentences.count else { return nil }
        let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: tokens.count)
        values.initialize(repeating: 0)
        defer { values.deallocate() }
        let lower = document.lowerTokenTexts
        let range = segmentation.sentences[sentenceIndex].tokens
        let scalars = document.scalars
        let infos = UnsafeMutableBufferPointer<WordInfo>.allocate(capacity: tokens.count)
        defer { infos.deallocate() }
        scorer.infos(segmentation, scalars: scalars, into: infos)
        let exclamations = scorer.valences(tokens: tokens, scalars: scalars, infos: UnsafeBufferPointer(infos), range: range, into: values)
        let scored = UnsafeBufferPointer(rebasing: values[range])
        let toward = scorer.score(
            scored, exclamations: exclamations, first: first - range.lowerBound, last: last - range.lowerBound, reach: reach)
        let sentence = scorer.score(scored, exclamations: exclamations)
        return TargetModel.features(lower: lower, range: range, first: first, last: last, toward: toward, sentence: sentence, reach: reach)
    }

    /// Scores within the neutral band are 0; beyond it the scale is stretched back to −1…1.
    func calibrated(_ score: Double) -> Double {
        let magnitude = abs(score)
        guard magnitude > band else { return 0 }
        return (score > 0 ? 1 : -1) * min(1, (magnitude - band) / (1 - band))
    }

    public func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        // The segmentation is read once: each read of the document's takes its lock.
        let segmentation = document.segmentation
        let tokens = segmentation.tokens.count, sentences = segmentation.sentences.count
        // The per-document numbers live in buffers on the stack when they are small (most
        // documents): arrays cost an allocation each, which was a tenth of a sentence's time.
        return withUnsafeTemporaryAllocation(of: WordInfo.self, capacity: tokens) { infos in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: tokens + sentences) { numbers in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: sentences) { exclamations in
                    scorer.infos(segmentation, scalars: document.scalars, into: infos)
                    numbers.initialize(repeating: 0)
                    return extract(
                        document, segmentation, context: context, infos: UnsafeBufferPointer(infos),
                        values: UnsafeMutableBufferPointer(rebasing: numbers[..<tokens]),
                        sentenceScores: UnsafeMutableBufferPointer(rebasing: numbers[tokens...]), exclamations: exclamations)
                }
            }
        }
    }

    /// `infos`: each token's entry; `values` (one per token), `sentenceScores` and
    /// `exclamations` (one per sentence): room for what the rules find, all 0.
    private func extract(
        _ document: AnalyzedDocument, _ segmentation: Segmentation, context: ExtractionContext, infos: UnsafeBufferPointer<WordInfo>,
        values: UnsafeMutableBufferPointer<Double>, sentenceScores: UnsafeMutableBufferPointer<Double>, exclamations: UnsafeMutableBufferPointer<Int>
    ) -> Extraction {
        let tokens = segmentation.tokens
        let scalars = document.scalars
        let sentences = segmentation.sentences
        var words = 0, positive = 0, negative = 0, active = 0, selfGroup = 0
        var annotations: [Annotation] = []
        annotations.reserveCapacity(sentences.count)
        for (number, sentence) in sentences.enumerated() {
            let marks = scorer.valences(tokens: tokens, scalars: scalars, infos: infos, range: sentence.tokens, into: values)
            exclamations[number] = marks
            let score = scorer.score(UnsafeBufferPointer(rebasing: values[sentence.tokens]), exclamations: marks)
            sentenceScores[number] = score
            annotations.append(Annotation(kind: "sentence", start: sentence.start, end: sentence.end, label: "tone", value: ToneAnalyzer.format(score)))
            for index in sentence.tokens where tokens[index].kind == .word {
                words += 1
                // GDELT counts words of clear tone: VADER's near-neutral ratings ("admitted"
                // 0.4) are not counted.
                let value = values[index]
                if value >= ToneAnalyzer.clearTone { positive += 1 } else if value <= -ToneAnalyzer.clearTone { negative += 1 }
                if infos[index].flags.contains(.active) { active += 1 }
                if infos[index].flags.contains(.selfWord) { selfGroup += 1 }
            }
        }
        let wordCount = words
        let percent = { (count: Int) in wordCount == 0 ? 0 : Double(count) * 100 / Double(wordCount) }
        let mean = sentenceScores.isEmpty ? 0 : sentenceScores.reduce(0, +) / Double(sentenceScores.count)
        let tone = Tone(
            score: mean, tone: percent(positive) - percent(negative), positive: percent(positive), negative: percent(negative),
            polarity: percent(positive) + percent(negative), activity: percent(active), selfGroup: percent(selfGroup), words: words)

        /// The tone toward tokens `first…last` of a sentence: the learned model's, or the
        /// rule-based score with the neutral band.
        /// (Out of line: inlined into both of its callers it made the whole function slower.)
        @inline(never) func toward(_ sentence: Int, first: Int, last: Int) -> Double {
            let range = sentences[sentence].tokens
            let rule = scorer.score(
                UnsafeBufferPointer(rebasing: values[range]), exclamations: exclamations[sentence], first: first - range.lowerBound, last: last - range.lowerBound, reach: reach)
            guard !model.isEmpty else { return calibrated(rule) }
            return model.score(infos: infos, range: range, first: first, last: last, toward: rule, sentence: sentenceScores[sentence], reach: reach)
        }
        /// The sentence holding token `index` (the sentences split the tokens between them).
        func sentenceOf(_ index: Int) -> Int {
            var low = 0, high = sentences.count
            while low < high {
                let middle = (low + high) / 2
                if sentences[middle].tokens.upperBound > index { high = middle } else { low = middle + 1 }
            }
            return low
        }
        /// The tokens a code-point span covers (binary search: documents are long).
        func tokenSpan(_ start: Int, _ end: Int) -> (first: Int, last: Int)? {
            var low = 0, high = tokens.count
            while low < high {
                let middle = (low + high) / 2
                if tokens[middle].end > start { high = middle } else { low = middle + 1 }
            }
            guard low < tokens.count, tokens[low].start < end else { return nil }
            var last = low
            while last + 1 < tokens.count, tokens[last + 1].start < end { last += 1 }
            return (low, last)
        }

        // Toward each entity: its mentions' sentences, each weighted around the mention. The
        // mentions are sorted by entity (then place in the text) and read in runs: no hashing.
        // They are read in place (a mention copied is a handful of strings retained).
        let found = context.results.count < 2 ? context.results.first?.value.entities ?? [] : context.results.values.flatMap(\.entities)
        var entityTones: [EntityTone] = []
        if !found.isEmpty {
            found.withUnsafeBufferPointer { found in
                var order = Array(found.indices)
                if order.count > 1 {
                    order.sort { a, b in
                        if found[a].canonical != found[b].canonical { return found[a].canonical < found[b].canonical }
                        if found[a].label != found[b].label { return found[a].label < found[b].label }
                        return (found[a].start, found[a].end) < (found[b].start, found[b].end)
                    }
                }
                var sum = 0.0, scored = 0, runStart = 0
                for (position, index) in order.enumerated() {
                    if let span = tokenSpan(found[index].start, found[index].end), found[index].sentence < sentences.count {
                        sum += toward(found[index].sentence, first: span.first, last: span.last)
                        scored += 1
                    }
                    if position + 1 < order.count {
                        let next = order[position + 1]
                        if found[next].canonical == found[index].canonical && found[next].label == found[index].label { continue }
                    }
                    let score = scored == 0 ? 0 : sum / Double(scored)
                    entityTones.append(EntityTone(canonical: found[index].canonical, label: found[index].label, score: score, mentions: position + 1 - runStart))
                    sum = 0
                    scored = 0
                    runStart = position + 1
                }
            }
        }

        // Toward a requested span: its sentence, weighted around it.
        let targets = context.targets.map { span -> TargetTone in
            guard let found = tokenSpan(span.start, span.end) else { return TargetTone(start: span.start, end: span.end, score: 0) }
            let sentence = sentenceOf(found.first)
            guard sentence < sentences.count else { return TargetTone(start: span.start, end: span.end, score: 0) }
            return TargetTone(start: span.start, end: span.end, score: toward(sentence, first: found.first, last: found.last))
        }
        return Extraction(tone: tone, entityTones: entityTones, targets: targets, annotations: annotations)
    }

    static let clearTone = 0.5

    /// A score with four decimals ("-0.5267"), without Double's slow description.
    static func format(_ value: Double) -> String {
        let scaled = Int((value * 10_000).rounded())
        var magnitude = scaled.magnitude
        // Digits from the right, into a buffer on the stack: a short string costs no allocation.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var position = buffer.count
            func put(_ byte: UInt8) {
                position -= 1
                buffer[position] = byte
            }
            for _ in 0..<4 {
                put(UInt8(truncatingIfNeeded: magnitude % 10) + 0x30)
                magnitude /= 10
            }
            put(0x2E)
            repeat {
                put(UInt8(truncatingIfNeeded: magnitude % 10) + 0x30)
                magnitude /= 10
            } while magnitude > 0
            if scaled < 0 { put(0x2D) }
            return String(decoding: UnsafeMutableBufferPointer(rebasing: buffer[position...]), as: UTF8.self)
        }
    }
}
