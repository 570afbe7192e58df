import Foundation
import TestSupport
import Testing

@testable import TidingsCore
@testable import TidingsPluginKit
@testable import TidingsStore

/// The daily tone toward an entity and toward a pair (`entity_tone_daily`, `dyad_tone_daily`),
/// and the series `tidingsctl tone` prints.
struct ToneViewTests {
    @Test func dailyAndWeeklyToneTowardAnEntityAndAPair() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let source = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "a", url: "https://a.example/f", interval: 60), origin: .admin, now: Date())
        }
        let days = ["1999-04-05", "1999-04-05", "1999-04-07", "1999-04-12"]
        let documents = days.enumerated().map { index, day in
            Document(sourceID: source.id, url: "https://a.example/\(index)", guid: nil, title: "t\(index)", author: nil,
                     published: Timestamps.parse(day), text: "Russia and Japan, story \(index).")
        }
        let recorded = record(source.id, documents)
        let outcome = try store.writeSync { db in try db.record(recorded, now: Date()) }
        let ids = outcome.newDocuments.map(\.id)
        let japan = [0.5, -0.1, -0.4, 0.2], russia = [0.1, -0.3, -0.2, 0.0]
        let items: [(documentID: Int64, results: [StoredExtraction])] = ids.indices.map { index in
            (ids[index], [StoredExtraction(
                plugin: "tone", version: "1", status: "ok", error: nil, durationMs: 1,
                extraction: Extraction(entityTones: [
                    EntityTone(canonical: "Japan", label: "GPE", score: japan[index], mentions: 2),
                    EntityTone(canonical: "Russia", label: "GPE", score: russia[index], mentions: 1),
                ]))])
        }
        _ = try store.writeSync { db in try db.saveExtractions(items, now: Date()) }
        let reader = try StoreReader(path: dir.file("t.db"))
        let connection = reader.connection
        let japanID = try #require(try connection.query("SELECT id FROM entities WHERE canonical = 'Japan'").first?["id"].int)
        let russiaID = try #require(try connection.query("SELECT id FROM entities WHERE canonical = 'Russia'").first?["id"].int)
        let daily = try connection.toneSeries(entity: japanID, byWeek: false, since: nil)
        #expect(daily.map(\.period) == ["1999-04-05", "1999-04-07", "1999-04-12"])
        #expect(abs(daily[0].meanTone - 0.2) < 1e-9 && daily[0].documents == 2)
        let weekly = try connection.toneSeries(entity: japanID, byWeek: true, since: nil)
        #expect(weekly.map(\.period) == ["1999-04-05", "1999-04-12"])  // Mondays
        #expect(abs(weekly[0].meanTone - 0.0) < 1e-9 && weekly[0].documents == 3)
        #expect(try connection.toneSeries(entity: japanID, byWeek: false, since: "1999-04-06").count == 2)
        // The pair: the mean of the tone toward each, in the documents that mention both.
        let pair = try connection.toneSeries(entity: russiaID, other: japanID, byWeek: false, since: nil)
        #expect(pair.count == 3 && abs(pair[0].meanTone - 0.05) < 1e-9 && pair[0].documents == 2)
        #expect(try connection.entityID("JAPAN")?.id == japanID)
        store.close()
    }
}
