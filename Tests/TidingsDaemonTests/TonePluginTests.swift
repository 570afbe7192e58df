import Foundation
import Testing

@testable import EntitiesPlugin
@testable import TidingsCore
@testable import TidingsPluginKit
@testable import TonePlugin

/// The tone plugin: golden fixtures (`plugins/tone/Tests/Fixtures/<case>/`: `input.txt`,
/// optional `targets.json`, `expected.json` with every sentence's score, the document's
/// fields, and the tone toward entities and targets), and unit tests of each rule.
/// `TIDINGS_UPDATE_GOLDEN=1 swift test --filter TonePluginTests` rewrites the expected files.
struct TonePluginTests {
    static let data = PluginFixtures.data("tone")
    static let fixtures = PluginFixtures.fixtures("tone")
    static let entities = PluginFixtures.entities
    static let tone: ToneAnalyzer = try! ToneAnalyzer(configuration: try! PluginFixtures.configuration("tone"))
    /// The rules alone: a data folder without the learned target model.
    static let rulesOnly: ToneAnalyzer = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tidings-tone-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["vader_lexicon.txt", "news_additions.txt", "active_words.txt"] {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            try! FileManager.default.copyItem(at: data.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        return try! ToneAnalyzer(configuration: PluginConfiguration(plugin: "tone", dataDirectories: [folder.path]))
    }()

    static func run(_ text: String, targets: [Span] = [], analyzer: ToneAnalyzer = tone) throws -> Extraction {
        let document = AnalyzedDocument(text: text)
        let found = try entities.extract(document, context: ExtractionContext()).entities
        return try analyzer.extract(document, context: ExtractionContext(results: ["entities": Extraction(entities: found)], targets: targets))
    }

    /// Sentence scores, in order.
    static func sentences(_ text: String, analyzer: ToneAnalyzer = rulesOnly) throws -> [Double] {
        try run(text, analyzer: analyzer).annotations.filter { $0.kind == "sentence" }.map { Double($0.value ?? "") ?? .nan }
    }

    @Test(arguments: ["seed", "rules", "targets"])
    func goldenFixtures(_ name: String) throws {
        let folder = TonePluginTests.fixtures.appendingPathComponent(name)
        let text = try String(contentsOf: folder.appendingPathComponent("input.txt"), encoding: .utf8)
        var targets: [Span] = []
        if let data = try? Data(contentsOf: folder.appendingPathComponent("targets.json")), let spans = try JSON.parse(Array(data)).array {
            targets = spans.map { Span(start: Int($0["start"]?.number ?? 0), end: Int($0["end"]?.number ?? 0)) }
        }
        let result = try TonePluginTests.run(text, targets: targets)
        let scalars = Array(text.unicodeScalars)
        func snippet(_ start: Int, _ end: Int) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[start..<min(end, start + 60)])
            return String(view)
        }
        func number(_ value: Double) -> String { String(format: "%.4f", value) }
        var found: [String] = result.annotations.filter { $0.kind == "sentence" }.map { "sentence \($0.value ?? "?")  \(snippet($0.start, $0.end))" }
        if let tone = result.tone {
            found.append("document score \(number(tone.score)) tone \(number(tone.tone)) positive \(number(tone.positive)) negative \(number(tone.negative)) activity \(number(tone.activity)) words \(tone.words)")
        }
        found += result.entityTones.map { "entity \($0.canonical) (\($0.label)) \(number($0.score)) mentions \($0.mentions)" }
        found += result.targets.map { "target \(snippet($0.start, $0.end)) \(number($0.score))" }
        try PluginFixtures.checkGolden(found, in: folder, name: name)
    }

    @Test func theSeedIsBadNewsAsAReaderSeesIt() throws {
        let text = try String(contentsOf: TonePluginTests.fixtures.appendingPathComponent("seed/input.txt"), encoding: .utf8)
        let tone = try #require(try TonePluginTests.run(text).tone)
        // VADER's compound over the whole text is +0.976; the sentences say otherwise.
        #expect(tone.score < 0 && tone.tone < 0, "score \(tone.score), tone \(tone.tone)")
        #expect(tone.score > -1 && tone.words > 400 && tone.activity > 0)
    }

    @Test func negationIntensityContrastAndHedges() throws {
        let s = try TonePluginTests.sentences("""
            The talks were a success. The talks were not a success. The talks were a great success. The talks were a GREAT success!
            The talks went well, but the outcome was a disaster. Although the talks failed, the outcome was good.
            The deal may be a disaster. The deal is a disaster. No doubt it works.
            """)
        #expect(s[0] > 0 && s[1] < 0)  // negation flips
        #expect(s[2] > s[0] && s[3] > s[2])  // a booster, then capitals and "!"
        #expect(s[4] < 0)  // after "but" counts more
        #expect(s[5] > 0)  // the "although" clause counts less
        #expect(s[6] < 0 && s[6] > s[7])  // a hedge damps
        #expect(s[8] >= 0)  // "no doubt" is not negative
    }

    @Test func newsWordsIdiomsSpoilersAndRemedies() throws {
        let s = try TonePluginTests.sentences("""
            Relations took a step back. The talks reached a stalemate. The stalemate could doom hopes of peace and friendship.
            The visit could break the deadlock. Both sides were unable to resolve the dispute. The two sides failed to agree.
            """)
        #expect(s[0] < 0 && s[1] < 0)  // an idiom and a news word VADER lacks
        #expect(s[2] < 0)  // doomed hopes, and what they were hopes of
        #expect(s[3] > 0)  // a deadlock broken is good news
        #expect(s[4] < 0)  // nothing resolved
        #expect(s[5] < 0)  // "failed to agree": no agreement
    }

    @Test func gdeltFieldsCountWordsAsGDELTDoes() throws {
        let tone = try #require(try TonePluginTests.run("We welcomed the great agreement. They attacked the village and killed ten people.").tone)
        #expect(tone.words == 13)
        #expect(tone.positive > 0 && tone.negative > 0 && abs(tone.polarity - (tone.positive + tone.negative)) < 1e-9)
        #expect(abs(tone.tone - (tone.positive - tone.negative)) < 1e-9)
        #expect(tone.activity > 0)  // welcomed, attacked, killed are CAMEO verbs
        #expect(abs(tone.selfGroup - 100.0 / 13) < 1e-9)  // "we"
    }

    @Test func toneTowardEntitiesAndSpansWeighsTheNearestWords() throws {
        let text = "Russia praised Japan for its patience, but China condemned the massacre."
        func span(_ word: String) -> Span {
            let start = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: text.range(of: word)!.lowerBound.samePosition(in: text.unicodeScalars)!)
            return Span(start: start, end: start + word.unicodeScalars.count)
        }
        for analyzer in [TonePluginTests.rulesOnly, TonePluginTests.tone] {
            let result = try TonePluginTests.run(text, targets: [span("Japan"), span("China")], analyzer: analyzer)
            #expect(result.targets.count == 2)
            #expect(result.targets[0].score > result.targets[1].score, "\(result.targets)")
            #expect(result.targets[1].score < 0)
            let japan = try #require(result.entityTones.first { $0.canonical == "Japan" })
            let china = try #require(result.entityTones.first { $0.canonical == "China" })
            #expect(japan.score > china.score && japan.mentions == 1)
        }
    }

    @Test func hugeAndEmptyDocumentsAreScoredOnADispatchThread() throws {
        // The per-document numbers go on the stack only when small: a document of 150,000
        // tokens (and one sentence of 60,000 words) must not overflow a worker thread's stack.
        let sentence = "Talks failed badly. "
        let many = String(repeating: sentence, count: 50_000)
        let long = String(repeating: "the good talks ", count: 20_000)
        let slots = Slots<Extraction?>(count: 4, empty: nil)
        let analyzer = TonePluginTests.tone
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            let text = [many, long, "", sentence][index]
            slots.set(index, try? analyzer.extract(AnalyzedDocument(text: text), context: ExtractionContext()))
        }
        let results = slots.all
        let one = try #require(results[3]?.tone)
        let manyTone = try #require(results[0]?.tone)
        #expect(results[0]?.annotations.count == 50_000)
        #expect(manyTone.words == 150_000 && abs(manyTone.score - one.score) < 1e-9 && one.score < 0)
        let longTone = try #require(results[1]?.tone)
        #expect(results[1]?.annotations.count == 1 && longTone.words == 60_000 && longTone.score > 0)
        let empty = try #require(results[2])
        #expect(empty.tone?.words == 0 && empty.tone?.score == 0 && empty.annotations.isEmpty)
    }

    @Test func aTargetModelIsLearnedAndReadBack() throws {
        var examples: [TargetModelTrainer.Example] = []
        for index in 0..<30 {
            examples.append(.init(text: "Voters praised Smith warmly on day \(index).", start: 14, end: 19, polarity: 1))
            examples.append(.init(text: "Voters blasted Smith angrily on day \(index).", start: 14, end: 19, polarity: -1))
            examples.append(.init(text: "Voters met Smith on day \(index).", start: 11, end: 16, polarity: 0))
        }
        let text = TargetModelTrainer.train(examples, analyzer: TonePluginTests.rulesOnly, epochs: 8)
        let model = try TargetModel(text: text)
        #expect(!model.isEmpty && model.wordIndex["praised"] != nil)
        func predict(_ sentence: String, _ start: Int, _ end: Int) throws -> Double {
            model.score(try #require(TonePluginTests.rulesOnly.targetFeatures(AnalyzedDocument(text: sentence), start: start, end: end)))
        }
        #expect(try predict("Voters praised Smith warmly.", 14, 19) > 0)
        #expect(try predict("Voters blasted Smith angrily.", 14, 19) < 0)
        #expect(try predict("Voters met Smith.", 11, 16) == 0)
        #expect(throws: PluginError.self) { try TargetModel(text: "bias\t1\t2\n") }
        // The line number counts blank lines.
        #expect {
            try TargetModel(text: "# comment\n\nbias\t1\t2\n")
        } throws: { error in (error as? PluginError)?.message.contains("target_model.txt:3:") == true }
        // `model = false`: the rule-based score, as without the file.
        let rules = try ToneAnalyzer(configuration: try PluginFixtures.configuration("tone", "model = false\n"))
        #expect(rules.model.isEmpty && !TonePluginTests.tone.model.isEmpty)
    }

    @Test func badAdditionsNameTheirLine() throws {
        var lexicon = Lexicon()
        #expect(lexicon.loadAdditions("good 2.0 # fine\nbad five\nworse -9\n\n# comment\n") == [2, 3])
        #expect(lexicon.valences["good"] == 2.0)
        #expect(ToneAnalyzer.format(-0.52674) == "-0.5267" && ToneAnalyzer.format(0.05) == "0.0500" && ToneAnalyzer.format(1) == "1.0000")
    }
}
