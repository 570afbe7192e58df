import Foundation

/// A file attached to an item (a podcast episode, an image, a PDF).
public struct Enclosure: Sendable, Equatable, Codable {
    public var url: String
    public var type: String?
    public var length: Int64?
    public init(url: String, type: String?, length: Int64?) {
        self.url = url
        self.type = type
        self.length = length
    }
}

/// The web page behind a feed item whose own text is a teaser.
public struct ArticleLink: Sendable, Equatable {
    public var url: String
    /// The politeness key (the URL's host, lowercased).
    public var host: String?
    /// False only for a page on the source's own host when that source opted out of TLS checks.
    public var tlsVerify: Bool

    public init(url: String, host: String?, tlsVerify: Bool) {
        self.url = url
        self.host = host
        self.tlsVerify = tlsVerify
    }
}

/// One item read from a source, turned into clean text, ready to be stored.
public struct Document: Sendable, Equatable {
    /// The idempotency key: `url:<canonical URL>`, else `guid:<source id>:<guid>`, else
    /// `hash:<content hash>`. Storing the same key twice adds nothing.
    public var key: String
    public var sourceID: Int64?
    public var url: String?
    public var guid: String?
    public var title: String?
    public var author: String?
    public var published: Date?
    public var language: String?
    public var text: String
    /// SHA-256 of the normalized text (whitespace collapsed), lowercase hex.
    public var contentHash: String
    /// Files the item carries (`<enclosure>`, `rel="enclosure"`, JSON Feed attachments).
    public var enclosures: [Enclosure] = []
    /// Set when this text is a feed's teaser for an article already stored in full: seeing it
    /// again must not replace the article with the teaser.
    public var keepStoredText = false
    /// The article page to read in place of this item's short text, when the item is new:
    /// the store queues it with the document (`article_queue`).
    public var article: ArticleLink?

    /// Keys the document by its GUID within its source instead of its URL (for feeds whose
    /// items share one link, such as a podcast's home page).
    public mutating func keyByGUID() {
        guard let guid, !guid.isEmpty else { return }
        key = Document.key(sourceID: sourceID, url: nil, guid: guid, contentHash: contentHash)
    }

    public init(
        sourceID: Int64?, url: String?, guid: String?, title: String?, author: String?,
        published: Date?, language: String? = nil, text: String
    ) {
        self.sourceID = sourceID
        self.url = url
        self.guid = guid
        self.title = title
        self.author = author
        self.published = published
        self.language = language
        self.text = text
        self.contentHash = SHA256.hex(Document.normalizedForHash(text))
        self.key = Document.key(sourceID: sourceID, url: url, guid: guid, contentHash: contentHash)
    }

    /// Collapses whitespace runs so that re-wrapped text hashes the same.
    public static func normalizedForHash(_ text: String) -> String {
        text.collapsingWhitespace()
    }

    /// See ``key``.
    public static func key(sourceID: Int64?, url: String?, guid: String?, contentHash: String) -> String {
        if let url, !url.isEmpty { return "url:" + url }
        if let guid, !guid.isEmpty { return "guid:\(sourceID.map(String.init) ?? "-"):\(guid)" }
        return "hash:" + contentHash
    }
}

/// A document as the store returns it.
public struct StoredDocument: Sendable, Equatable, Codable {
    public var id: Int64
    public var sourceID: Int64?
    public var sourceName: String?
    public var url: String?
    public var guid: String?
    public var title: String?
    public var author: String?
    public var published: String?
    public var fetched: String
    public var text: String

    /// As the `documents` table names them: `published_at`, `fetched_at`.
    enum CodingKeys: String, CodingKey {
        case id, sourceID, sourceName, url, guid, title, author
        case published = "published_at"
        case fetched = "fetched_at"
        case text
    }

    public init(
        id: Int64, sourceID: Int64?, sourceName: String?, url: String?, guid: String?, title: String?,
        author: String?, published: String?, fetched: String, text: String
    ) {
        self.id = id
        self.sourceID = sourceID
        self.sourceName = sourceName
        self.url = url
        self.guid = guid
        self.title = title
        self.author = author
        self.published = published
        self.fetched = fetched
        self.text = text
    }
}
