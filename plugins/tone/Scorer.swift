import TidingsCore

/// Word valences and the word lists the rules need.
struct Lexicon: Sendable {
    /// Lower-case word → valence (−4…4): VADER's ratings, then Tidings' news additions.
    var valences: [String: Double] = [:]
    /// Active words (GDELT's activity reference density).
    var active: Set<String> = []

    /// VADER's `word \t mean \t sd \t ratings` lines (CRLF line ends).
    mutating func loadVader(_ text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count >= 2, let value = Double(fields[1]) { valences[String(fields[0])] = value }
        }
    }

    /// Tidings' additions: `word valence # reason`; a later entry replaces a VADER one.
    /// Returns the lines it could not read.
    @discardableResult
    mutating func loadAdditions(_ text: String) -> [Int] {
        var bad: [Int] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard !fields.isEmpty else { continue }
            guard fields.count == 2, let value = Double(fields[1]), (-4...4).contains(value) else {
                bad.append(number + 1)
                continue
            }
            valences[fields[0].lowercased()] = value
        }
        return bad
    }

    static let negations: Set<String> = [
        "not", "no", "never", "none", "nobody", "nothing", "nowhere", "neither", "nor", "without", "cannot", "rarely", "seldom",
        "aint", "arent", "cant", "couldnt", "didnt", "doesnt", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt",
        "neednt", "shouldnt", "wasnt", "werent", "wont", "wouldnt", "lack", "lacked", "lacks", "lacking",
    ]

    static func isNegation(_ word: String) -> Bool {
        negations.contains(word) || word.hasSuffix("n't") || word.hasSuffix("n’t")
    }

    /// Words that make the next sentiment word stronger or weaker (VADER's ±0.293).
    static let boosters: [String: Double] = {
        var out: [String: Double] = [:]
        for word in [
            "absolutely", "amazingly", "awfully", "completely", "considerably", "decidedly", "deeply", "enormously", "entirely",
            "especially", "exceptionally", "extremely", "fully", "greatly", "highly", "hugely", "incredibly", "intensely", "more",
            "most", "particularly", "purely", "quite", "really", "remarkably", "so", "substantially", "thoroughly", "totally",
            "tremendously", "unbelievably", "unusually", "utterly", "very", "sharply", "severely", "seriously", "gravely", "bitterly",
            "strongly", "deeply", "badly", "heavily", "widely", "fiercely",
        ] { out[word] = 0.293 }
        for word in [
            "almost", "barely", "hardly", "less", "little", "marginally", "occasionally", "partly", "scarcely", "slightly",
            "somewhat", "kinda", "sorta", "modestly", "mildly",
        ] { out[word] = -0.293 }
        return out
    }()

    /// Words that make what follows uncertain: their sentence counts for less.
    static let hedges: Set<String> = [
        "may", "might", "could", "perhaps", "possibly", "probably", "reportedly", "allegedly", "apparently", "seemingly", "seems",
        "seem", "seemed", "likely", "unlikely", "suggests", "suggested", "if", "whether", "unclear", "rumored", "rumoured",
    ]

    /// Words after which the clause carries the sentence ("but", "however").
    static let contrasts: Set<String> = ["but", "however", "yet", "nevertheless", "nonetheless", "still"]
    /// Words whose clause yields to the next one ("although …, …").
    static let concessions: Set<String> = ["although", "though", "despite", "while", "whereas"]

    static let selfWords: Set<String> = ["i", "me", "my", "mine", "we", "us", "our", "ours", "myself", "ourselves"]
}

/// The rules that turn word valences into a sentence's tone, after VADER (Hutto and Gilbert,
/// 2014): negation flips and damps a word (×−0.74) when one of the three words before it
/// negates; boosters and dampeners before a word add or take ±0.293 (less with distance);
/// a word in capitals in a sentence that is not all capitals gains 0.733; after "but" or
/// "however" words count 1.5×, before them 0.5×, and the clause of "although" counts 0.5×;
/// exclamation marks add 0.292 each (up to 4) in the sentence's direction; hedges ("may",
/// "reportedly") damp the words after them (×0.7). The sum becomes a score in −1…1 with
/// VADER's normalisation s/√(s²+α).
struct Scorer: Sendable {
    let lexicon: Lexicon
    /// VADER's α: how fast the score saturates.
    var alpha: Double = 15

