import Foundation

/// RSS 0.9x, 1.0 (RDF) and 2.0, with the content:, dc: and xml:base extensions.
enum RSSReader {
    static func read(_ root: XMLNode, encoding: String) -> ParsedFeed {
        let isRDF = root.name == "rdf"
        var format = "rss"
        if isRDF {
            format = root.elements.contains { $0.namespace == Namespaces.rss090 } ? "rss090" : "rss10"
        } else if let version = root.attribute("version") {
            format = versions[version.trimmedWhitespace()] ?? "rss"
        }
        var feed = ParsedFeed(format: format, encoding: encoding)
        let channel = root.elements.first { $0.name == "channel" && isCore($0) }
        var itemNodes: [XMLNode] = []
        if let channel {
            feed.language = channel.language
            for node in channel.elements {
                let namespace = node.namespace
                switch (isCore(node) ? "" : namespace ?? "", node.name) {
                case ("", "title"): feed.title = FeedParser.title(node.text)
                case ("", "link"): feed.link = feed.link ?? FeedParser.link(FeedParser.nonEmpty(node.text) ?? node.attribute("href"), at: node)
                case ("", "id"): feed.id = feed.id ?? FeedParser.clean(node.text)
                case ("", "updated"): feed.updated = FeedDates.parse(node.text) ?? feed.updated
                case ("", "language"): feed.language = FeedParser.clean(node.text) ?? feed.language
                case ("", "ttl"): feed.ttl = FeedParser.clean(node.text).flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil }
                case ("", "lastbuilddate"), ("", "pubdate"), (Namespaces.dublinCore, "date"):
                    feed.updated = FeedDates.parse(node.text) ?? feed.updated
                case (Namespaces.dublinCore, "language"): feed.language = feed.language ?? FeedParser.clean(node.text)
                case (Namespaces.dublinCore, "title"): feed.title = feed.title ?? FeedParser.clean(node.text)
                case (Namespaces.dcTerms, "modified"), (Namespaces.dcTerms, "issued"): feed.updated = FeedDates.parse(node.text) ?? feed.updated
                case ("", "item"): itemNodes.append(node)
                default: break
                }
            }
        }
        // RSS 0.90/1.0 put items beside the channel; broken RSS 2.0 sometimes does too.
        itemNodes += root.elements.filter { $0.name == "item" && isCore($0) }
        feed.items = itemNodes.map(readItem)
        return feed
    }

    static let versions = ["0.91": "rss091", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094", "2.0": "rss20", "2.0.1": "rss20"]

    /// Elements of RSS itself: no namespace, or the RSS 1.0 / 0.90 namespaces.
    static func isCore(_ node: XMLNode) -> Bool {
        guard let namespace = node.namespace else { return true }
        return namespace == Namespaces.rss10 || namespace == Namespaces.rss090 || rssNamespaces.contains(namespace)
    }

    /// Default namespaces some RSS 2.0 feeds declare for RSS itself.
    static let rssNamespaces: Set<String> = [
        "http://backend.userland.com/rss2", "http://blogs.law.harvard.edu/tech/rss", "http://backend.userland.com/rss",
        "http://purl.org/net/rss1.1#",
    ]

    static func readItem(_ node: XMLNode) -> FeedItem {
        var item = FeedItem()
        var guidIsLink = false
        var dcCreator: String?
        var mediaTitle: String?, mediaSummary: String?
        for child in node.elements {
            switch (isCore(child) ? "" : child.namespace ?? "", child.name) {
            case ("", "title"): item.title = item.title ?? FeedParser.title(child.text)
            case ("", "link"):
                if child.attribute("rel") == nil || child.attribute("rel") == "alternate" {
                    item.link = item.link ?? FeedParser.link(FeedParser.nonEmpty(child.text) ?? child.attribute("href"), at: child)
                }
            case ("", "id"): item.guid = item.guid ?? FeedParser.clean(child.text)
            case ("", "updated"): item.updated = FeedDates.parse(child.text) ?? item.updated
            case ("", "summary"): if item.summary != nil { item.content = item.content ?? FeedParser.nonEmpty(child.text).map(HTMLSanitizer.escape) } else { item.summary = FeedParser.nonEmpty(child.text).map(HTMLSanitizer.escape) }
            case (Namespaces.itunes, "summary"): mediaSummary = mediaSummary ?? FeedParser.nonEmpty(child.text).map(HTMLSanitizer.escape)
            case (Namespaces.itunes, "author"): dcCreator = dcCreator ?? FeedParser.clean(child.text)
            case ("", "guid"):
                item.guid = FeedParser.clean(child.text)
                guidIsLink = (child.attribute("ispermalink") ?? child.attribute("isPermaLink") ?? "true").lowercased() != "false"
            case ("", "pubdate"): item.published = item.published ?? FeedDates.parse(child.text)
            case ("", "author"): item.author = FeedParser.clean(child.text) ?? item.author
            case ("", "description"): item.summary = item.summary ?? FeedParser.nonEmpty(child.text).map(HTMLSanitizer.clean)
            case (Namespaces.content, "encoded"): item.content = item.content ?? FeedParser.nonEmpty(child.text).map(HTMLSanitizer.clean)
            case (Namespaces.dublinCore, "creator"), (Namespaces.dublinCore, "author"): dcCreator = FeedParser.clean(child.text) ?? dcCreator
            case (Namespaces.dublinCore, "title"): item.title = item.title ?? FeedParser.clean(child.text)
            case (Namespaces.dublinCore, "description"): item.summary = item.summary ?? FeedParser.nonEmpty(child.text).map(HTMLSanitizer.clean)
            case (Namespaces.dcTerms, "issued"), (Namespaces.dcTerms, "created"): item.published = item.published ?? FeedDates.parse(child.text)
            case (Namespaces.dcTerms, "modified"): item.updated = FeedDates.parse(child.text) ?? item.updated
            case (Namespaces.media, _):
                Media.read(child, title: &mediaTitle, summary: &mediaSummary)
                if child.name == "content", let enclosure = FeedParser.enclosure(child, urlAttribute: "url"),
                    !item.enclosures.contains(where: { $0.url == enclosure.url })
                {
                    item.enclosures.append(enclosure)
                }
            case ("", "enclosure"): if let enclosure = FeedParser.enclosure(child, urlAttribute: "url") { item.enclosures.append(enclosure) }
            case ("", "fullitem"): item.content = item.content ?? FeedParser.nonEmpty(child.text).map(HTMLSanitizer.clean)
            case (Namespaces.dublinCore, "date"): item.updated = item.updated ?? FeedDates.parse(child.text)
            case (Namespaces.xhtml, "body"), (Namespaces.xhtml, "div"), ("", "body"): item.content = item.content ?? FeedParser.nonEmpty(HTMLSanitizer.clean(child.innerXML))
            default: break
            }
        }
        if item.guid == nil, let about = node.attribute("about", namespace: Namespaces.rdf) { item.guid = FeedParser.clean(about) }
        if item.link == nil, guidIsLink, let guid = item.guid, guid.contains("://") || guid.hasPrefix("/") {
            item.link = FeedParser.link(guid, at: node)
        }
        item.author = item.author ?? dcCreator
        item.title = item.title ?? mediaTitle
        item.summary = item.summary ?? mediaSummary
        item.updated = item.updated ?? item.published
        item.summary = item.summary ?? item.content
        return item
    }

}

/// Media RSS (`media:title`, `media:description`, also inside `media:group`): fallbacks for
/// an entry's own title and summary.
enum Media {
    static func read(_ node: XMLNode, title: inout String?, summary: inout String?) {
        switch node.name {
        case "title": title = title ?? FeedParser.clean(node.text)
        case "description": summary = summary ?? FeedParser.nonEmpty(node.text).map(HTMLSanitizer.escape)
        case "group", "content": for part in node.elements where part.namespace == Namespaces.media { read(part, title: &title, summary: &summary) }
        default: break
        }
    }
}
