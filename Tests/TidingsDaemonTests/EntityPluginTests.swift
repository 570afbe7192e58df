import Foundation
import Testing

@testable import EntitiesPlugin
@testable import TidingsCore
@testable import TidingsPluginKit

/// The entity plugin: golden fixtures (`plugins/entities/Tests/Fixtures/<case>/`: `input.txt`,
/// `meta.json` with the date, `expected.json`), and unit tests of its parts.
/// `TIDINGS_UPDATE_GOLDEN=1 swift test --filter EntityPluginTests` rewrites the expected files.
struct EntityPluginTests {
    static let fixtures = PluginFixtures.fixtures("entities")
    static let extractor = PluginFixtures.entities

    func run(_ text: String, date: String? = nil) throws -> [EntityMention] {
        try EntityPluginTests.extractor.extract(AnalyzedDocument(text: text, date: date), context: ExtractionContext()).entities
    }

    static func golden(_ mention: EntityMention) -> [String: String] {
        var out = ["span": "\(mention.start)-\(mention.end)", "text": mention.text, "label": mention.label, "canonical": mention.canonical]
        if let country = mention.country { out["country"] = country }
        if let actor = mention.actorCode { out["actor"] = actor }
        if let role = mention.role { out["role"] = role }
        return out
    }

    @Test(arguments: ["seed", "titles-and-coreference", "headline-and-organisations"])
    func goldenFixtures(_ name: String) throws {
        let folder = EntityPluginTests.fixtures.appendingPathComponent(name)
        let text = try String(contentsOf: folder.appendingPathComponent("input.txt"), encoding: .utf8)
        let meta = try JSON.parse(Array(try Data(contentsOf: folder.appendingPathComponent("meta.json"))))
        let found = try run(text, date: meta["date"]?.string).map(EntityPluginTests.golden)
        try PluginFixtures.checkGolden(found, in: folder, name: name)
    }

    @Test func theSeedsPeopleCarryTheirRolesAndCodes() throws {
        let text = try String(contentsOf: EntityPluginTests.fixtures.appendingPathComponent("seed/input.txt"), encoding: .utf8)
        let mentions = try run(text, date: "1999-04-05")
        let komura = try #require(mentions.first { $0.text == "Masahiko Komura" })
        // The dictionaries know Komura as JPNGOV only in 2007–08: the phrase gives it here.
        #expect(komura.label == "PER" && komura.actorCode == "JPNGOV" && komura.role == "Foreign Minister" && komura.country == "JPN")
        let yeltsin = try #require(mentions.first { $0.text == "Boris Yeltsin" })
        #expect(yeltsin.actorCode == "RUSGOV" && yeltsin.canonical == "Boris Yeltsin")
        let hashimoto = mentions.filter { $0.canonical == "Ryutaro Hashimoto" }
        #expect(hashimoto.count == 2)  // "former Japanese Prime Minister Ryutaro Hashimoto" … "Hashimoto"
        #expect(hashimoto.first?.actorCode == "JPNELI" && hashimoto.first?.role == "former Prime Minister")
        #expect(mentions.contains { $0.text == "Tokyo" && $0.country == "JPN" && $0.label == "GPE" })
        #expect(mentions.contains { $0.text == "Kuril Islands" && $0.label == "LOC" })
        #expect(mentions.contains { $0.text == "Russian-Japanese" && $0.label == "NORP" })
        #expect(mentions.contains { $0.text == "Kyodo" && $0.label == "ORG" })
    }

    @Test func theTrieFindsTheLongestNameAndCodesByDate() throws {
        let dictionary = ActorDictionary(
            files: [("""
                JAPAN_  [JPN]
                +JAPANESE_
                +TOKYO_
                +KURIL_ISLANDS_
                KEIZO_OBUCHI_  # CountryInfo.txt
                \t[JPNELI 550101-980730]
                \t[JPNGOV 980730-000405]
                UNITED_NATIONS_ [IGOUNO]
                UNITED_NATIONS_SECURITY_COUNCIL_ [IGOUNOSEC]
                """, false)], isTitle: { _ in false })
        let words = ["THE", "UNITED", "NATIONS", "SECURITY", "COUNCIL", "MET"]
        let match = try #require(dictionary.longestMatch(words, from: 1, accept: { _ in true }))
        #expect(match.end == 5)
        #expect(dictionary.actors[match.actor].code(on: nil) == "IGOUNOSEC")
        let obuchi = try #require(dictionary.longestMatch(["KEIZO", "OBUCHI"], from: 0, accept: { _ in true }))
        #expect(obuchi.kind == .person)
        #expect(dictionary.actors[obuchi.actor].code(on: "1999-04-05") == "JPNGOV")
        #expect(dictionary.actors[obuchi.actor].code(on: "1990-01-01") == "JPNELI")
        #expect(dictionary.longestMatch(["JAPANESE"], from: 0, accept: { _ in true })?.kind == .nationality)
        #expect(dictionary.longestMatch(["TOKYO"], from: 0, accept: { _ in true })?.kind == .place)
        #expect(dictionary.longestMatch(["KURIL", "ISLANDS"], from: 0, accept: { _ in true })?.kind == .place)
        #expect(dictionary.surnames["OBUCHI"] == .some(.some(obuchi.actor)))
    }

