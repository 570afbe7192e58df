import TidingsPluginKit

/// Word valences and the word lists the rules need.
struct Lexicon: Sendable {
    /// Lower-case word → valence (−4…4): VADER's ratings, then Tidings' news additions.
    var valences: [String: Double] = [:]
    /// Active words (GDELT's activity reference density).
    var active: Set<String> = []
    /// Idioms (`took_a_step_back`-style entries, written with `_`), by their last word: the
    /// phrase's valence replaces its words'.
    var idioms: [String: [(words: [String], value: Double)]] = [:]

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
            let name = fields[0].lowercased()
            if name.contains("_") {
                let words = name.split(separator: "_").map(String.init)
                idioms[words.last!, default: []].append((words, value))
            } else {
                valences[name] = value
            }
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

    @inline(__always) static var boost: Double { 0.293 }
    /// Words that make the next sentiment word stronger or weaker (VADER's ±0.293).
    static let boosters: [String: Double] = {
        var out: [String: Double] = [:]
        for word in [
            "absolutely", "amazingly", "awfully", "completely", "considerably", "decidedly", "deeply", "enormously", "entirely",
            "especially", "exceptionally", "extremely", "fully", "greatly", "highly", "hugely", "incredibly", "intensely", "more",
            "most", "particularly", "purely", "quite", "really", "remarkably", "so", "substantially", "thoroughly", "totally",
            "tremendously", "unbelievably", "unusually", "utterly", "very", "sharply", "severely", "seriously", "gravely", "bitterly",
            "strongly", "badly", "heavily", "widely", "fiercely",
        ] { out[word] = boost }
        for word in [
            "almost", "barely", "hardly", "less", "little", "marginally", "occasionally", "partly", "scarcely", "slightly",
            "somewhat", "kinda", "sorta", "modestly", "mildly",
        ] { out[word] = -boost }
        return out
    }()

    /// Words that make what follows uncertain: their sentence counts for less.
    static let hedges: Set<String> = [
        "may", "might", "could", "perhaps", "possibly", "probably", "reportedly", "allegedly", "apparently", "seemingly", "seems",
        "seem", "seemed", "likely", "unlikely", "suggests", "suggested", "if", "whether", "unclear", "rumored", "rumoured", "would",
    ]

    /// Words after which the clause carries the sentence ("but", "however").
    static let contrasts: Set<String> = ["but", "however", "yet", "nevertheless", "nonetheless", "still"]
    /// Words whose clause yields to the next one ("although …, …").
    static let concessions: Set<String> = ["although", "though", "despite", "while", "whereas"]

    /// "failed to resolve", "unable to reconcile": the word after "to" did not happen.
    static let failures: Set<String> = ["fail", "fails", "failed", "unable", "refuse", "refuses", "refused", "decline", "declined", "declines"]

    /// Words that spoil what they act on: "doom hopes", "undermine peace" are bad news.
    static let spoilers: Set<String> = [
        "doom", "dooms", "doomed", "dash", "dashed", "dashes", "undermine", "undermines", "undermined", "jeopardize", "jeopardizes",
        "jeopardized", "jeopardise", "jeopardised", "threaten", "threatens", "threatened", "wreck", "wrecked", "derail", "derailed",
        "ruin", "ruined", "crush", "crushed", "erode", "eroded", "erodes", "damage", "damaged", "damages", "torpedo", "torpedoed",
        "sabotage", "sabotaged", "destroy", "destroyed", "destroys", "kill", "killed", "kills", "shatter", "shattered", "block",
        "blocked", "blocks", "hamper", "hampered", "stall", "stalled", "scuttle", "scuttled", "sink", "sank",
    ]
    /// Words that undo what they act on: "break the deadlock", "end the violence" are good news.
    static let remedies: Set<String> = [
        "end", "ends", "ended", "ending", "stop", "stops", "stopped", "halt", "halted", "ease", "eased", "eases", "resolve", "resolved",
        "resolves", "resolving", "settle", "settled", "settling", "defuse", "defused", "avert", "averted", "overcome", "overcame",
        "break", "broke", "curb", "curbed", "reduce", "reduced", "lift", "lifted", "lifting", "fight", "fighting", "combat",
        "tackle", "tackled", "prevent", "prevented", "counter", "solve", "solved",
    ]

