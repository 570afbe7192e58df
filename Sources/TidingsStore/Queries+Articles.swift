import Foundation
import TidingsCore

/// An article page waiting to be read (a row of `article_queue`).
public struct PendingArticle: Sendable, Equatable {
    public var id: Int64
    public var documentID: Int64
    public var sourceID: Int64?
    public var url: String
    public var host: String?
    public var tlsVerify: Bool
    public var attempts: Int
    public var nextAttemptAt: Date
}

/// What an article page gave: the fields the page has, to fill in what the feed item lacked.
public struct ArticleContent: Sendable, Equatable {
    public var title: String?
    public var author: String?
    public var published: Date?
    public var language: String?
    public var text: String

    public init(title: String?, author: String?, published: Date?, language: String?, text: String) {
        self.title = title
        self.author = author
        self.published = published
        self.language = language
        self.text = text
    }
}

/// What became of a page: its document, and whether the article replaced the teaser.
public struct ArticleOutcome: Sendable, Equatable {
    public var documentID: Int64
    public var replaced: Bool
}

/// How many article pages wait, and how many were given up.
public struct ArticleBacklog: Sendable, Equatable, Codable {
    public var pending: Int
    public var failed: Int
}

extension SQLiteConnection {
    /// Pending pages after `id` (the daemon loads them in windows, oldest first).
    public func pendingArticles(after id: Int64, limit: Int) throws -> [PendingArticle] {
        try query(
            """
            SELECT id, document_id, source_id, url, host, tls_verify, attempts, next_attempt_at
            FROM article_queue WHERE status = 'pending' AND id > ? ORDER BY id LIMIT ?
            """, [.integer(id), .integer(Int64(limit))]
        ).map { row in
            PendingArticle(
                id: try row.int("id"), documentID: try row.int("document_id"), sourceID: row["source_id"].int,
                url: try row.text("url"), host: row["host"].string, tlsVerify: try row.int("tls_verify") != 0,
                attempts: Int(try row.int("attempts")), nextAttemptAt: try row.date("next_attempt_at"))
        }
    }

    /// The page was read: the article replaces the document's text when it is longer (the
    /// item's own title, author, date and language win over the page's), and the row goes.
    /// A changed text loses its extractions, so the plugins run on the article.
    public func finishArticle(id: Int64, content: ArticleContent?, now: Date) throws -> ArticleOutcome? {
        guard let row = try queryCached(
            """
            SELECT a.document_id, d.text FROM article_queue a JOIN documents d ON d.id = a.document_id WHERE a.id = ?
            """, [.integer(id)]
        ).first else { return nil }
        let documentID = try row.int("document_id")
        var replaced = false
        if let content, content.text.unicodeScalars.count > (try row.text("text")).unicodeScalars.count {
            try queryCached(
                """
                UPDATE documents SET title = coalesce(title, ?), author = coalesce(author, ?),
                    published_at = coalesce(published_at, ?), language = coalesce(language, ?), text = ?, content_hash = ?
                WHERE id = ?
                """,
                [
                    SQLiteValue(content.title), SQLiteValue(content.author), SQLiteValue(content.published.map(Timestamps.iso)),
                    SQLiteValue(content.language), .text(content.text),
                    .text(SHA256.hex(Document.normalizedForHash(content.text))), .integer(documentID),
                ])
            try queryCached("DELETE FROM extractions WHERE document_id = ?", [.integer(documentID)])
            replaced = true
        }
        try queryCached("DELETE FROM article_queue WHERE id = ?", [.integer(id)])
        return ArticleOutcome(documentID: documentID, replaced: replaced)
    }

    /// The page could not be read this time: tried again at `next`.
    public func retryArticle(id: Int64, error: String, next: Date) throws {
        try queryCached(
            "UPDATE article_queue SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
            [.text(String(error.prefix(Self.maxErrorLength))), .text(Timestamps.iso(next)), .integer(id)])
    }

    /// The page is given up: the document keeps the feed's text (and is analysed with it).
    public func failArticle(id: Int64, error: String) throws -> Int64? {
        let documentID = try queryCached("SELECT document_id FROM article_queue WHERE id = ?", [.integer(id)]).first?["document_id"].int
        try queryCached(
            "UPDATE article_queue SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
            [.text(String(error.prefix(Self.maxErrorLength))), .integer(id)])
        return documentID
    }

    public func articleBacklog() throws -> ArticleBacklog {
        let row = try query(
            """
            SELECT (SELECT count(*) FROM article_queue WHERE status = 'pending') AS pending,
                   (SELECT count(*) FROM article_queue WHERE status = 'failed') AS failed
            """)[0]
        return ArticleBacklog(pending: Int(try row.int("pending")), failed: Int(try row.int("failed")))
    }
}
