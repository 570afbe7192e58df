import Foundation
import TestSupport
import Testing

@testable import TidingsCore
@testable import TidingsStore

/// The store's parts of the staged core: the fetch log's retention, the article queue and
/// bulk import.
struct CoreStoreTests {
    func storeWithSource(_ dir: TempDirectory) throws -> (Store, Int64) {
        let store = try Store(path: dir.file("t.db"))
        let source = try store.writeSync { db in
            try db.insertSource(SourceDefinition(name: "s", url: "https://news.example/feed", interval: 900), origin: .admin, now: Date())
        }
        return (store, source.id)
    }

    @Test func theFetchLogKeepsTheNewestRowsOfEachSource() throws {
        let dir = TempDirectory()
        let (store, id) = try storeWithSource(dir)
        try store.writeSync { db in
            for _ in 0..<500 { _ = try db.record(record(id, [], status: .notModified), now: Date(), keepFetches: 50) }
        }
        let rows = try store.writeSync { db in try db.scalar("SELECT count(*) FROM fetches")?.int ?? -1 }
        #expect(rows >= 50 && rows <= 50 + FetchHistory.trimEvery, "\(rows) rows")
        // The newest are the ones kept.
        let newest = try store.writeSync { db in try db.scalar("SELECT max(id) FROM fetches")?.int ?? -1 }
        #expect(newest == 500)
        store.close()
    }

    @Test func theFetchLogLosesRowsOlderThanItsAge() throws {
        let dir = TempDirectory()
        let (store, id) = try storeWithSource(dir)
        let old = Date().addingTimeInterval(-10 * 86_400)
        try store.writeSync { db in
            var stale = record(id, [], status: .notModified)
            stale.startedAt = old
            for _ in 0..<5 { _ = try db.record(stale, now: old) }
            for _ in 0..<3 { _ = try db.record(record(id, [], status: .notModified), now: Date()) }
        }
        let deleted = try store.writeSync { db in try db.trimFetchLog(olderThan: 7 * 86_400, now: Date()) }
        #expect(deleted == 5)
        #expect(try store.writeSync { db in try db.scalar("SELECT count(*) FROM fetches")?.int } == 3)
        store.close()
    }