    static let selfWords: Set<String> = ["i", "me", "my", "mine", "we", "us", "our", "ours", "myself", "ourselves"]
}

/// Everything the rules and the target model know about one word. The plugin's words live in
/// one ``WordTable``; each token's entry is found with one lookup (the rules ask up to ten
/// questions of each word, and string hashing and lower-casing were most of the plugin's time).
struct WordInfo: Sendable {
    /// VADER's valence, or 0 without one (then `flags` lacks `.rated`).
    var rating: Double = 0
    var flags: Flags = []
    /// Index of the word's weights in the target model, or −1.
    var model: Int32 = -1
    /// The word's id in the plugin's ``WordTable``, or −1 for a word it lacks.
    var id: Int32 = -1

    struct Flags: OptionSet, Sendable {
        let rawValue: UInt32
        static let negation = Flags(rawValue: 1 << 0)
        static let hedge = Flags(rawValue: 1 << 1)
        static let contrast = Flags(rawValue: 1 << 2)
        static let concession = Flags(rawValue: 1 << 3)
        static let spoiler = Flags(rawValue: 1 << 4)
        static let remedy = Flags(rawValue: 1 << 5)
        static let failure = Flags(rawValue: 1 << 6)
        static let active = Flags(rawValue: 1 << 7)
        static let selfWord = Flags(rawValue: 1 << 8)
        static let idiomEnd = Flags(rawValue: 1 << 9)
        // The function words the rules look for.
        /// "!"
        static let exclamation = Flags(rawValue: 1 << 10)
        /// ","
        static let comma = Flags(rawValue: 1 << 11)
        /// "still" contrasts only after a comma ("…, still, …"), not in "still hopes".
        static let still = Flags(rawValue: 1 << 12)
        /// "to": "failed to resolve".
        static let to = Flags(rawValue: 1 << 13)
        /// "doubt", "least", "kind", "like": no sentiment after one of ``setPhrasePrefix``.
        static let setPhraseEnd = Flags(rawValue: 1 << 14)
        /// "no", "at", "of", "the": "no doubt", "at least", "kind of", "the like".
        static let setPhrasePrefix = Flags(rawValue: 1 << 15)
        /// "that", "of", "for": what follows a spoiled word is spoiled too ("doom hopes that …").
        static let clauseLink = Flags(rawValue: 1 << 16)
        /// ";", ":": where a spoiled clause ends.
        static let clauseBreak = Flags(rawValue: 1 << 17)
        /// Words a spoiler or remedy reaches over: "the", "its", "current" ("end the current deadlock").
        static let determiner = Flags(rawValue: 1 << 18)
        /// It has a valence.
        static let rated = Flags(rawValue: 1 << 19)
        /// A booster (+0.293) or a dampener (−0.293).
        static let booster = Flags(rawValue: 1 << 20)
        static let dampener = Flags(rawValue: 1 << 21)
    }

    /// Its valence, if rated.
    var valence: Double? {
        get { flags.contains(.rated) ? rating : nil }
        set {
            rating = newValue ?? 0
            if newValue == nil { flags.remove(.rated) } else { flags.insert(.rated) }
        }
    }

    /// What it adds to the next sentiment word: ±0.293 (VADER's), or 0.
    @inline(__always) var booster: Double {
        flags.contains(.booster) ? Lexicon.boost : flags.contains(.dampener) ? -Lexicon.boost : 0
    }

    static let none = WordInfo()
}

extension Lexicon {
    static let functionWords: [(String, WordInfo.Flags)] = [
        ("!", .exclamation), (",", .comma), ("still", .still), ("to", .to), (";", .clauseBreak), (":", .clauseBreak),
    ] + ["doubt", "least", "kind", "like"].map { ($0, .setPhraseEnd) } + ["no", "at", "of", "the"].map { ($0, .setPhrasePrefix) }
        + ["that", "of", "for"].map { ($0, .clauseLink) }
        + ["the", "a", "an", "its", "their", "his", "her", "any", "all", "current", "ongoing", "long-standing", "territorial"].map {
            ($0, .determiner)
        }

