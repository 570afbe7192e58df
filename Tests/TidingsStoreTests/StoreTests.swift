import Foundation
import TestSupport
import Testing

@testable import TidingsCore
@testable import TidingsStore

/// A feed's worth of documents for source `sourceID`.
func documents(_ count: Int, sourceID: Int64, prefix: String = "doc") -> [Document] {
    (0..<count).map { index in
        Document(
            sourceID: sourceID, url: "https://news.example/\(prefix)/\(index)", guid: "\(prefix)-\(index)",
            title: "\(prefix) \(index) on the Kuril Islands", author: nil, published: Date(timeIntervalSince1970: 923_299_200),
            text: "Talks in Tokyo failed, number \(index).")
    }
}

func record(_ sourceID: Int64, _ docs: [Document], status: FetchRecord.Status = .ok, error: String? = nil) -> FetchRecord {
    FetchRecord(
        sourceID: sourceID, url: "https://news.example/feed", startedAt: Date(), duration: 0.01, httpStatus: 200, bytes: 10,
        status: status, error: error, nextFetchAt: Date().addingTimeInterval(900), documents: docs)
}

struct StoreTests {
    @Test func migrationCreatesThePublicSchemaWithTheRightPragmas() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        #expect(store.schemaVersion == Migrations.latest)
        let db = try SQLiteConnection(path: dir.file("t.db"))
        let names = Set(try db.query("SELECT name FROM sqlite_master WHERE type IN ('table','view')").compactMap { $0["name"].string })
        for table in [
            "sources", "fetches", "documents", "documents_fts", "extractions", "entities", "mentions", "events", "tones",
            "entity_tones", "annotations", "document_list", "mention_list", "event_list",
        ] {
            #expect(names.contains(table), "missing \(table)")
        }
        #expect(try db.scalar("PRAGMA journal_mode")?.string == "wal")
        // synchronous and foreign_keys are per connection: check the store's own.
        let settings = try store.writeSync { db in
            [try db.scalar("PRAGMA synchronous")?.int, try db.scalar("PRAGMA foreign_keys")?.int, try db.scalar("PRAGMA busy_timeout")?.int,
             try db.scalar("PRAGMA temp_store")?.int]
        }
        // 1 = NORMAL; temp_store 2 = MEMORY (savepoints' journals not written to /var/tmp)
        #expect(settings == [1, 1, 5000, 2])
        store.close()
    }

    @Test func reopeningDoesNotReapplyMigrationsAndANewerSchemaIsRefused() throws {
        let dir = TempDirectory()
        try Store(path: dir.file("t.db")).close()
        try Store(path: dir.file("t.db")).close()
        let db = try SQLiteConnection(path: dir.file("t.db"))
        try db.execute("PRAGMA user_version = \(Migrations.latest + 1)")
        #expect { try Store(path: dir.file("t.db")) } throws: { error in
            (error as? TidingsError)?.code == "schema_too_new"
        }
    }

    @Test func ingestionIsIdempotent() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let source = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "s", url: "https://news.example/feed", interval: 900), origin: .admin, now: Date())
        }
        let first = try store.writeSync { db in try db.record(record(source.id, documents(5, sourceID: source.id)), now: Date()) }
        #expect(first.newDocuments.count == 5)
        #expect(first.newDocuments.allSatisfy { $0.sourceName == "s" })
        let again = try store.writeSync { db in try db.record(record(source.id, documents(6, sourceID: source.id)), now: Date()) }
        #expect(again.newDocuments.map(\.title) == ["doc 5 on the Kuril Islands"])
        let reader = try StoreReader(path: dir.file("t.db"))
        let counts = try reader.counts()
        #expect(counts.documents == 6)
        #expect(counts.fetches == 2)
        #expect(try reader.sources().first?.documents == 6)
        store.close()
    }

    @Test func failedFetchesCountConsecutiveErrorsAndResetOnSuccess() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let source = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "s", url: "https://x.example/f", interval: 60), origin: .admin, now: Date())
        }
        for _ in 0..<3 { _ = try store.writeSync { db in try db.record(record(source.id, [], status: .error, error: "HTTP 503"), now: Date()) } }
        let reader = try StoreReader(path: dir.file("t.db"))
        var stored = try #require(try reader.source(idOrName: "s"))
        #expect(stored.consecutiveErrors == 3)
        #expect(stored.lastError == "HTTP 503")
        #expect(stored.enabled)  // never silently disabled
        _ = try store.writeSync { db in
            try db.record(record(source.id, [], status: .error, error: String(repeating: "e", count: 50_000)), now: Date())
        }
        #expect(try reader.source(idOrName: "s")?.lastError?.count == SQLiteConnection.maxErrorLength + 1)
        _ = try store.writeSync { db in try db.record(record(source.id, []), now: Date()) }
        stored = try #require(try reader.source(idOrName: String(source.id)))
        #expect(stored.consecutiveErrors == 0)
        #expect(stored.lastStatus == "ok")
        #expect(try reader.counts().fetchErrors == 4)
        store.close()
    }

    @Test func batchedJobsCommitTogetherAndAFailingJobRollsBackAlone() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let source = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "s", url: "https://x.example/f", interval: 60), origin: .admin, now: Date())
        }
        let group = DispatchGroup()
        let outcomes = Outcomes()
        for batch in 0..<20 {
            group.enter()
            let docs = documents(10, sourceID: source.id, prefix: "b\(batch)")
            store.write({ db -> Int in
                if batch == 7 {
                    _ = try db.record(record(source.id, docs), now: Date())
                    throw TidingsError.invalid("job 7 fails after writing")
                }
                return try db.record(record(source.id, docs), now: Date()).newDocuments.count
            }) { result in
                outcomes.add(result)
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 20) == .success)
        #expect(outcomes.successes == 19)
        #expect(outcomes.failures == 1)
        let reader = try StoreReader(path: dir.file("t.db"))
        #expect(try reader.counts().documents == 190)
        store.close()
    }

    /// A full disk in the middle of a batch: whatever SQLite rolls back, no job may be reported
    /// as written unless its documents are really there, and none reported failed may be there.
    @Test func aFullDiskNeverReportsLostWritesAsWritten() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let source = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "s", url: "https://x.example/f", interval: 60), origin: .admin, now: Date())
        }
        let pages = try store.writeSync { db in try db.scalar("PRAGMA page_count")?.int ?? 0 }
        _ = try store.writeSync { db in try db.scalar("PRAGMA max_page_count = \(pages + 80)")?.int }
        let filler = String(repeating: "Talks on the Kuril Islands failed again. ", count: 100)
        let group = DispatchGroup()
        let results = JobResults()
        for job in 0..<40 {
            group.enter()
            let docs = (0..<10).map { index in
                Document(
                    sourceID: source.id, url: "https://x.example/j\(job)/\(index)", guid: nil, title: "j\(job)",
                    author: nil, published: nil, text: "\(job) \(index) " + filler)
            }
            store.write({ db in try db.record(record(source.id, docs), now: Date()).newDocuments.count }) { result in
                results.set(job, ok: (try? result.get()) == 10)
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        let reader = try StoreReader(path: dir.file("t.db"))
        var succeeded = 0
        for job in 0..<40 {
            let stored = try reader.connection.scalar("SELECT count(*) FROM documents WHERE title = ?", [.text("j\(job)")])?.int
            guard let ok = results.get(job) else {
                Issue.record("job \(job) never completed")
                continue
            }
            #expect(stored == (ok ? 10 : 0), "job \(job) reported \(ok ? "written" : "failed") but has \(stored ?? -1) documents")
            if ok { succeeded += 1 }
        }
        #expect(succeeded > 0 && succeeded < 40)
        store.close()
    }

    @Test func syncConfigSourcesAddsUpdatesAndRemovesButKeepsDocuments() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let a = SourceDefinition(name: "a", url: "https://a.example/feed", interval: 900)
        let b = SourceDefinition(name: "b", url: "https://b.example/feed", interval: 900)
        let added = try store.writeSync { db in try db.syncConfigSources([a, b], now: Date()) }
        #expect(added.count == 2)
        let reader = try StoreReader(path: dir.file("t.db"))
        let bID = try #require(try reader.source(idOrName: "b")?.id)
        _ = try store.writeSync { db in try db.record(record(bID, documents(2, sourceID: bID)), now: Date()) }
        let a2 = SourceDefinition(name: "a", url: a.url, interval: 60)
        let changed = try store.writeSync { db in try db.syncConfigSources([a2], now: Date()) }
        #expect(changed.contains { $0.hasPrefix("removed source \(bID)") })
        #expect(changed.contains { $0.hasPrefix("updated source") })
        #expect(try reader.sources().map(\.name) == ["a"])
        #expect(try reader.source(idOrName: "a")?.interval == 60)
        #expect(try reader.counts().documents == 2)  // b's documents stay, with source_id NULL
        store.close()
    }

    @Test func aMovedConfigSourceStaysMatchedAndIsNeverMatchedTwice() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let x = SourceDefinition(name: "x", url: "https://x.example/old", interval: 900)
        _ = try store.writeSync { db in try db.syncConfigSources([x], now: Date()) }
        // The source moved (permanent redirect) to /new.
        var moved = record(1, [])
        moved.movedTo = "https://x.example/new"
        let movedFetch = moved
        _ = try store.writeSync { db in try db.record(movedFetch, now: Date()) }
        // Reload with the same config: nothing changes.
        #expect(try store.writeSync { db in try db.syncConfigSources([x], now: Date()) }.isEmpty)
        // A config naming both the old and the new URL: x keeps the moved source (it is not
        // matched twice); y would read the same feed, which is a clear conflict.
        let y = SourceDefinition(name: "y", url: "https://x.example/new", interval: 900)
        #expect { try store.writeSync { db in try db.syncConfigSources([x, y], now: Date()) } } throws: { error in
            (error as? TidingsError)?.message.contains("already has the URL https://x.example/new") == true
        }
        let reader = try StoreReader(path: dir.file("t.db"))
        #expect(try reader.sources().map(\.name) == ["x"])
        #expect(try reader.source(idOrName: "x")?.url == "https://x.example/new")
        store.close()
    }

    @Test func duplicateSourcesAreConflicts() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        _ = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "a", url: "https://a.example/f", interval: 60), origin: .admin, now: Date())
        }
        #expect { try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "other", url: "https://a.example/f", interval: 60), origin: .admin, now: Date())
        } } throws: { ($0 as? TidingsError)?.code == "conflict" }
        #expect { try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "a", url: "https://b.example/f", interval: 60), origin: .admin, now: Date())
        } } throws: { ($0 as? TidingsError)?.code == "conflict" }
        store.close()
    }

    @Test func searchFindsWithSnippetsAndRejectsBadQueries() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let source = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "s", url: "https://x.example/f", interval: 60), origin: .admin, now: Date())
        }
        _ = try store.writeSync { db in try db.record(record(source.id, documents(3, sourceID: source.id)), now: Date()) }
        let reader = try StoreReader(path: dir.file("t.db"))
        let hits = try reader.search("kuril", limit: 10)
        #expect(hits.count == 3)
        #expect(hits.allSatisfy { $0.source == "s" })
        #expect(try reader.search("\"number 2\"", limit: 10).first?.snippet.contains("[number 2]") == true)
        #expect { try reader.search("\"unbalanced", limit: 5) } throws: { ($0 as? TidingsError)?.code == "invalid_params" }
        #expect(try reader.recentDocuments(limit: 2).map(\.id) == [2, 3])
        #expect(try reader.document(id: 1)?.text == "Talks in Tokyo failed, number 0.")
        store.close()
    }

    @Test func readerRefusesMissingOrForeignFilesClearly() throws {
        let dir = TempDirectory()
        #expect { try StoreReader(path: dir.file("none.db")) } throws: { ($0 as? TidingsError)?.code == "not_found" }
        _ = try SQLiteConnection(path: dir.file("other.db"))
        #expect { try StoreReader(path: dir.file("other.db")) } throws: { ($0 as? TidingsError)?.code == "not_a_store" }
    }

    @Test func readerIsReadOnly() throws {
        let dir = TempDirectory()
        try Store(path: dir.file("t.db")).close()
        let reader = try StoreReader(path: dir.file("t.db"))
        #expect(throws: SQLiteError.self) { try reader.connection.execute("DELETE FROM sources") }
    }
}

