import Foundation
import TidingsCore

/// A feed as the parser read it.
public struct ParsedFeed: Sendable, Equatable {
    public var format: String
    public var title: String?
    public var link: String?
    public var items: [FeedItem]
    /// Problems met while reading. The items that could be recovered are still returned.
    public var warnings: [String]
}

/// One feed entry, with links already resolved against the feed's address.
public struct FeedItem: Sendable, Equatable {
    public var title: String?
    public var link: String?
    public var guid: String?
    public var published: Date?
    public var author: String?
    /// HTML or text of the entry's summary (`description`).
    public var summary: String?
    /// HTML of the entry's full content (`content:encoded`), when present.
    public var content: String?

    /// The clean-text document this item becomes.
    public func document(sourceID: Int64?) -> Document {
        let body = HTMLText.plainText(content ?? summary ?? "")
        return Document(
            sourceID: sourceID, url: link.flatMap(URLCanonicalizer.canonical), guid: guid,
            title: title.map(HTMLText.plainText), author: author, published: published, text: body)
    }
}

/// Why a feed could not be read at all.
public struct FeedParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
