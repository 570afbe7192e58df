import Foundation
import TestSupport
import Testing

@testable import TidingsCore
@testable import TidingsPluginKit
@testable import TidingsStore

struct ExtractionStoreTests {
    func setUp() throws -> (TempDirectory, Store, Int64) {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let source = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "a", url: "https://a.example/f", interval: 60), origin: .admin, now: Date())
        }
        let text = "Japanese Prime Minister Keizo Obuchi will visit Moscow."
        let document = Document(sourceID: source.id, url: "https://a.example/1", guid: nil, title: "t", author: nil, published: nil, text: text)
        let outcome = try store.writeSync { db in
            try db.record(record(source.id, [document]), now: Date())
        }
        return (dir, store, outcome.newDocuments[0].id)
    }

    func result(_ plugin: String, entities: [String]) -> StoredExtraction {
        StoredExtraction(
            plugin: plugin, version: "1", status: "ok", error: nil, durationMs: 1.5,
            extraction: Extraction(
                entities: entities.map { EntityMention(start: 0, end: 4, text: $0, label: "PER", canonical: $0) },
                events: [CodedEvent(source: "JPNGOV", target: "RUS", code: "036", quadClass: 1, goldstein: 4, sentence: 0, start: 0, end: 10)],
                tone: Tone(score: 0.2, tone: 1, positive: 2, negative: 1, polarity: 3, activity: 0, selfGroup: 0, words: 9),
                entityTones: [EntityTone(canonical: "Obuchi", label: "PER", score: 0.1, mentions: 1)],
                annotations: [Annotation(kind: "k", start: 1, end: 2, label: "l", value: "v")]))
    }

    func count(_ reader: StoreReader, _ table: String) throws -> Int64 {
        try reader.connection.scalar("SELECT count(*) FROM \(table)")?.int ?? -1
    }

    @Test func reRunningAPluginReplacesItsRowsAndLeavesOthersAlone() throws {
        let (dir, store, id) = try setUp()
        _ = try store.writeSync { db in try db.saveExtractions([(id, [self.result("p", entities: ["A", "B"]), self.result("q", entities: ["C"])])], now: Date()) }
        _ = try store.writeSync { db in try db.saveExtractions([(id, [self.result("p", entities: ["D"])])], now: Date()) }
        let reader = try StoreReader(path: dir.file("t.db"))
        #expect(try count(reader, "extractions") == 2)
        let texts = try reader.connection.query("SELECT m.text, x.plugin FROM mentions m JOIN extractions x ON x.id = m.extraction_id ORDER BY m.text")
        #expect(texts.map { $0["text"].string ?? "" } == ["C", "D"])
        #expect(try count(reader, "events") == 2)
        #expect(try count(reader, "tones") == 2)
        #expect(try count(reader, "annotations") == 2)
        #expect(try count(reader, "entity_tones") == 2)
        // Provenance: every row traces back to the plugin, its version and the time.
        let row = try #require(try reader.connection.query("SELECT plugin, plugin_version, status, duration_ms FROM extractions WHERE plugin = 'p'").first)
        #expect(row["plugin_version"].string == "1" && row["status"].string == "ok" && row["duration_ms"].double == 1.5)
        #expect(try reader.connection.scalar("SELECT count(*) FROM event_list WHERE plugin = 'q'")?.int == 1)
        store.close()
    }

    @Test func aFailedWriteKeepsTheOldResultsWhole() throws {
        let (dir, store, id) = try setUp()
        _ = try store.writeSync { db in try db.saveExtractions([(id, [self.result("p", entities: ["A", "B"])])], now: Date()) }
        // The new results go in, then the transaction fails: nothing of it may remain.
        #expect(throws: (any Error).self) {
            try store.writeSync { db in
                try db.saveExtractions([(id, [self.result("p", entities: ["Z"])])], now: Date())
                throw TidingsError("test", "the disk filled up")
            }
        }
        let reader = try StoreReader(path: dir.file("t.db"))
        #expect(try reader.connection.query("SELECT text FROM mentions ORDER BY text").map { $0["text"].string ?? "" } == ["A", "B"])
        #expect(try count(reader, "extractions") == 1)
        store.close()
    }

    @Test func documentsWaitingForPluginsAndSkippedOnes() throws {
        let (dir, store, id) = try setUp()
        let reader = try StoreReader(path: dir.file("t.db"))
        #expect(try reader.connection.documentsNeedingAnalysis(plugins: ["p", "q"], after: 0, limit: 10).map(\.id) == [id])
        _ = try store.writeSync { db in try db.saveExtractions([(id, [self.result("p", entities: [])])], now: Date()) }
        let waiting = try reader.connection.documentsNeedingAnalysis(plugins: ["p", "q"], after: 0, limit: 10)
        #expect(waiting.first?.done == ["p"])
        #expect(try reader.connection.documentsNeedingAnalysis(plugins: ["p"], after: 0, limit: 10).isEmpty)
        // Results for a text that changed since it was read are not stored.
        #expect(try store.writeSync { db in
            try db.saveExtractions([(documentID: id, contentHash: Optional("not the hash"), results: [self.result("q", entities: [])])], now: Date())
        } == 0)
        #expect(try reader.connection.documentsNeedingAnalysis(plugins: ["q"], after: 0, limit: 10).map(\.id) == [id])
        // A skipped result is redone when its requirement comes back.
        var skippedResult = result("q", entities: [])
        skippedResult.status = "skipped"
        let skipped = skippedResult
        _ = try store.writeSync { db in try db.saveExtractions([(id, [skipped])], now: Date()) }
        #expect(try reader.connection.documentsNeedingAnalysis(plugins: ["q"], after: 0, limit: 10).map(\.id) == [id])
        // A removed document is skipped, not an error.
        #expect(try store.writeSync { db in try db.saveExtractions([(id + 99, [self.result("p", entities: [])])], now: Date()) } == 0)
        store.close()
    }

    @Test func jobsRecordProgressAndFinish() throws {
        let (dir, store, _) = try setUp()
        let job = try store.writeSync { db in try db.createReprocessJob(plugin: "p", since: "1999-01-01T00:00:00Z", sourceID: nil, now: Date()) }
        #expect(job.total == 1 && job.status == "running")
        try store.writeSync { db in try db.advanceJob(job.id, cursor: 5, done: 1, failed: 0, finished: false, now: Date()) }
        try store.writeSync { db in try db.advanceJob(job.id, cursor: 5, done: 0, failed: 0, finished: true, now: Date()) }
        let reader = try StoreReader(path: dir.file("t.db"))
        let done = try #require(try reader.connection.job(job.id))
        #expect(done.status == "done" && done.cursor == 5 && done.done == 1 && done.finishedAt != nil)
        try store.writeSync { db in try db.setPluginSwitch("p", enabled: false, now: Date()) }
        #expect(try reader.connection.pluginSwitches() == ["p": false])
        store.close()
    }
}
