import Dispatch
import Foundation
import TidingsCore

/// What the daemon may do inside a write transaction. The daemon and `tidingsctl` speak to the
/// store only through these protocols (no SQL outside `TidingsStore`): SQLite implements them
/// today, and another engine (PostgreSQL) plugs in behind the same seam.
public protocol StoreTransaction: AnyObject {
    // Fetches and documents.
    func record(_ fetch: FetchRecord, now: Date, keepFetches: Int) throws -> FetchOutcome
    func trimFetchLog(olderThan maxAge: Double, now: Date) throws -> Int
    // Article pages.
    func finishArticle(id: Int64, content: ArticleContent?, now: Date) throws -> ArticleOutcome?
    func retryArticle(id: Int64, error: String, next: Date) throws
    func failArticle(id: Int64, error: String) throws -> Int64?
    // Sources.
    func source(idOrName: String) throws -> Source?
    func insertSource(_ definition: SourceDefinition, origin: Source.Origin, now: Date) throws -> Source
    func importSources(_ definitions: [SourceDefinition], now: Date) throws -> SourceImport
    func deleteSource(id: Int64) throws
    func setSourceEnabled(id: Int64, enabled: Bool) throws
    func syncConfigSources(_ definitions: [SourceDefinition], now: Date) throws -> [String]
    // Plugins, results and jobs.
    func setPluginSwitch(_ name: String, enabled: Bool, now: Date) throws
    func saveExtractions(_ items: [(documentID: Int64, contentHash: String?, results: [StoredExtraction])], now: Date) throws -> Int
    func createReprocessJob(plugin: String, since: String?, sourceID: Int64?, now: Date) throws -> JobRow
    func advanceJob(_ id: Int64, cursor: Int64, done: Int, failed: Int, finished: Bool, now: Date) throws
    func endJob(_ id: Int64, status: String, error: String?, now: Date) throws
}

/// The reads the daemon and `tidingsctl` make, on a read-only connection.
public protocol StoreQueries: AnyObject {
    func counts() throws -> StoreCounts
    func sources() throws -> [Source]
    /// Every source's state in id order, one at a time (100,000 of them need no array).
    func forEachSourceState(_ body: (SourceState) throws -> Void) throws
    func pendingArticles(after id: Int64, limit: Int) throws -> [PendingArticle]
    func articleBacklog() throws -> ArticleBacklog
    func documentsNeedingAnalysis(plugins: [String], after: Int64, limit: Int) throws -> [DocumentForAnalysis]
    func documentsForJob(_ job: JobRow, limit: Int) throws -> [DocumentForAnalysis]
    func maxDocumentID() throws -> Int64
    func pluginSwitches() throws -> [String: Bool]
    func pluginStatistics() throws -> [String: (ok: Int, failed: Int, skipped: Int, meanMs: Double?)]
    func jobs(limit: Int) throws -> [JobRow]
    func runningJobs() throws -> [JobRow]
    func recentDocuments(limit: Int) throws -> [StoredDocument]
    func events(_ filter: EventFilter) throws -> [EventRow]
    func eventGroups(_ filter: EventFilter) throws -> [EventGroup]
    func topEntities(limit: Int, kind: String?, since: String?) throws -> [EntityCount]
    func entityDetail(_ name: String, limit: Int) throws -> EntityDetail?
    func entityID(_ name: String) throws -> (id: Int64, canonical: String)?
    func toneSeries(entity: Int64, other: Int64?, byWeek: Bool, since: String?) throws -> [TonePoint]
    func search(_ query: String, limit: Int) throws -> [SearchHit]
    func document(id: Int64) throws -> StoredDocument?
}

/// A store the daemon writes to: jobs batched into transactions on the store's own writer,
/// completions on the queue the caller names.
public protocol Storage: AnyObject, Sendable {
    /// The schema version of the open store.
    var schemaVersion: Int { get }
    func transact<T: Sendable>(
        _ job: @escaping @Sendable (any StoreTransaction) throws -> T, on target: DispatchQueue?,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void)
    /// Waits for one job (admin requests and start-up, which are rare).
    func transactSync<T: Sendable>(_ job: @escaping @Sendable (any StoreTransaction) throws -> T) throws -> T
    /// Finishes what was submitted and closes.
    func close()
}

extension Storage {
    public func transact<T: Sendable>(
        _ job: @escaping @Sendable (any StoreTransaction) throws -> T, completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        transact(job, on: nil, completion: completion)
    }
}

extension SQLiteConnection: StoreTransaction {}

extension Store: Storage {
    public func transact<T: Sendable>(
        _ job: @escaping @Sendable (any StoreTransaction) throws -> T, on target: DispatchQueue?,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        write({ db in try job(db) }, on: target, completion: completion)
    }

    public func transactSync<T: Sendable>(_ job: @escaping @Sendable (any StoreTransaction) throws -> T) throws -> T {
        try writeSync { db in try job(db) }
    }
}

/// The SQLite reader's queries: the read-only connection answers them.
final class SQLiteQueries: StoreQueries {
    let connection: SQLiteConnection
    let reader: StoreReader

    init(reader: StoreReader) {
        self.reader = reader
        connection = reader.connection
    }

    func counts() throws -> StoreCounts { try reader.counts() }
    func sources() throws -> [Source] { try connection.sources() }
    func forEachSourceState(_ body: (SourceState) throws -> Void) throws { try connection.forEachSourceState(body) }
    func pendingArticles(after id: Int64, limit: Int) throws -> [PendingArticle] { try connection.pendingArticles(after: id, limit: limit) }
    func articleBacklog() throws -> ArticleBacklog { try connection.articleBacklog() }
    func documentsNeedingAnalysis(plugins: [String], after: Int64, limit: Int) throws -> [DocumentForAnalysis] {
        try connection.documentsNeedingAnalysis(plugins: plugins, after: after, limit: limit)
    }
    func documentsForJob(_ job: JobRow, limit: Int) throws -> [DocumentForAnalysis] { try connection.documentsForJob(job, limit: limit) }
    func maxDocumentID() throws -> Int64 { try connection.maxDocumentID() }
    func pluginSwitches() throws -> [String: Bool] { try connection.pluginSwitches() }
    func pluginStatistics() throws -> [String: (ok: Int, failed: Int, skipped: Int, meanMs: Double?)] { try connection.pluginStatistics() }
    func jobs(limit: Int) throws -> [JobRow] { try connection.jobs(limit: limit) }
    func runningJobs() throws -> [JobRow] { try connection.runningJobs() }
    func recentDocuments(limit: Int) throws -> [StoredDocument] { try reader.recentDocuments(limit: limit) }
    func events(_ filter: EventFilter) throws -> [EventRow] { try connection.events(filter) }
    func eventGroups(_ filter: EventFilter) throws -> [EventGroup] { try connection.eventGroups(filter) }
    func topEntities(limit: Int, kind: String?, since: String?) throws -> [EntityCount] {
        try connection.topEntities(limit: limit, kind: kind, since: since)
    }
    func entityDetail(_ name: String, limit: Int) throws -> EntityDetail? { try connection.entityDetail(name, limit: limit) }
    func entityID(_ name: String) throws -> (id: Int64, canonical: String)? { try connection.entityID(name) }
    func toneSeries(entity: Int64, other: Int64?, byWeek: Bool, since: String?) throws -> [TonePoint] {
        try connection.toneSeries(entity: entity, other: other, byWeek: byWeek, since: since)
    }
    func search(_ query: String, limit: Int) throws -> [SearchHit] { try reader.search(query, limit: limit) }
    func document(id: Int64) throws -> StoredDocument? { try reader.document(id: id) }
}
