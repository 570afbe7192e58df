import TidingsPluginKit

/// Tone toward a target (an entity's mention, a requested span) as a three-way choice —
/// negative, neutral, positive — by a linear model over the rule-based scores and the words
/// around the target, each weighted by its distance. Its weights are learned from NewsMTSC's
/// training sentences by `tidingsd train-tone` and ship as `target_model.txt`; without that
/// file, the rule-based score is used alone.
struct TargetModel: Sendable {
    typealias Vector = (Double, Double, Double)
    /// Feature → weights for (negative, neutral, positive).
    var weights: [String: Vector] = [:]
    /// The word features' weights by word, for scoring without building feature names: word
    /// `i`'s twelve numbers start at `12 i`, three each (negative, neutral, positive) for the
    /// word as itself (`w:`), after a negation (`n:`), left (`l:`) and right (`r:`) of the
    /// target. A feature the model lacks weighs 0.
    var wordWeights: [Double] = []
    static let plain = 0, negated = 3, left = 6, right = 9
    /// The weights of the features that are not words, looked up once.
    var bias, rule, rulePositive, ruleNegative, sentence: Vector?
    /// Word → index in `words` (merged into the tone plugin's word table).
    var wordIndex: [String: Int32] = [:]

    /// `feature \t negative \t neutral \t positive` lines after `#` comments.
    init(text: String) throws {
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty && !line.hasPrefix("#") {
            let fields = line.split(separator: "\t")
            guard fields.count == 4, let a = Double(fields[1]), let b = Double(fields[2]), let c = Double(fields[3]) else {
                throw PluginError("target_model.txt:\(number + 1): expected `feature\\tnegative\\tneutral\\tpositive`")
            }
            let name = String(fields[0])
            weights[name] = (a, b, c)
            switch name {
            case "bias": bias = (a, b, c)
            case "rule": rule = (a, b, c)
            case "rule+": rulePositive = (a, b, c)
            case "rule-": ruleNegative = (a, b, c)
            case "sentence": sentence = (a, b, c)
            default: break
            }
            if name.count > 2, name.dropFirst().first == ":" {
                let word = String(name.dropFirst(2))
                let index: Int
                if let known = wordIndex[word] {
                    index = Int(known)
                } else {
                    index = wordIndex.count
                    wordIndex[word] = Int32(index)
                    wordWeights.append(contentsOf: repeatElement(0, count: 12))
                }
                let kind: Int? = switch name.first {
                case "w": TargetModel.plain
                case "n": TargetModel.negated
                case "l": TargetModel.left
                case "r": TargetModel.right
                default: nil
                }
                if let kind {
                    wordWeights[12 * index + kind] = a
                    wordWeights[12 * index + kind + 1] = b
                    wordWeights[12 * index + kind + 2] = c
                }
            }
        }
    }

    /// The score for a target at tokens `first…last`, computed as `score(features(…))` is but
    /// without building the features (the daemon's path; training uses `features`).
    func score(infos: UnsafeBufferPointer<WordInfo>, range: Range<Int>, first: Int, last: Int, toward: Double, sentence: Double, reach: Reach) -> Double {
        var z = (0.0, 0.0, 0.0)
        func add(_ w: Vector?, _ value: Double) {
            guard let w else { return }
            z.0 += w.0 * value
            z.1 += w.1 * value
            z.2 += w.2 * value
        }
        add(bias, 1)
        add(rule, toward)
        add(rulePositive, max(toward, 0))
        add(ruleNegative, max(-toward, 0))
        add(self.sentence, sentence)
        let low = max(range.lowerBound, first - reach.window), high = min(range.upperBound - 1, last + reach.window)
        guard low <= high else { return TargetModel.decide(z) }
        wordWeights.withUnsafeBufferPointer { weights in
            // A word is negated when one of the three tokens before it (in the sentence) is a
            // negation: the last negation seen is carried along, not looked for at each word.
            var lastNegation = low - 4
            for index in max(range.lowerBound, low - 3)..<low where infos[index].flags.contains(.negation) { lastNegation = index }
            for index in low...high {
                let info = infos[index]
                defer { if info.flags.contains(.negation) { lastNegation = index } }
                guard index < first || index > last else { continue }
                let slot = Int(info.model)
                guard slot >= 0 else { continue }
                let distance = index < first ? first - index : index - last
                let weight = reach.weights[distance]
                let negated = index - lastNegation <= 3
                let base = 12 * slot
                let own = base + (negated ? TargetModel.negated : TargetModel.plain)
                let side = base + (index < first ? TargetModel.left : TargetModel.right)
                // The word's own weight, then its side's (a weight the model lacks adds 0).
                z.0 += weights[own] * weight
                z.1 += weights[own + 1] * weight
                z.2 += weights[own + 2] * weight
                z.0 += weights[side] * weight
                z.1 += weights[side + 1] * weight
                z.2 += weights[side + 2] * weight
            }
        }
        return TargetModel.decide(z)
    }

