import CSQLite
import Foundation
import TidingsCore

/// Counts shown by `status`.
public struct StoreCounts: Sendable, Codable, Equatable {
    public var sources: Int
    public var enabledSources: Int
    public var documents: Int
    public var fetches: Int
    public var fetchErrors: Int
    public var failingSources: Int
}

/// A search hit with an FTS5 snippet.
public struct SearchHit: Sendable, Codable, Equatable {
    public var id: Int64
    public var title: String?
    public var source: String?
    public var published: String?
    public var url: String?
    public var snippet: String

    /// Named as the `documents` and `sources` tables name them.
    enum CodingKeys: String, CodingKey {
        case id, title
        case source = "source_name"
        case published = "published_at"
        case url, snippet
    }
}

/// A read-only view of the database. Used by `tidingsctl search/show` without a daemon, and by
/// the daemon's reader queue, so that reads never wait for the writer (WAL). Not Sendable:
/// like every connection it belongs to one thread or queue (the daemon keeps its reader in a
/// `QueueConfined` on the reader queue).
public final class StoreReader {
    /// The connection is the store's own business: callers read through ``queries``.
    let connection: SQLiteConnection
    /// The reads the daemon and `tidingsctl` make (see `StoreQueries`). The value keeps this
    /// reader open for as long as it is held.
    public var queries: any StoreQueries { SQLiteQueries(reader: self) }

    /// Opens `path` read-only. A missing file is a clear error rather than a new empty database.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TidingsError.notFound(
                "no database at \(path); start tidingsd first, or pass --database (or set TIDINGS_DATABASE)")
        }
        connection = try SQLiteConnection(path: path, readOnly: true)
        try connection.execute("PRAGMA query_only=ON")
        let version = Int(try connection.scalar("PRAGMA user_version")?.int ?? 0)
        guard version >= 1 else {
            throw TidingsError("not_a_store", "\(path) is not a Tidings database (schema version \(version))")
        }
    }

    public func counts() throws -> StoreCounts {
        let row = try connection.query(
            """
            SELECT (SELECT count(*) FROM sources) AS sources,
                   (SELECT count(*) FROM sources WHERE enabled = 1) AS enabled,
                   (SELECT count(*) FROM documents) AS documents,
                   (SELECT count(*) FROM fetches) AS fetches,
                   (SELECT count(*) FROM fetches WHERE status = 'error') AS fetch_errors,
                   (SELECT count(*) FROM sources WHERE consecutive_errors > 0) AS failing
            """)[0]
        return StoreCounts(
            sources: Int(try row.int("sources")), enabledSources: Int(try row.int("enabled")),
            documents: Int(try row.int("documents")), fetches: Int(try row.int("fetches")),
            fetchErrors: Int(try row.int("fetch_errors")), failingSources: Int(try row.int("failing")))
    }

    public func sources() throws -> [Source] { try connection.sources() }

    public func source(idOrName: String) throws -> Source? { try connection.source(idOrName: idOrName) }

    static let documentColumns = """
        d.id, d.source_id, s.name AS source_name, d.url, d.guid, d.title, d.author, d.published_at,
        d.fetched_at, d.text
        """

    static func document(from row: Row) throws -> StoredDocument {
        StoredDocument(
            id: try row.int("id"), sourceID: row["source_id"].int, sourceName: row["source_name"].string,
            url: row["url"].string, guid: row["guid"].string, title: row["title"].string,
            author: row["author"].string, published: row["published_at"].string,
            fetched: try row.text("fetched_at"), text: try row.text("text"))
    }

    public func document(id: Int64) throws -> StoredDocument? {
        try connection.query(
            "SELECT \(Self.documentColumns) FROM documents d LEFT JOIN sources s ON s.id = d.source_id WHERE d.id = ?",
            [.integer(id)]
        ).first.map { try Self.document(from: $0) }
    }

    /// The newest documents, oldest first (as `tail` prints them).
    public func recentDocuments(limit: Int) throws -> [StoredDocument] {
        try connection.query(
            """
            SELECT * FROM (SELECT \(Self.documentColumns) FROM documents d LEFT JOIN sources s ON s.id = d.source_id
                           ORDER BY d.id DESC LIMIT ?) ORDER BY id
            """, [.integer(Int64(limit))]
        ).map { try Self.document(from: $0) }
    }

    /// Full-text search (FTS5 query syntax) with `[`…`]` around matches in the snippet.
    /// A malformed query is an `invalid_params` error that quotes SQLite's complaint.
    public func search(_ query: String, limit: Int) throws -> [SearchHit] {
        do {
            return try connection.query(
                """
                SELECT d.id, d.title, s.name AS source, d.published_at, d.url,
                       snippet(documents_fts, 1, '[', ']', '…', 16) AS snippet
                FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid
                LEFT JOIN sources s ON s.id = d.source_id
                WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?
                """, [.text(query), .integer(Int64(limit))]
            ).map { row in
                SearchHit(
                    id: try row.int("id"), title: row["title"].string, source: row["source"].string,
                    published: row["published_at"].string, url: row["url"].string, snippet: try row.text("snippet"))
            }
        } catch let error as SQLiteError where error.code == SQLITE_ERROR {
            // SQLITE_ERROR from MATCH is the query's syntax; I/O or corruption have other codes.
            throw TidingsError.invalid(
                "bad search query \"\(query)\": \(error.message); see https://sqlite.org/fts5.html#full_text_query_syntax, or quote the words")
        }
    }
}
