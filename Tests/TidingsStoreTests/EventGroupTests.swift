import Foundation
import TestSupport
import Testing

@testable import TidingsCore
@testable import TidingsPluginKit
@testable import TidingsStore

/// GDELT-style event groups: one real-world event reported by many articles and sources, and
/// its export formats.
struct EventGroupTests {
    /// Three documents of one day: two from one source, one from another.
    func store(_ dir: TempDirectory) throws -> Store {
        let store = try Store(path: dir.file("t.db"))
        let a = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "a", url: "https://a.example/f", interval: 60), origin: .admin, now: Date())
        }
        let b = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "b", url: "https://b.example/f", interval: 60), origin: .admin, now: Date())
        }
        func document(_ source: Source, _ n: Int) -> Document {
            Document(sourceID: source.id, url: "https://x.example/\(n)", guid: nil, title: "story \(n)", author: nil,
                     published: Timestamps.parse("1999-04-05"), text: "Japan, Russia and talks, story \(n).")
        }
        let fromA = record(a.id, [document(a, 1), document(a, 2)]), fromB = record(b.id, [document(b, 3)])
        let first = try store.writeSync { db in try db.record(fromA, now: Date()) }
        let second = try store.writeSync { db in try db.record(fromB, now: Date()) }
        let ids = first.newDocuments.map(\.id) + second.newDocuments.map(\.id)
        func extraction(_ events: [CodedEvent], tone: Double) -> StoredExtraction {
            StoredExtraction(
                plugin: "events", version: "1", status: "ok", error: nil, durationMs: 1,
                extraction: Extraction(
                    events: events, tone: Tone(score: 0, tone: tone, positive: 0, negative: 0, polarity: 0, activity: 0, selfGroup: 0, words: 5)))
        }
        func talks(_ sentence: Int) -> CodedEvent {
            CodedEvent(source: "RUSGOV", target: "JPNGOV", sourceName: "Russia", targetName: "Japan", code: "046", quadClass: 1, goldstein: 7,
                       sentence: sentence, start: 0, end: 5)
        }
        let other = CodedEvent(source: "JPN", target: "RUS", code: "111", quadClass: 3, goldstein: -2, sentence: 1, start: 0, end: 5)
        let items: [(documentID: Int64, results: [StoredExtraction])] = [
            (ids[0], [extraction([talks(0), talks(2)], tone: -2)]),
            (ids[1], [extraction([talks(1), other], tone: 4)]),
            (ids[2], [extraction([talks(3)], tone: 1)]),
        ]
        _ = try store.writeSync { db in try db.saveExtractions(items, now: Date()) }
        return store
    }

    @Test func oneEventReportedManyTimesIsOneGroupWithGDELTsCounts() throws {
        let dir = TempDirectory()
        let store = try store(dir)
        let reader = try StoreReader(path: dir.file("t.db"))
        let groups = try reader.connection.eventGroups(EventFilter())
        #expect(groups.count == 2)
        let talks = try #require(groups.first { $0.code == "046" })
        #expect(talks.date == "1999-04-05" && talks.mentions == 4 && talks.articles == 3 && talks.sources == 2)
        #expect(abs((talks.meanTone ?? 99) - 1) < 1e-9)  // (-2 + 4 + 1) / 3
        #expect(talks.inLead && talks.goldstein == 7 && talks.sourceName == "Russia")
        // Filters: actor prefix on either side, code prefix, quad class, date.
        #expect(try reader.connection.eventGroups(EventFilter(actor: "JPN")).count == 2)
        #expect(try reader.connection.eventGroups(EventFilter(actor: "JPNGOV")).map(\.code) == ["046"])
        #expect(try reader.connection.eventGroups(EventFilter(code: "11")).map(\.code) == ["111"])
        #expect(try reader.connection.eventGroups(EventFilter(quadClass: 3)).map(\.code) == ["111"])
        #expect(try reader.connection.eventGroups(EventFilter(since: "1999-04-06")).isEmpty)
        #expect(try reader.connection.events(EventFilter(code: "046")).count == 4)
        store.close()
    }

    @Test func exportsWriteGDELTColumnsCSVAndJSONLines() throws {
        let group = EventGroup(
            eventID: 7, date: "1999-04-05", sourceActor: "JPNGOV", sourceName: "Keizo Obuchi", targetActor: "RUS", targetName: "Moscow, Russia",
            code: "036", root: "03", quadClass: 1, goldstein: 4, mentions: 3, articles: 2, sources: 2, meanTone: -1.25, inLead: true,
            firstDocumentID: 1, url: "https://x.example/1", fetchedAt: "1999-04-05T10:11:12Z")
        let fields = EventExport.gdelt(group).split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        #expect(fields.count == EventExport.gdeltColumns.count && fields.count == 61)
        func column(_ name: String) -> String { fields[EventExport.gdeltColumns.firstIndex(of: name)!] }
        #expect(column("SQLDATE") == "19990405" && column("MonthYear") == "199904" && column("Year") == "1999")
        #expect(column("Actor1Code") == "JPNGOV" && column("Actor1CountryCode") == "JPN" && column("Actor1Type1Code") == "GOV")
        #expect(column("Actor1Name") == "KEIZO OBUCHI" && column("Actor2CountryCode") == "RUS" && column("Actor2Type1Code") == "")
        #expect(column("IsRootEvent") == "1" && column("EventCode") == "036" && column("EventBaseCode") == "036" && column("EventRootCode") == "03")
        #expect(column("QuadClass") == "1" && column("GoldsteinScale") == "4" && column("NumMentions") == "3")
        #expect(column("NumSources") == "2" && column("NumArticles") == "2" && column("AvgTone") == "-1.2500")
        #expect(column("DATEADDED") == "19990405101112" && column("SOURCEURL") == "https://x.example/1" && column("ActionGeo_Type") == "")
        #expect(EventExport.type1("IGOUNOMIL") == "IGO" && EventExport.country("IGOUNOMIL") == "" && EventExport.type1("---OPP") == "OPP")
        // Without a date the date fields stay empty.
        var undated = group
        undated.date = nil
        let empty = EventExport.gdelt(undated).split(separator: "\t", omittingEmptySubsequences: false)
        #expect(empty.count == 61 && empty[1...4].allSatisfy(\.isEmpty))
        #expect(column("FractionDate") == String(format: "%.4f", 1999 + Double(4 * 30 + 5) / 365))
        // CSV quotes the comma in a name; JSON lines parse back.
        let csv = EventExport.csv(group)
        #expect(csv.contains("\"Moscow, Russia\"") && csv.split(separator: ",").first == "7")
        let json = try JSON.parse(Array(EventExport.jsonLine(group).utf8))
        #expect(json["source_actor"]?.string == "JPNGOV" && json["mean_tone"]?.number == -1.25 && json["in_lead"] == .bool(true))
    }
}
