import Foundation

/// Atom 1.0 and 0.3, with text constructs in text, html, xhtml and base64 form.
enum AtomReader {
    static func read(_ root: XMLNode, encoding: String) -> ParsedFeed {
        let is03 = root.namespace == Namespaces.atom03 || root.attribute("version") == "0.3"
        var feed = ParsedFeed(format: is03 ? "atom03" : "atom10", encoding: encoding)
        feed.language = root.language
        let own = root.namespace
        for node in root.elements where isAtom(node, own) {
            switch node.name {
            case "title": feed.title = FeedParser.title(textConstruct(node, html: false))
            case "link": feed.link = link(node, current: feed.link)
            case "id": feed.id = identifier(node)
            case "updated", "modified": feed.updated = FeedDates.parse(node.text) ?? feed.updated
            case "entry": feed.items.append(readEntry(node, own))
            default: break
            }
        }
        if feed.link == nil, let id = feed.id { feed.link = id }
        return feed
    }

    /// An id; a relative reference resolves against the base, as other links do.
    static func identifier(_ node: XMLNode) -> String? {
        guard let id = FeedParser.clean(node.text) else { return nil }
        return id.hasPrefix("/") ? FeedParser.link(id, at: node) : id
    }

    /// Atom's own elements: no namespace, an Atom namespace, or the root's own namespace
    /// (pre-1.0 feeds used several).
    static func isAtom(_ node: XMLNode, _ own: String?) -> Bool {
        node.namespace == nil || node.namespace == own || node.namespace == Namespaces.atom10 || node.namespace == Namespaces.atom03
    }

    static func isAlternate(_ node: XMLNode) -> Bool {
        (node.attribute("rel") ?? "alternate") == "alternate"
    }

    /// The alternate link wins over other rels; a link written as text (no href) is taken as
    /// it comes, the last one winning, as feedparser does.
    static func link(_ node: XMLNode, current: String?) -> String? {
        guard let href = node.attribute("href") else { return FeedParser.link(node.text, at: node) ?? current }
        guard isAlternate(node) || current == nil else { return current }
        return FeedParser.link(href, at: node) ?? current
    }

    static func readEntry(_ node: XMLNode, _ own: String?) -> FeedItem {
        var item = FeedItem()
        var mediaTitle: String?, mediaSummary: String?
        var linkIsAlternate = false
        for child in node.elements {
            if child.namespace == Namespaces.media { Media.read(child, title: &mediaTitle, summary: &mediaSummary) }
            guard isAtom(child, own) || child.namespace == Namespaces.dublinCore else { continue }
            switch (child.namespace == Namespaces.dublinCore, child.name) {
            case (false, "title"): item.title = FeedParser.title(textConstruct(child, html: false))
            case (false, "link") where child.attribute("rel") == "enclosure" && child.attribute("href") != nil:
                if let enclosure = FeedParser.enclosure(child, urlAttribute: "href") { item.enclosures.append(enclosure) }
                if item.link == nil { item.link = link(child, current: nil) }
            case (false, "link"):
                if child.attribute("href") == nil || !linkIsAlternate {
                    item.link = link(child, current: item.link)
                    linkIsAlternate = child.attribute("href") != nil && isAlternate(child)
                }
            case (false, "id"): item.guid = identifier(child)
            case (false, "published"), (false, "issued"), (false, "created"): item.published = FeedDates.parse(child.text) ?? item.published
            case (false, "updated"), (false, "modified"): item.updated = FeedDates.parse(child.text) ?? item.updated
            case (false, "author"):
                let name = child.elements.first { $0.name == "name" }.flatMap { FeedParser.clean($0.text) }
                let email = child.elements.first { $0.name == "email" }.flatMap { FeedParser.clean($0.text) }
                item.author = name.map { n in email.map { "\(n) (\($0))" } ?? n } ?? email ?? item.author
            case (false, "summary"): item.summary = FeedParser.nonEmpty(textConstruct(child, html: true))
            case (false, "content"): item.content = item.content ?? FeedParser.nonEmpty(textConstruct(child, html: true))
            case (true, "creator"): item.author = item.author ?? FeedParser.clean(child.text)
            case (true, "date"): item.updated = item.updated ?? FeedDates.parse(child.text)
            default: break
            }
        }
        item.updated = item.updated ?? item.published
        item.title = item.title ?? mediaTitle
        item.summary = item.summary ?? item.content ?? mediaSummary
        if item.link == nil, let id = item.guid { item.link = id }
        return item
    }

    /// The value of an Atom text construct: `type` text, html, xhtml or a media type, and
    /// Atom 0.3's `mode="base64"`/`"escaped"`. HTML is sanitized when `html` is set.
    static func textConstruct(_ node: XMLNode, html: Bool) -> String {
        let type = (node.attribute("type") ?? "text").lowercased()
        var value: String
        if type == "xhtml" || type == "application/xhtml+xml" {
            let div = node.elements.first { $0.name == "div" }
            value = (div ?? node).innerXML
        } else if node.attribute("mode")?.lowercased() == "base64" || (type.utf8.contains(0x2F) && !type.hasPrefix("text/") && !type.hasSuffix("xml")) {
            let raw = node.text.filter { !$0.isWhitespace }
            value = Data(base64Encoded: raw).flatMap { String(data: $0, encoding: .utf8) } ?? node.text
        } else if type.hasSuffix("xml") && !node.elements.isEmpty {
            value = node.innerXML
        } else {
            value = node.text
        }
        let isMarkup = type == "html" || type == "text/html" || type == "xhtml" || type.hasSuffix("xml") || node.attribute("mode") == "escaped"
        return html && isMarkup ? HTMLSanitizer.clean(value) : value
    }
}
