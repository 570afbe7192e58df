import CXML
import Foundation
import TidingsCore

/// Reads RSS 2.0 feeds. This is the walking skeleton's reader: the full set of formats (RSS
/// 0.9x/1.0, Atom, JSON Feed), charset detection and recovery rules replace it in the
/// fetching-and-reading stage, behind this same entry point.
public enum FeedParser {
    /// Parses `bytes` fetched from `url` (used to resolve relative links).
    public static func parse(_ bytes: [UInt8], url: String?) throws(FeedParseError) -> ParsedFeed {
        guard !bytes.isEmpty else { throw FeedParseError(message: "the feed is empty (0 bytes)") }
        guard let document = XMLDocument(xml: bytes, url: url), let root = document.root else {
            throw FeedParseError(message: "not XML: no root element could be read")
        }
        guard root.name == "rss" else {
            throw FeedParseError(
                message: "unsupported feed format: root element <\(root.name)>; this version reads RSS 2.0 (<rss>) only")
        }
        guard let channel = root.elements.first(where: { $0.name == "channel" }) else {
            throw FeedParseError(message: "RSS feed without a <channel> element")
        }
        var feed = ParsedFeed(format: "rss20", title: nil, link: nil, items: [], warnings: [])
        var skipped = 0
        for node in channel.elements where node.namespace == nil {
            switch node.name {
            case "title": feed.title = clean(node.text)
            case "link": feed.link = URLCanonicalizer.resolve(node.text, base: url)
            case "item":
                let item = readItem(node, base: url)
                if item.title == nil && item.summary == nil && item.content == nil {
                    skipped += 1
                } else {
                    feed.items.append(item)
                }
            default: break
            }
        }
        if skipped > 0 { feed.warnings.append("skipped \(skipped) <item>(s) with neither title nor description") }
        return feed
    }

    static func readItem(_ node: XMLNode, base: String?) -> FeedItem {
        var item = FeedItem(title: nil, link: nil, guid: nil, published: nil, author: nil, summary: nil, content: nil)
        for child in node.elements {
            let namespace = child.namespace ?? ""
            switch (namespace, child.name) {
            case ("", "title"): item.title = clean(child.text)
            case ("", "link"): item.link = URLCanonicalizer.resolve(child.text, base: base)
            case ("", "guid"): item.guid = clean(child.text)
            case ("", "pubdate"): item.published = FeedDates.parse(child.text)
            case ("", "author"): item.author = item.author ?? clean(child.text)
            case ("", "description"): item.summary = nonEmpty(child.text)
            case (Namespaces.content, "encoded"): item.content = nonEmpty(child.text)
            case (Namespaces.dublinCore, "creator"): item.author = clean(child.text)
            case (Namespaces.dublinCore, "date"): item.published = item.published ?? FeedDates.parse(child.text)
            default: break
            }
        }
        return item
    }

    static func clean(_ text: String) -> String? {
        nonEmpty(text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " "))
    }

    static func nonEmpty(_ text: String) -> String? {
        text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }
}

enum Namespaces {
    static let content = "http://purl.org/rss/1.0/modules/content/"
    static let dublinCore = "http://purl.org/dc/elements/1.1/"
}