    @Test func aRemovedSourceIsNotFoundAndNothingIsWritten() throws {
        let dir = TempDirectory()
        let (store, id) = try storeWithSource(dir)
        try store.writeSync { db in try db.deleteSource(id: id) }
        #expect { try store.writeSync { db in try db.record(record(id, documents(2, sourceID: id)), now: Date()) } } throws: { error in
            (error as? TidingsError)?.code == "not_found"
        }
        #expect(try store.writeSync { db in try db.scalar("SELECT count(*) FROM documents")?.int } == 0)
        store.close()
    }

    @Test func teaserItemsQueueTheirPagesWithTheDocument() throws {
        let dir = TempDirectory()
        let (store, id) = try storeWithSource(dir)
        var docs = documents(3, sourceID: id)
        docs[0].article = ArticleLink(url: "https://news.example/doc/0", host: "news.example", tlsVerify: true)
        docs[1].article = ArticleLink(url: "https://other.example/doc/1", host: "other.example", tlsVerify: true)
        let feed = docs
        let outcome = try store.writeSync { db in try db.record(record(id, feed), now: Date()) }
        #expect(outcome.articlesQueued == 2)
        // Seen again: nothing queued twice.
        let again = try store.writeSync { db in try db.record(record(id, feed), now: Date()) }
        #expect(again.articlesQueued == 0)
        let reader = try StoreReader(path: dir.file("t.db"))
        let pending = try reader.connection.pendingArticles(after: 0, limit: 10)
        #expect(pending.map(\.url) == ["https://news.example/doc/0", "https://other.example/doc/1"])
        #expect(pending.map(\.host) == ["news.example", "other.example"])
        #expect(try reader.connection.articleBacklog() == ArticleBacklog(pending: 2, failed: 0))
        // Documents waiting for their page are not handed to analysis.
        let waiting = try reader.connection.documentsNeedingAnalysis(plugins: ["entities"], after: 0, limit: 10)
        #expect(waiting.map(\.id) == [outcome.newDocuments[2].id])
        // The first page is read: the article replaces the teaser, the item's title stays.
        let article = ArticleContent(
            title: "Page title", author: "A. Writer", published: nil, language: "en",
            text: "A much longer article about the talks in Tokyo, which failed again over the islands.")
        let done = try store.writeSync { db in try db.finishArticle(id: pending[0].id, content: article, now: Date()) }
        #expect(done == ArticleOutcome(documentID: outcome.newDocuments[0].id, replaced: true))
        let row = try reader.connection.query("SELECT title, author, language, text FROM documents WHERE id = ?", [.integer(done!.documentID)])[0]
        #expect(row["title"].string == "doc 0 on the Kuril Islands")
        #expect(row["author"].string == "A. Writer")
        #expect(row["language"].string == "en")
        #expect(row["text"].string == article.text)
        // A shorter page does not replace the feed's text.
        let short = ArticleContent(title: nil, author: nil, published: nil, language: nil, text: "Short.")
        let kept = try store.writeSync { db in try db.finishArticle(id: pending[1].id, content: short, now: Date()) }
        #expect(kept?.replaced == false)
        #expect(try reader.connection.articleBacklog() == ArticleBacklog(pending: 0, failed: 0))
        store.close()
    }

    @Test func failedPagesAreRetriedThenGivenUp() throws {
        let dir = TempDirectory()
        let (store, id) = try storeWithSource(dir)
        var docs = documents(1, sourceID: id)
        docs[0].article = ArticleLink(url: "https://news.example/doc/0", host: "news.example", tlsVerify: true)
        let feed = docs
        _ = try store.writeSync { db in try db.record(record(id, feed), now: Date()) }
        let reader = try StoreReader(path: dir.file("t.db"))
        let page = try reader.connection.pendingArticles(after: 0, limit: 10)[0]
        let later = Date().addingTimeInterval(60)
        try store.writeSync { db in try db.retryArticle(id: page.id, error: "HTTP 503", next: later) }
        let retried = try reader.connection.pendingArticles(after: 0, limit: 10)[0]
        #expect(retried.attempts == 1)
        #expect(abs(retried.nextAttemptAt.timeIntervalSince(later)) < 1)
        let documentID = try store.writeSync { db in try db.failArticle(id: page.id, error: "HTTP 404") }
        #expect(documentID == page.documentID)
        #expect(try reader.connection.pendingArticles(after: 0, limit: 10).isEmpty)
        #expect(try reader.connection.articleBacklog() == ArticleBacklog(pending: 0, failed: 1))
        // Given up: the document goes to analysis with the feed's text.
        #expect(try reader.connection.documentsNeedingAnalysis(plugins: ["entities"], after: 0, limit: 10).count == 1)
        store.close()
    }

    @Test func importAddsManySourcesInOneGoAndSkipsKnownURLs() throws {
        let dir = TempDirectory()
        let (store, _) = try storeWithSource(dir)
        var definitions = (0..<1000).map { SourceDefinition(name: "f\($0)", url: "https://h\($0 % 10).example/feed/\($0)", interval: 600) }
        definitions.append(SourceDefinition(name: "s", url: "https://taken.example/feed", interval: 600))  // name taken
        definitions.append(SourceDefinition(name: "dup", url: "https://news.example/feed", interval: 600))  // URL known
        let outlines = definitions
        let imported = try store.writeSync { db in try db.importSources(outlines, now: Date()) }
        #expect(imported.added.count == 1001)
        #expect(imported.present == 1)
        #expect(imported.renamed == 1)
        #expect(imported.added.last?.definition.name == "taken.example")
        let again = try store.writeSync { db in try db.importSources(outlines, now: Date()) }
        #expect(again.added.isEmpty && again.present == 1002)
        #expect(try store.writeSync { db in try db.scalar("SELECT count(*) FROM sources")?.int } == 1002)
        store.close()
    }

    @Test func typedRowReadsFailOnAMissingOrMistypedColumn() throws {
        let dir = TempDirectory()
        let db = try SQLiteConnection(path: dir.file("t.db"))
        let row = try db.query("SELECT 1 AS n, 'x' AS t, NULL AS z")[0]
        #expect(try row.int("n") == 1)
        #expect(try row.text("t") == "x")
        #expect(throws: RowError.self) { try row.int("t") }
        #expect(throws: RowError.self) { try row.text("z") }
        #expect(throws: RowError.self) { try row.int("missing") }
    }

    @Test func aSourceRowOfTheWrongShapeIsAnErrorNotAGuess() throws {
        let dir = TempDirectory()
        let (store, id) = try storeWithSource(dir)
        let reader = try StoreReader(path: dir.file("t.db"))
        let good = try reader.connection.query("SELECT \(SQLiteConnection.sourceColumns) FROM sources s")[0]
        #expect(try SQLiteConnection.source(from: good).id == id)
        // A column missing, and one of the wrong type: both are errors.
        let missing = Row(columns: Array(good.columns.dropLast()), values: Array(good.values.dropLast()))
        #expect(throws: RowError.self) { try SQLiteConnection.source(from: missing) }
        var values = good.values
        values[good.columns.firstIndex(of: "id")!] = .text("seven")
        #expect(throws: RowError.self) { try SQLiteConnection.source(from: Row(columns: good.columns, values: values)) }
        store.close()
    }
}
