import Foundation
import TidingsCore

/// The outcome of one fetch, written in one transaction with the documents it produced.
public struct FetchRecord: Sendable {
    public enum Status: String, Sendable { case ok, notModified = "not_modified", error }
    public var sourceID: Int64
    public var url: String
    public var startedAt: Date
    public var duration: Double
    public var httpStatus: Int?
    public var bytes: Int
    public var status: Status
    public var error: String?
    public var etag: String?
    public var lastModified: String?
    public var nextFetchAt: Date
    public var documents: [Document]
    /// The source's new address after a permanent redirect.
    public var movedTo: String?

    public init(
        sourceID: Int64, url: String, startedAt: Date, duration: Double, httpStatus: Int?, bytes: Int,
        status: Status, error: String?, etag: String? = nil, lastModified: String? = nil, nextFetchAt: Date,
        documents: [Document]
    ) {
        self.sourceID = sourceID
        self.url = url
        self.startedAt = startedAt
        self.duration = duration
        self.httpStatus = httpStatus
        self.bytes = bytes
        self.status = status
        self.error = error
        self.etag = etag
        self.lastModified = lastModified
        self.nextFetchAt = nextFetchAt
        self.documents = documents
    }
}

/// What the store did with a fetch: the ids and titles of the documents that were new.
public struct FetchOutcome: Sendable {
    public var newDocuments: [StoredDocument]
}

extension SQLiteConnection {
    /// Records the fetch, updates the source's status and inserts the new documents.
    /// Documents whose key is already stored are skipped (idempotent ingestion).
    /// Longest error text stored; longer ones are cut, so one bad feed cannot bloat every reply.
    public static let maxErrorLength = 1000

    public func record(_ fetch: FetchRecord, now: Date) throws -> FetchOutcome {
        let error = fetch.error.map { $0.count > Self.maxErrorLength ? String($0.prefix(Self.maxErrorLength)) + "…" : $0 }
        guard try scalar("SELECT 1 FROM sources WHERE id = ?", [.integer(fetch.sourceID)]) != nil else {
            throw TidingsError.notFound("source \(fetch.sourceID) was removed while it was being fetched; its results were dropped")
        }
        let insert = try prepare(
            """
            INSERT INTO documents (source_id, doc_key, url, guid, title, author, published_at,
                                   fetched_at, language, text, content_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (doc_key) DO NOTHING
            """)
        let fetchedAt = Timestamps.iso(now)
        var added: [StoredDocument] = []
        for document in fetch.documents {
            let published = document.published.map(Timestamps.iso)
            try insert.run([
                .integer(fetch.sourceID), .text(document.key), SQLiteValue(document.url), SQLiteValue(document.guid),
                SQLiteValue(document.title), SQLiteValue(document.author), SQLiteValue(published), .text(fetchedAt),
                SQLiteValue(document.language), .text(document.text), .text(document.contentHash),
            ])
            if changes > 0 {
                added.append(
                    StoredDocument(
                        id: lastInsertRowID, sourceID: fetch.sourceID, sourceName: nil, url: document.url,
                        guid: document.guid, title: document.title, author: document.author, published: published,
                        fetched: fetchedAt, text: document.text))
            }
        }
        let name = try scalar("SELECT name FROM sources WHERE id = ?", [.integer(fetch.sourceID)])?.string
        for index in added.indices { added[index].sourceName = name }
        try query(
            """
            INSERT INTO fetches (source_id, started_at, duration_ms, url, http_status, bytes, status, error, items, new_items)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(fetch.sourceID), .text(Timestamps.iso(fetch.startedAt)), .real(fetch.duration * 1000),
                .text(fetch.url), SQLiteValue(fetch.httpStatus.map(Int64.init)), SQLiteValue(fetch.bytes),
                .text(fetch.status.rawValue), SQLiteValue(error), SQLiteValue(fetch.documents.count),
                SQLiteValue(added.count),
            ])
        if let movedTo = fetch.movedTo,
            try scalar("SELECT 1 FROM sources WHERE url = ? AND id != ?", [.text(movedTo), .integer(fetch.sourceID)]) == nil
        {
            try query("UPDATE sources SET url = ? WHERE id = ?", [.text(movedTo), .integer(fetch.sourceID)])
        }
        let failed = fetch.status == .error
        try query(
            """
            UPDATE sources SET last_fetch_at = ?, last_status = ?, last_error = ?,
                consecutive_errors = CASE WHEN ? THEN consecutive_errors + 1 ELSE 0 END,
                next_fetch_at = ?, etag = coalesce(?, etag), last_modified = coalesce(?, last_modified)
            WHERE id = ?
            """,
            [
                .text(Timestamps.iso(fetch.startedAt)), .text(fetch.status.rawValue), SQLiteValue(error),
                SQLiteValue(failed), .text(Timestamps.iso(fetch.nextFetchAt)), SQLiteValue(fetch.etag),
                SQLiteValue(fetch.lastModified), .integer(fetch.sourceID),
            ])
        return FetchOutcome(newDocuments: added)
    }
}
