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
    /// The source's new address after a permanent redirect (or a feed found on a page).
    public var movedTo: String?
    /// `movedTo` came from a web page advertising a feed, not from a redirect.
    public var discovered = false

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

/// What the store did with a fetch: the documents that were new, and how many known ones
/// changed (updated in place) or were seen again (another sighting).
public struct FetchOutcome: Sendable {
    public var newDocuments: [StoredDocument]
    public var updated: Int = 0
    public var seenElsewhere: Int = 0
    /// The source's URL was changed to the fetch's `movedTo` (another source did not have it).
    public var moved = false
    /// Article pages queued for new documents (see `article_queue`).
    public var articlesQueued = 0
}

/// How much of the fetch log (`fetches`) is kept: the newest rows of each source, and none
/// older than an age (swept by the daemon). At 10,000 polls/s the log would otherwise grow by
/// 860 million rows a day.
public enum FetchHistory {
    public static let defaultPerSource = 100
    /// A source's old rows are trimmed when a new row's id is a multiple of this.
    public static let trimEvery: Int64 = 8
    public static let defaultMaxAge: Double = 7 * 86_400
}

extension SQLiteConnection {
    /// Records the fetch, updates the source's status and inserts the new documents.
    /// Documents whose key is already stored are skipped (idempotent ingestion).
    /// Texts shorter than this are not merged by content hash (short blurbs collide by chance).
    public static let minimumTextForHashDedup = 200

    /// Longest error text stored; longer ones are cut, so one bad feed cannot bloat every reply.
    public static let maxErrorLength = 1000