    /// 0 when neutral is likeliest, else P(positive) − P(negative).
    static func decide(_ z: Vector) -> Double {
        if z.1 >= z.0 && z.1 >= z.2 { return 0 }
        let top = max(z.0, z.2)
        let e = (Math.exp(z.0 - top), Math.exp(z.1 - top), Math.exp(z.2 - top))
        let sum = e.0 + e.1 + e.2
        return (e.2 - e.0) / sum
    }

    init() {}

    /// The features of a target at tokens `first…last` of a sentence: the rule-based scores
    /// (toward the target and for the whole sentence), and each other token of the sentence
    /// within `window`, weighted 1/(1 + (d−1)/decay) by its distance d, marked when a negation
    /// stands in the three tokens before it.
    static func features(
        lower: [String], range: Range<Int>, first: Int, last: Int, toward: Double, sentence: Double, reach: Reach
    ) -> [String: Double] {
        var out: [String: Double] = ["bias": 1, "rule": toward, "rule+": max(toward, 0), "rule-": max(-toward, 0), "sentence": sentence]
        for index in range where index < first || index > last {
            let distance = index < first ? first - index : index - last
            guard distance <= reach.window else { continue }
            let weight = reach.weights[distance]
            let negated = (1...3).contains { index - $0 >= range.lowerBound && Lexicon.isNegation(lower[index - $0]) }
            let key = (negated ? "n:" : "w:") + lower[index]
            out[key, default: 0] += weight
            // Which side of the target a word is on matters too ("X criticised Y").
            out[(index < first ? "l:" : "r:") + lower[index], default: 0] += weight
        }
        return out
    }

    /// The tone: 0 when neutral is likeliest, else P(positive) − P(negative).
    func score(_ features: [String: Double]) -> Double {
        var z = (0.0, 0.0, 0.0)
        for (name, value) in features {
            guard let w = weights[name] else { continue }
            z.0 += w.0 * value
            z.1 += w.1 * value
            z.2 += w.2 * value
        }
        return TargetModel.decide(z)
    }

    var isEmpty: Bool { weights.isEmpty }
}

/// Learns a `TargetModel`: multinomial logistic regression by stochastic gradient descent
/// with L2 regularisation, in a fixed order (the result is the same on every run).
public enum TargetModelTrainer {
    public struct Example: Sendable {
        public var text: String
        public var start: Int
        public var end: Int
        /// −1, 0 or 1.
        public var polarity: Int

        public init(text: String, start: Int, end: Int, polarity: Int) {
            self.text = text
            self.start = start
            self.end = end
            self.polarity = polarity
        }
    }

    /// Trains on `examples` with the tone plugin's lexicon and settings and returns the
    /// model file's text. Words seen fewer than `minCount` times are left out.
    public static func train(_ examples: [Example], analyzer: ToneAnalyzer, epochs: Int = 12, minCount: Int = 2, l2: Double = 1e-4) -> String {
        // Features in name order: sums come out the same on every run (a dictionary's order
        // changes from process to process).
        let rows: [(features: [(String, Double)], label: Int)] = examples.compactMap { example in
            let document = AnalyzedDocument(text: example.text)
            guard let features = analyzer.targetFeatures(document, start: example.start, end: example.end) else { return nil }
            return (features.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, example.polarity + 1)
        }
        var counts: [String: Int] = [:]
        for row in rows { for (name, _) in row.features { counts[name, default: 0] += 1 } }
        let kept = Set(counts.filter { $0.value >= minCount || !$0.key.contains(":") }.keys)
        var weights: [String: [Double]] = [:]
        for name in kept { weights[name] = [0, 0, 0] }
        // A fixed shuffle: a linear congruential sequence over the rows.
        var order = Array(rows.indices)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in stride(from: order.count - 1, to: 0, by: -1) {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            order.swapAt(index, Int(seed >> 33) % (index + 1))
        }
        for epoch in 0..<epochs {
            let rate = 0.2 / (1 + Double(epoch) * 0.5)
            for index in order {
                let (features, label) = rows[index]
                var z = [0.0, 0.0, 0.0]
                for (name, value) in features {
                    guard let w = weights[name] else { continue }
                    for k in 0..<3 { z[k] += w[k] * value }
                }
                let top = z.max()!
                let e = z.map { Math.exp($0 - top) }
                let sum = e.reduce(0, +)
                for (name, value) in features {
                    guard var w = weights[name] else { continue }
                    for k in 0..<3 {
                        let gradient = (e[k] / sum - (k == label ? 1 : 0)) * value
                        w[k] -= rate * (gradient + l2 * w[k])
                    }
                    weights[name] = w
                }
            }
        }
        var out = "# Tone toward a target: weights (negative, neutral, positive) learned by `tidingsd train-tone` from\n"
        out += "# \(rows.count) NewsMTSC training sentences (MIT; Hamborg and Donnay 2021), \(epochs) epochs, L2 \(l2).\n"
        for name in weights.keys.sorted() {
            let w = weights[name]!
            guard w.contains(where: { abs($0) >= 1e-4 }) else { continue }
            out += "\(name)\t\(round4(w[0]))\t\(round4(w[1]))\t\(round4(w[2]))\n"
        }
        return out
    }

    static func round4(_ value: Double) -> String { String((value * 10_000).rounded() / 10_000) }
}