final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var ok = 0, failed = 0
    func add<T>(_ result: Result<T, any Error>) {
        lock.withLock { if case .success = result { ok += 1 } else { failed += 1 } }
    }
    var successes: Int { lock.withLock { ok } }
    var failures: Int { lock.withLock { failed } }
}

final class JobResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Bool] = [:]
    func set(_ job: Int, ok: Bool) { lock.withLock { results[job] = ok } }
    func get(_ job: Int) -> Bool? { lock.withLock { results[job] } }
}

struct DedupTests {
    func setUp() throws -> (TempDirectory, Store, Int64, Int64) {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let a = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "a", url: "https://a.example/f", interval: 60), origin: .admin, now: Date())
        }
        let b = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "b", url: "https://b.example/f", interval: 60), origin: .admin, now: Date())
        }
        return (dir, store, a.id, b.id)
    }

    let story = String(repeating: "Talks in Tokyo failed to resolve the territorial dispute over the Kuril Islands. ", count: 4)

    @Test func theSameStoryFromTwoFeedsIsOneDocumentWithTwoSightings() throws {
        let (dir, store, a, b) = try setUp()
        let first = Document(sourceID: a, url: "https://a.example/1", guid: nil, title: "Talks fail", author: nil, published: nil, text: story)
        let second = Document(sourceID: b, url: "https://b.example/x", guid: nil, title: "Talks fail", author: nil, published: nil, text: story + "  ")
        #expect(try store.writeSync { db in try db.record(record(a, [first]), now: Date()) }.newDocuments.count == 1)
        let outcome = try store.writeSync { db in try db.record(record(b, [second]), now: Date()) }
        #expect(outcome.newDocuments.isEmpty)
        #expect(outcome.seenElsewhere == 1)
        let reader = try StoreReader(path: dir.file("t.db"))
        #expect(try reader.counts().documents == 1)
        let row = try #require(try reader.connection.query("SELECT sources, sightings FROM document_sightings").first)
        #expect(row["sources"].int == 2)
        #expect(row["sightings"].int == 2)
        store.close()
    }

    @Test func anItemMergedByItsTextIsKnownWhenItsSourceBringsItAgain() throws {
        let (dir, store, a, b) = try setUp()
        let first = Document(sourceID: a, url: "https://a.example/1", guid: nil, title: "Talks fail", author: nil, published: nil, text: story)
        let second = Document(sourceID: b, url: "https://b.example/x", guid: nil, title: "Talks fail", author: nil, published: nil, text: story)
        _ = try store.writeSync { db in try db.record(record(a, [first]), now: Date()) }
        _ = try store.writeSync { db in try db.record(record(b, [second]), now: Date()) }
        // Feed b again, now with only a teaser under the same link: the same item, not news.
        let teaser = Document(sourceID: b, url: "https://b.example/x", guid: nil, title: "Talks fail", author: nil, published: nil, text: "Talks fail.")
        let again = try store.writeSync { db in try db.record(record(b, [teaser]), now: Date()) }
        #expect(again.newDocuments.isEmpty)
        #expect(again.seenElsewhere == 0)
        #expect(again.updated == 0)
        let reader = try StoreReader(path: dir.file("t.db"))
        #expect(try reader.counts().documents == 1)
        #expect(try reader.connection.scalar("SELECT text FROM documents")?.string == story)
        #expect(try reader.connection.scalar("SELECT count(*) FROM sightings WHERE doc_key = 'url:https://b.example/x'")?.int == 1)
        store.close()
    }

    @Test func aChangedArticleIsUpdatedAndItsExtractionsDropped() throws {
        let (dir, store, a, _) = try setUp()
        let original = Document(sourceID: a, url: "https://a.example/1", guid: nil, title: "Talks", author: nil, published: nil, text: story)
        _ = try store.writeSync { db in try db.record(record(a, [original]), now: Date()) }
        _ = try store.writeSync { db in
            try db.query(
                "INSERT INTO extractions (document_id, plugin, plugin_version, status, created_at) VALUES (1, 'entities', '1', 'ok', 'now')")
        }
        let changed = Document(sourceID: a, url: "https://a.example/1", guid: nil, title: "Talks (updated)", author: nil, published: nil, text: story + "Update: a summit is planned.")
        let outcome = try store.writeSync { db in try db.record(record(a, [changed]), now: Date()) }
        #expect(outcome.newDocuments.isEmpty)
        #expect(outcome.updated == 1)
        let reader = try StoreReader(path: dir.file("t.db"))
        #expect(try reader.document(id: 1)?.title == "Talks (updated)")
        #expect(try reader.search("summit", limit: 5).map(\.id) == [1])  // the index follows
        #expect(try reader.connection.scalar("SELECT count(*) FROM extractions")?.int == 0)
        #expect(try reader.connection.scalar("SELECT updated_at IS NOT NULL FROM documents")?.int == 1)
        // Seen again unchanged: nothing new, nothing updated.
        let again = try store.writeSync { db in try db.record(record(a, [changed]), now: Date()) }
        #expect(again.updated == 0 && again.newDocuments.isEmpty)
        store.close()
    }

    @Test func onlyTheOwningSourceChangesADocumentAndTeasersNeverReplaceArticles() throws {
        let (dir, store, a, b) = try setUp()
        let article = Document(sourceID: a, url: "https://a.example/1", guid: nil, title: "T", author: nil, published: nil, text: story)
        _ = try store.writeSync { db in try db.record(record(a, [article]), now: Date()) }
        // Another feed carrying the same URL with other text adds a sighting, changes nothing.
        let other = Document(sourceID: b, url: "https://a.example/1", guid: nil, title: "T", author: nil, published: nil, text: "Another text entirely.")
        let fromB = try store.writeSync { db in try db.record(record(b, [other]), now: Date()) }
        #expect(fromB.updated == 0)
        // The owner's teaser for an article already read in full is kept out too.
        var teaser = Document(sourceID: a, url: "https://a.example/1", guid: nil, title: "T", author: nil, published: nil, text: "Short teaser.")
        teaser.keepStoredText = true
        let teaserFetch = record(a, [teaser])
        let fromA = try store.writeSync { db in try db.record(teaserFetch, now: Date()) }
        #expect(fromA.updated == 0)
        let reader = try StoreReader(path: dir.file("t.db"))
        #expect(try reader.document(id: 1)?.text == story)
        #expect(try reader.connection.scalar("SELECT count(*) FROM sightings")?.int == 2)
        store.close()
    }

    @Test func shortTextsAreNotMergedByHash() throws {
        let (dir, store, a, b) = try setUp()
        let one = Document(sourceID: a, url: "https://a.example/1", guid: nil, title: "Brief", author: nil, published: nil, text: "Read more.")
        let two = Document(sourceID: b, url: "https://b.example/2", guid: nil, title: "Other", author: nil, published: nil, text: "Read more.")
        _ = try store.writeSync { db in try db.record(record(a, [one]), now: Date()) }
        _ = try store.writeSync { db in try db.record(record(b, [two]), now: Date()) }
        #expect(try StoreReader(path: dir.file("t.db")).counts().documents == 2)
        store.close()
    }
}

struct EnclosureStoreTests {
    @Test func enclosuresAreStoredOncePerDocument() throws {
        let dir = TempDirectory()
        let store = try Store(path: dir.file("t.db"))
        let source = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "s", url: "https://x.example/f", interval: 60), origin: .admin, now: Date())
        }
        var episode = Document(sourceID: source.id, url: "https://x.example/ep1", guid: nil, title: "Ep 1", author: nil, published: nil, text: "Show notes.")
        episode.enclosures = [Enclosure(url: "https://x.example/ep1.mp3", type: "audio/mpeg", length: 1000)]
        let fetched = record(source.id, [episode])
        _ = try store.writeSync { db in try db.record(fetched, now: Date()) }
        _ = try store.writeSync { db in try db.record(fetched, now: Date()) }
        let reader = try StoreReader(path: dir.file("t.db"))
        let rows = try reader.connection.query("SELECT url, type, length FROM enclosures")
        #expect(rows.count == 1)
        #expect(rows.first?["type"].string == "audio/mpeg")
        #expect(rows.first?["length"].int == 1000)
        store.close()
    }
}