    static let negationScalar = -0.74
    static let capsBoost = 0.733
    static let exclamationBoost = 0.292
    static let hedgeScalar = 0.7

    /// Rule-adjusted valences of the tokens of one sentence (0 for words without sentiment),
    /// and the sentence's exclamation marks.
    func valences(_ document: AnalyzedDocument, lower: [String], range: Range<Int>) -> (values: [Double], exclamations: Int) {
        let texts = document.tokenTexts
        var values = [Double](repeating: 0, count: range.count)
        // Shouting only stands out in a sentence that is not all capitals.
        let letters = range.filter { document.tokens[$0].kind == .word }
        let allCaps = !letters.isEmpty && letters.allSatisfy { texts[$0] == texts[$0].uppercased() }
        var contrastAt: Int?
        var concessionEnd: Int?
        var hedgeFrom: Int?
        var exclamations = 0
        for index in range {
            let word = lower[index]
            if word == "!" { exclamations += 1 }
            if Lexicon.contrasts.contains(word), contrastAt == nil, index > range.lowerBound, word != "still" || (index > range.lowerBound && lower[index - 1] == ",") {
                contrastAt = index
            }
            if Lexicon.concessions.contains(word), index == range.lowerBound || lower[index - 1] == "," {
                // "Although X, Y": X runs to the next comma.
                concessionEnd = lower[index..<range.upperBound].firstIndex(of: ",") ?? range.upperBound
            }
            if Lexicon.hedges.contains(word), hedgeFrom == nil { hedgeFrom = index }
            guard var value = lexicon.valences[word], Lexicon.boosters[word] == nil else { continue }
            // "no doubt", "at least": not sentiment here.
            if word == "doubt" || word == "least" || word == "kind" || word == "like" {
                if index > range.lowerBound, ["no", "at", "of", "the"].contains(lower[index - 1]) { continue }
            }
            let text = texts[index]
            if !allCaps, text.count > 1, text == text.uppercased(), text.contains(where: \.isLetter) {
                value += value > 0 ? Scorer.capsBoost : -Scorer.capsBoost
            }
            for distance in 1...3 where index - distance >= range.lowerBound {
                if let boost = Lexicon.boosters[lower[index - distance]] {
                    let scaled = boost * (distance == 1 ? 1 : distance == 2 ? 0.95 : 0.9)
                    value += value > 0 ? scaled : -scaled
                }
            }
            if (1...3).contains(where: { index - $0 >= range.lowerBound && Lexicon.isNegation(lower[index - $0]) }) {
                value *= Scorer.negationScalar
            }
            values[index - range.lowerBound] = value
        }
        for index in range where values[index - range.lowerBound] != 0 {
            var value = values[index - range.lowerBound]
            if let contrastAt { value *= index < contrastAt ? 0.5 : 1.5 }
            if let concessionEnd, index < concessionEnd { value *= 0.5 }
            if let hedgeFrom, index > hedgeFrom { value *= Scorer.hedgeScalar }
            values[index - range.lowerBound] = value
        }
        return (values, exclamations)
    }

    /// VADER's normalisation of a sum into −1…1.
    func normalize(_ sum: Double) -> Double { sum == 0 ? 0 : sum / (sum * sum + alpha).squareRoot() }

    /// A sentence's score: the sum of its adjusted valences, with its exclamation marks.
    func score(_ values: [Double], exclamations: Int, weights: [Double]? = nil) -> Double {
        var sum = 0.0
        for (index, value) in values.enumerated() where value != 0 { sum += value * (weights?[index] ?? 1) }
        if sum != 0 { sum += (sum > 0 ? 1 : -1) * Double(min(exclamations, 4)) * Scorer.exclamationBoost }
        return normalize(sum)
    }
}