    @Test func canonicalNamesAreTitleCasedExceptOrganisationAcronyms() throws {
        let dictionary = ActorDictionary(
            files: [("""
                IRAQ_
                	[IRQ <20030320]
                	[IRQOCC 1920030320-20060520]
                	[IRQ >20060520]
                JAPAN_  [JPN]
                """, false), ("NATO_ [IGOWSTNAT]\nHAMAS_ [PSEREBHMS]\n", true)], isTitle: { _ in false })
        func actor(_ words: [String]) throws -> ActorDictionary.Actor {
            let match = try #require(dictionary.longestMatch(words, from: 0, accept: { _ in true }))
            return dictionary.actors[match.actor]
        }
        #expect(try actor(["IRAQ"]).canonical == "Iraq")
        #expect(try actor(["JAPAN"]).canonical == "Japan")
        #expect(try actor(["NATO"]).canonical == "NATO")
        #expect(ActorDictionary.canonical("RYUTARO_HASHIMOTO_") == "Ryutaro Hashimoto")
        // "1920030320" is a typo for 20030320 in the Phoenix files: read as that date, so the
        // occupation code holds only from 2003 to 2006.
        let iraq = try actor(["IRAQ"])
        #expect(iraq.code(on: "2004-06-01") == "IRQOCC")
        #expect(iraq.code(on: "1999-04-05") == "IRQ")
        #expect(iraq.code(on: "2010-01-01") == "IRQ")
    }

    @Test func patternsFindWhatTheDictionariesDoNotKnow() throws {
        let mentions = try run("Officials at the Ministry of Fisheries said Ole Hansen visited Farland. The Orvik Islands were quiet, said Hansen.")
        #expect(mentions.contains { $0.text == "Ministry of Fisheries" && $0.label == "ORG" })
        #expect(mentions.contains { $0.text == "Ole Hansen" && $0.label == "PER" })
        #expect(mentions.contains { $0.text == "Orvik Islands" && $0.label == "LOC" })
        // Later, the surname alone is the same person.
        #expect(mentions.last { $0.text == "Hansen" }?.canonical == "Ole Hansen")
        // Context nouns say what an unknown name is.
        let context = try run("Fighting spread to the town of Veligonda and the Khushab district. The state-run Herald newspaper quoted the group named KindHearts near the Dimona plant.")
        #expect(context.contains { $0.text == "Veligonda" && $0.label == "GPE" })
        #expect(context.contains { $0.text == "Khushab" && $0.label == "LOC" })
        #expect(context.contains { $0.text == "Herald" && $0.label == "ORG" })
        #expect(context.contains { $0.text == "KindHearts" && $0.label == "ORG" })
        #expect(context.contains { $0.text == "Dimona" && $0.label == "LOC" })
        // Nationality words in the plural are peoples too.
        let peoples = try run("Americans and Iraqis met Afghans in Kabul.")
        #expect(peoples.filter { $0.label == "NORP" }.map(\.text) == ["Americans", "Iraqis", "Afghans"])
        #expect(peoples.first { $0.text == "Iraqis" }?.country == "IRQ")
        // Institutions named by one word, and an organisation named again as "the Council".
        let institutions = try run("Congress passed the bill. The Security Council met, and the Council said no.")
        #expect(institutions.contains { $0.text == "Congress" && $0.label == "ORG" })
        #expect(institutions.contains { $0.text == "Council" && $0.label == "ORG" })
        // Numbers and plain capitals are no names; lone unknown words are not guessed.
        let plain = try run("He carried an AK-47 and said GDP fell, Smithers noted.")
        #expect(!plain.contains { ["AK", "GDP", "Smithers"].contains($0.text) })
        // Sentence-initial words that are written in lower case elsewhere are no names.
        let talks = try run("Talks resumed. The talks were long.")
        #expect(!talks.contains { $0.text == "Talks" })
    }

    @Test func capitalHeadlinesOnlyUseTheDictionaries() throws {
        let mentions = try run("RUSSIA SAYS TALKS WITH JAPAN WILL GO ON")
        #expect(mentions.map(\.text) == ["RUSSIA", "JAPAN"])
    }
}
