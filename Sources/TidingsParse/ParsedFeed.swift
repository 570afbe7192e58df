import Foundation
import TidingsCore

/// A feed as the parser read it.
public struct ParsedFeed: Sendable, Equatable {
    /// `rss090`, `rss091`, `rss092`, `rss093`, `rss094`, `rss20`, `rss10`, `atom03`, `atom10`,
    /// `json1`, or `rss` for an RSS root without a known version.
    public var format: String
    /// The encoding the bytes were decoded from.
    public var encoding: String
    public var title: String?
    public var link: String?
    public var id: String?
    public var updated: Date?
    public var language: String?
    /// RSS `<ttl>`: minutes the feed may be cached.
    public var ttl: Double?
    public var items: [FeedItem]
    /// Problems met while reading. The items that could be recovered are still returned.
    public var warnings: [String]

    public init(format: String, encoding: String) {
        self.format = format
        self.encoding = encoding
        items = []
        warnings = []
    }
}

/// One feed entry, with links already resolved against the feed's address (and xml:base).
public struct FeedItem: Sendable, Equatable {
    public var title: String?
    public var link: String?
    public var guid: String?
    public var published: Date?
    public var updated: Date?
    public var author: String?
    /// Sanitized HTML (or plain text) of the entry's summary.
    public var summary: String?
    /// Sanitized HTML of the entry's full content, when the feed has one.
    public var content: String?
    public var enclosures: [Enclosure] = []

    public init() {}

    /// The clean-text document this item becomes.
    public func document(sourceID: Int64?) -> Document {
        let body = HTMLText.plainText(content ?? summary ?? "")
        var document = Document(
            sourceID: sourceID, url: link.flatMap(URLCanonicalizer.canonical), guid: guid,
            title: title.map(HTMLText.plainText), author: author, published: published ?? updated, text: body)
        document.enclosures = enclosures
        return document
    }
}

/// Why a feed could not be read at all.
public struct FeedParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}