    /// The word table: every word any list or the model knows, with its entry.
    func table(modelWords: [String: Int32]) -> (words: WordTable, infos: [WordInfo], idioms: [Int32: [(words: [Int32], value: Double)]]) {
        var words = WordTable()
        var infos: [WordInfo] = []
        func update(_ word: String, _ change: (inout WordInfo) -> Void) {
            let id = words.insert(word)
            if Int(id) == infos.count { infos.append(WordInfo(id: id)) }
            change(&infos[Int(id)])
        }
        for (word, value) in valences { update(word) { $0.valence = value } }
        for (word, value) in Lexicon.boosters { update(word) { $0.flags.insert(value > 0 ? .booster : .dampener) } }
        let lists: [(Set<String>, WordInfo.Flags)] = [
            (Lexicon.negations, .negation), (Lexicon.hedges, .hedge), (Lexicon.contrasts, .contrast), (Lexicon.concessions, .concession),
            (Lexicon.spoilers, .spoiler), (Lexicon.remedies, .remedy), (Lexicon.failures, .failure), (active, .active),
            (Lexicon.selfWords, .selfWord), (Set(idioms.keys), .idiomEnd),
        ]
        for (list, flag) in lists { for word in list { update(word) { $0.flags.insert(flag) } } }
        for (word, flag) in Lexicon.functionWords { update(word) { $0.flags.insert(flag) } }
        for (word, index) in modelWords { update(word) { $0.model = index } }
        for id in 0..<Int32(words.count) where Lexicon.isNegation(words.word(id)) { infos[Int(id)].flags.insert(.negation) }
        // Idioms by the id of their last word; every word of an idiom gets an id.
        var byLast: [Int32: [(words: [Int32], value: Double)]] = [:]
        for (last, entries) in idioms {
            let lastID = words.id(last)!
            for entry in entries {
                let ids = entry.words.map { word -> Int32 in
                    let id = words.insert(word)
                    if Int(id) == infos.count { infos.append(WordInfo(id: id)) }
                    return id
                }
                byLast[lastID, default: []].append((ids, entry.value))
            }
        }
        return (words, infos, byLast)
    }
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
    /// The words the lexicon, the word lists and the model know.
    let words: WordTable
    /// Each word's entry, by its id in `words`.
    let wordInfos: [WordInfo]
    /// Idioms (`took_a_step_back`), by the id of their last word.
    let idioms: [Int32: [(words: [Int32], value: Double)]]

    init(lexicon: Lexicon, modelWords: [String: Int32]) {
        (words, wordInfos, idioms) = lexicon.table(modelWords: modelWords)
    }