    public func record(_ fetch: FetchRecord, now: Date, keepFetches: Int = FetchHistory.defaultPerSource) throws -> FetchOutcome {
        let error = fetch.error.map { $0.count > Self.maxErrorLength ? String($0.prefix(Self.maxErrorLength)) + "…" : $0 }
        // The source's row first: no row changed means it was removed meanwhile.
        let failed = fetch.status == .error
        try queryCached(
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
        guard changes == 1 else {
            throw TidingsError.notFound("source \(fetch.sourceID) was removed while it was being fetched; its results were dropped")
        }
        let fetchedAt = Timestamps.iso(now)
        var outcome = FetchOutcome(newDocuments: [])
        if !fetch.documents.isEmpty {
            try recordDocuments(fetch, fetchedAt: fetchedAt, outcome: &outcome)
            if !outcome.newDocuments.isEmpty {
                let name = try queryCached("SELECT name FROM sources WHERE id = ?", [.integer(fetch.sourceID)]).first?["name"].string
                for index in outcome.newDocuments.indices { outcome.newDocuments[index].sourceName = name }
            }
        }
        try queryCached(
            """
            INSERT INTO fetches (source_id, started_at, duration_ms, url, http_status, bytes, status, error, items, new_items)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .integer(fetch.sourceID), .text(Timestamps.iso(fetch.startedAt)), .real(fetch.duration * 1000),
                .text(fetch.url), SQLiteValue(fetch.httpStatus.map(Int64.init)), SQLiteValue(fetch.bytes),
                .text(fetch.status.rawValue), SQLiteValue(error), SQLiteValue(fetch.documents.count),
                SQLiteValue(outcome.newDocuments.count),
            ])
        // The fetch log keeps the newest `keepFetches` rows of each source. Every eighth row
        // (by id) trims its source's older rows with one index range: the log stays bounded
        // at any rate (at most 8 rows over per source) for an eighth of the work.
        let fetchID = lastInsertRowID
        if keepFetches > 0, fetchID % FetchHistory.trimEvery == 0 {
            try queryCached(
                """
                DELETE FROM fetches WHERE source_id = ?1 AND id <= (
                    SELECT id FROM fetches WHERE source_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)
                """, [.integer(fetch.sourceID), .integer(Int64(keepFetches))])
        }
        if let movedTo = fetch.movedTo,
            try scalar("SELECT 1 FROM sources WHERE url = ? AND id != ?", [.text(movedTo), .integer(fetch.sourceID)]) == nil
        {
            try query("UPDATE sources SET url = ? WHERE id = ?", [.text(movedTo), .integer(fetch.sourceID)])
            outcome.moved = true
        }
        return outcome
    }

    /// Stores a fetch's documents: new ones inserted (and their article pages queued), known
    /// ones updated or sighted again.
    private func recordDocuments(_ fetch: FetchRecord, fetchedAt: String, outcome: inout FetchOutcome) throws {
        let insert = try cached(
            """
            INSERT INTO documents (source_id, doc_key, url, guid, title, author, published_at,
                                   fetched_at, language, text, content_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let byKey = try cached("SELECT id, content_hash, source_id FROM documents WHERE doc_key = ?")
        let byHash = try cached("SELECT id FROM documents WHERE content_hash = ? ORDER BY id LIMIT 1")
        let bySighting = try cached("SELECT document_id FROM sightings WHERE source_id = ? AND doc_key = ? LIMIT 1")
        let update = try cached(
            "UPDATE documents SET title = ?, author = ?, text = ?, content_hash = ?, updated_at = ? WHERE id = ?")
        let clearExtractions = try cached("DELETE FROM extractions WHERE document_id = ?")
        let sighting = try cached(
            """
            INSERT INTO sightings (document_id, source_id, url, guid, first_seen, last_seen, doc_key) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (document_id, coalesce(source_id, -1), coalesce(url, ''))
            DO UPDATE SET last_seen = excluded.last_seen, doc_key = coalesce(doc_key, excluded.doc_key)
            """)
        let addEnclosure = try cached("INSERT OR IGNORE INTO enclosures (document_id, url, type, length) VALUES (?, ?, ?, ?)")
        let queueArticle = try cached(
            """
            INSERT OR IGNORE INTO article_queue (document_id, source_id, url, host, tls_verify, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for document in fetch.documents {
            let published = document.published.map(Timestamps.iso)
            var documentID: Int64
            try byKey.bind([.text(document.key)])
            if let known = try byKey.step() {
                // The same item again: a changed text updates the document, and its
                // extractions are dropped so that the plugins run on the new text.
                documentID = try known.int("id")
                let owner = known["source_id"].int
                byKey.reset()
                // Only the source that brought a document may change its text, and a teaser
                // never replaces the article read in full.
                if known["content_hash"].string != document.contentHash && !document.keepStoredText
                    && (owner == nil || owner == fetch.sourceID)
                {
                    try update.run([
                        SQLiteValue(document.title), SQLiteValue(document.author), .text(document.text),
                        .text(document.contentHash), .text(fetchedAt), .integer(documentID),
                    ])
                    try clearExtractions.run([.integer(documentID)])
                    outcome.updated += 1
                }
            } else if let seen = try { () throws -> Int64? in
                try bySighting.bind([.integer(fetch.sourceID), .text(document.key)])
                defer { bySighting.reset() }
                return try bySighting.step()?["document_id"].int
            }() {
                // This source brought the item before, and it was merged into a document with
                // the same text from elsewhere: nothing new.
                documentID = seen
            } else if document.text.unicodeScalars.count >= Self.minimumTextForHashDedup,
                let same = try { () throws -> Int64? in
                    try byHash.bind([.text(document.contentHash)])
                    defer { byHash.reset() }
                    return try byHash.step()?["id"].int
                }()
            {
                // The same story under another address (another feed, a syndicated copy).
                documentID = same
                outcome.seenElsewhere += 1
            } else {
                try insert.run([
                    .integer(fetch.sourceID), .text(document.key), SQLiteValue(document.url), SQLiteValue(document.guid),
                    SQLiteValue(document.title), SQLiteValue(document.author), SQLiteValue(published), .text(fetchedAt),
                    SQLiteValue(document.language), .text(document.text), .text(document.contentHash),
                ])
                documentID = lastInsertRowID
                if let article = document.article {
                    // Its page is read later, under the host's politeness, and survives restarts.
                    try queueArticle.run([
                        .integer(documentID), .integer(fetch.sourceID), .text(article.url), SQLiteValue(article.host),
                        SQLiteValue(article.tlsVerify), .text(fetchedAt), .text(fetchedAt),
                    ])
                    outcome.articlesQueued += 1
                }
                outcome.newDocuments.append(
                    StoredDocument(
                        id: documentID, sourceID: fetch.sourceID, sourceName: nil, url: document.url,
                        guid: document.guid, title: document.title, author: document.author, published: published,
                        fetched: fetchedAt, text: document.text))
            }
            for enclosure in document.enclosures {
                try addEnclosure.run([
                    .integer(documentID), .text(enclosure.url), SQLiteValue(enclosure.type), SQLiteValue(enclosure.length),
                ])
            }
            try sighting.run([
                .integer(documentID), .integer(fetch.sourceID), SQLiteValue(document.url), SQLiteValue(document.guid),
                .text(fetchedAt), .text(fetchedAt), .text(document.key),
            ])
        }
    }

    /// Drops fetch-log rows older than `maxAge` seconds (the newest rows of each source are
    /// trimmed as they come, in ``record(_:now:keepFetches:)``). Returns how many went.
    public func trimFetchLog(olderThan maxAge: Double, now: Date) throws -> Int {
        // Rows are appended in time order, so the old ones are those below the first recent
        // id: found by reading up from the oldest row (what is read is what goes).
        let cutoff = Timestamps.iso(now.addingTimeInterval(-maxAge))
        let firstKept = try scalar("SELECT id FROM fetches WHERE started_at >= ? ORDER BY id LIMIT 1", [.text(cutoff)])?.int
        if let firstKept {
            try query("DELETE FROM fetches WHERE id < ?", [.integer(firstKept)])
        } else {
            try query("DELETE FROM fetches")
        }
        return changes
    }
}
