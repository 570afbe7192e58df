import Foundation
import TidingsCore

/// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1).
enum JSONFeedReader {
    static func read(_ text: String, url: String?) throws(FeedParseError) -> ParsedFeed {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw FeedParseError(message: "not a JSON Feed: the JSON is malformed or not an object")
        }
        guard let version = object["version"] as? String, version.contains("jsonfeed.org/version/1") else {
            throw FeedParseError(message: "not a JSON Feed: no \"version\" of https://jsonfeed.org/version/1")
        }
        var feed = ParsedFeed(format: "json1", encoding: "utf-8")
        feed.title = FeedParser.clean(object["title"] as? String)
        feed.link = resolve(object["home_page_url"] as? String, url)
        feed.id = FeedParser.clean(object["feed_url"] as? String)
        feed.language = FeedParser.clean(object["language"] as? String)
        let feedAuthor = author(object)
        for raw in object["items"] as? [[String: Any]] ?? [] {
            var item = FeedItem()
            item.guid = (raw["id"] as? String) ?? (raw["id"] as? NSNumber).map { $0.stringValue }
            item.link = resolve(raw["url"] as? String, url) ?? resolve(raw["external_url"] as? String, url)
            item.title = FeedParser.clean(raw["title"] as? String)
            item.published = (raw["date_published"] as? String).flatMap(FeedDates.parse)
            item.updated = (raw["date_modified"] as? String).flatMap(FeedDates.parse) ?? item.published
            item.author = author(raw) ?? feedAuthor
            let html = (raw["content_html"] as? String).flatMap(FeedParser.nonEmpty).map(HTMLSanitizer.clean)
            let plain = (raw["content_text"] as? String).flatMap(FeedParser.nonEmpty).map(HTMLSanitizer.escape)
            item.content = html ?? plain
            item.summary = (raw["summary"] as? String).flatMap(FeedParser.nonEmpty).map(HTMLSanitizer.escape) ?? item.content
            for attachment in raw["attachments"] as? [[String: Any]] ?? [] {
                guard let link = resolve(attachment["url"] as? String, url) else { continue }
                let size = (attachment["size_in_bytes"] as? NSNumber)?.int64Value
                item.enclosures.append(Enclosure(url: link, type: attachment["mime_type"] as? String, length: size))
            }
            if item.title != nil || item.content != nil || item.link != nil { feed.items.append(item) }
        }
        return feed
    }

    static func resolve(_ value: String?, _ base: String?) -> String? {
        FeedParser.nonEmpty(value).flatMap { URLCanonicalizer.resolve($0, base: base) }
    }

    static func author(_ object: [String: Any]) -> String? {
        if let authors = object["authors"] as? [[String: Any]], let name = authors.first?["name"] as? String { return FeedParser.clean(name) }
        return (object["author"] as? [String: Any])?["name"] as? String
    }
}