    /// The entry of each token of the document (one table lookup each, on the code points);
    /// words the table lacks that end in "n't" are negations.
    /// (Into a buffer, not an array: a new array of a type of this module costs a runtime
    /// type lookup that takes longer than a sentence's lookups.)
    func infos(_ segmentation: Segmentation, scalars: [Unicode.Scalar], into out: UnsafeMutableBufferPointer<WordInfo>) {
        let tokens = segmentation.tokens
        precondition(out.count >= tokens.count, "one entry per token")
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: tokens.count) { ids in
            words.ids(scalars, segmentation, into: ids)
            wordInfos.withUnsafeBufferPointer { wordInfos in
                for index in 0..<tokens.count {
                    let id = ids[index]
                    if id >= 0 {
                        out.initializeElement(at: index, to: wordInfos[Int(id)])
                    } else {
                        let token = tokens[index]
                        out.initializeElement(at: index, to: Scorer.endsInNot(scalars, token.start..<token.end) ? WordInfo(flags: .negation) : .none)
                    }
                }
            }
        }
    }

    /// "didn't", "couldn’t".
    static func endsInNot(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> Bool {
        guard range.count >= 3 else { return false }
        let end = range.upperBound
        return (scalars[end - 1] == "t" || scalars[end - 1] == "T") && (scalars[end - 2] == "'" || scalars[end - 2] == "\u{2019}")
            && (scalars[end - 3] == "n" || scalars[end - 3] == "N")
    }

    /// VADER's α: how fast the score saturates.
    var alpha: Double = 15

    static let negationScalar = -0.74
    static let capsBoost = 0.733
    static let exclamationBoost = 0.292
    static let hedgeScalar = 0.7

    /// Rule-adjusted valences of the tokens `range` of one sentence, written to `values` at
    /// the tokens' indices (left 0 for words without sentiment; `values` holds one number per
    /// token of the document, all 0 on `range`), and the sentence's exclamation marks.
    func valences(tokens: [Token], scalars: [Unicode.Scalar], infos: UnsafeBufferPointer<WordInfo>, range: Range<Int>, into values: UnsafeMutableBufferPointer<Double>) -> Int {
        // Shouting only stands out in a sentence that is not all capitals.
        var sawWord = false, allCaps = true
        for index in range where tokens[index].kind == .word {
            sawWord = true
            if !Scorer.isCapitals(scalars, tokens[index].start..<tokens[index].end) {
                allCaps = false
                break
            }
        }
        allCaps = allCaps && sawWord
        var contrastAt: Int?
        var concessionEnd: Int?
        var hedges: [Int] = []
        var exclamations = 0
        var actedOn: [Int] = []
        var spoiledFrom: Int?
        var spoiledUntil = range.upperBound
        // What the rules act on at a token; the other flags (",", "to", "the", …) count only
        // when a rule looks back from a word.
        let actsHere: WordInfo.Flags = [.exclamation, .contrast, .concession, .hedge, .idiomEnd, .rated]
        for index in range {
            let info = infos[index]
            let flags = info.flags
            if flags.isDisjoint(with: actsHere) { continue }
            if flags.contains(.exclamation) { exclamations += 1 }
            if flags.contains(.contrast), contrastAt == nil, index > range.lowerBound, !flags.contains(.still) || infos[index - 1].flags.contains(.comma) {
                contrastAt = index
            }
            if flags.contains(.concession), index == range.lowerBound || infos[index - 1].flags.contains(.comma) {
                // "Although X, Y": X runs to the next comma.
                concessionEnd = (index..<range.upperBound).first { infos[$0].flags.contains(.comma) } ?? range.upperBound
            }
            if flags.contains(.hedge) { hedges.append(index) }
            var idiom: Double?
            if flags.contains(.idiomEnd) {
                for entry in idioms[info.id] ?? [] where index - entry.words.count + 1 >= range.lowerBound {
                    let start = index - entry.words.count + 1
                    if (start...index).map({ infos[$0].id }).elementsEqual(entry.words) {
                        idiom = entry.value
                        for earlier in start..<index { values[earlier] = 0 }
                        break
                    }
                }
            }
            guard var value = idiom ?? info.valence, idiom != nil || info.booster == 0 else { continue }
            // "no doubt", "at least": not sentiment here.
            if flags.contains(.setPhraseEnd), index > range.lowerBound, infos[index - 1].flags.contains(.setPhrasePrefix) {
                values[index - 1] = 0  // nor is the "no" of "no doubt"
                continue
            }
            let token = tokens[index]
            if !allCaps, token.end - token.start > 1, token.kind == .word, Scorer.isCapitals(scalars, token.start..<token.end) {
                value += value > 0 ? Scorer.capsBoost : -Scorer.capsBoost
            }
            for distance in 1...3 where index - distance >= range.lowerBound {
                let boost = infos[index - distance].booster
                if boost != 0 {
                    let scaled = boost * (distance == 1 ? 1 : distance == 2 ? 0.95 : 0.9)
                    value += value > 0 ? scaled : -scaled
                }
            }
            if (1...3).contains(where: { index - $0 >= range.lowerBound && infos[index - $0].flags.contains(.negation) }) {
                value *= Scorer.negationScalar
            } else if (1...3).contains(where: { distance in
                index - distance - 1 >= range.lowerBound && infos[index - distance].flags.contains(.to) && infos[index - distance - 1].flags.contains(.failure)
            }) {
                value *= Scorer.negationScalar
            }
            // "doom hopes": the hopes are bad news; "break the deadlock": good news. The acting
            // word itself no longer counts on its own.
            if let actor = Scorer.actingWord(before: index, tokens: tokens, scalars: scalars, infos: infos, in: range) {
                if value > 0 && infos[actor].flags.contains(.spoiler) || value < 0 && infos[actor].flags.contains(.remedy) {
                    value *= Scorer.negationScalar
                    actedOn.append(actor)
                    // "doom hopes that they might sign a peace treaty": what was hoped for is
                    // spoiled too, to the end of the clause.
                    if value < 0, index + 1 < range.upperBound, infos[index + 1].flags.contains(.clauseLink) {
                        spoiledFrom = index + 1
                        spoiledUntil = ((index + 1)..<range.upperBound).first { infos[$0].flags.contains(.clauseBreak) } ?? range.upperBound
                    }
                }
            }
            values[index] = value
        }
        for actor in actedOn { values[actor] = 0 }
        for index in range where values[index] != 0 {
            var value = values[index]
            if let contrastAt { value *= index < contrastAt ? 0.5 : 1.5 }
            if let concessionEnd, index < concessionEnd { value *= 0.5 }
            // Each hedge before a word damps it again: "could … might sign".
            for hedge in hedges where hedge < index { value *= Scorer.hedgeScalar }
            if let spoiledFrom, index > spoiledFrom, index < spoiledUntil { value *= Scorer.negationScalar }
            values[index] = value
        }
        return exclamations
    }

    /// The spoiler or remedy acting on the word at `index`: the word before it, over "the",
    /// "a", "its", "their", "any", and one adjective-like word ("the current deadlock").
    static func actingWord(before index: Int, tokens: [Token], scalars: [Unicode.Scalar], infos: UnsafeBufferPointer<WordInfo>, in range: Range<Int>) -> Int? {
        var position = index - 1
        var skipped = 0
        while position >= range.lowerBound, skipped < 3 {
            let flags = infos[position].flags
            if !flags.isDisjoint(with: [.spoiler, .remedy]) { return position }
            guard flags.contains(.determiner) || skipped == 0 && isLettersOrHyphens(scalars, tokens[position]) else { return nil }
            skipped += 1
            position -= 1
        }
        return nil
    }

    /// A token of letters and hyphens only.
    static func isLettersOrHyphens(_ scalars: [Unicode.Scalar], _ token: Token) -> Bool {
        (token.start..<token.end).allSatisfy { position in
            let value = scalars[position].value
            if value < 0x80 { return (value | 0x20) &- 0x61 < 26 || value == 0x2D }
            return scalars[position].properties.isAlphabetic
        }
    }

    /// No lower-case letter in the code points `range` (no string is made).
    static func isCapitals(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> Bool {
        for position in range {
            let value = scalars[position].value
            if value < 0x80 {
                if value &- 0x61 < 26 { return false }
            } else if scalars[position].properties.isLowercase {
                return false
            }
        }
        return true
    }

    /// VADER's normalisation of a sum into −1…1.
    func normalize(_ sum: Double) -> Double { sum == 0 ? 0 : sum / (sum * sum + alpha).squareRoot() }

    /// A sentence's score: the sum of its adjusted valences, with its exclamation marks.
    func score(_ values: UnsafeBufferPointer<Double>, exclamations: Int) -> Double {
        // Every value, zeros too: adding +0 leaves a sum as it is, and a loop without a
        // branch is faster.
        var sum = 0.0
        for value in values { sum += value }
        return finish(sum, exclamations: exclamations)
    }

    /// The score toward a target at offsets `first…last` of the sentence's values: each word
    /// weighted 1/(1 + (d−1)/decay) by its distance d, nothing past `window`.
    func score(_ values: UnsafeBufferPointer<Double>, exclamations: Int, first: Int, last: Int, reach: Reach) -> Double {
        var sum = 0.0
        for (offset, value) in values.enumerated() where value != 0 {
            let distance = offset < first ? first - offset : (offset > last ? offset - last : 0)
            guard distance <= reach.window else { continue }
            sum += value / reach.divisors[distance]
        }
        return finish(sum, exclamations: exclamations)
    }

    private func finish(_ sum: Double, exclamations: Int) -> Double {
        var sum = sum
        if sum != 0 { sum += (sum > 0 ? 1 : -1) * Double(min(exclamations, 4)) * Scorer.exclamationBoost }
        return normalize(sum)
    }
}

/// How much a word counts toward a target by its distance d in words: 1/(1 + (d−1)/decay),
/// nothing past `window`. Worked out once for every distance, not twice per word.
struct Reach: Sendable {
    let window: Int
    /// 1 + max(0, d−1)/decay, for d in 0…window.
    let divisors: [Double]
    /// 1/divisors[d].
    let weights: [Double]

    init(window: Int, decay: Double) {
        self.window = window
        divisors = (0...window).map { 1 + Double(max(0, $0 - 1)) / decay }
        weights = divisors.map { 1 / $0 }
    }
}
