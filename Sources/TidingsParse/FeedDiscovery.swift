/// Finds the feeds a web page advertises (`<link rel="alternate" type="application/rss+xml">`
/// and friends), so that a site's home page can be added as a source.
public enum FeedDiscovery {
    static let feedTypes: Set<String> = [
        "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "application/rdf+xml",
        "text/xml", "application/xml",
    ]

    /// Feed URLs in the page, absolute, best first (RSS/Atom before generic XML/JSON).
    public static func feeds(in html: [UInt8], url: String?) -> [String] {
        let decoded = Charset.decode(html)
        guard let document = XMLDocument(html: Array(decoded.text.utf8), url: url, encoding: "UTF-8"), let root = document.root else {
            return []
        }
        var found: [(rank: Int, url: String)] = []
        func walk(_ node: XMLNode) {
            guard node.isElement else { return }
            if node.name == "link" || node.name == "a",
                let rel = node.attribute("rel")?.lowercased(), rel.split(separator: " ").contains("alternate"),
                let type = node.attribute("type")?.lowercased(), feedTypes.contains(type),
                let href = node.attribute("href"), let absolute = URLCanonicalizer.resolve(href, base: node.base ?? url)
            {
                let rank = type.contains("rss") || type.contains("atom") ? 0 : (type.contains("feed+json") ? 1 : 2)
                if !found.contains(where: { $0.url == absolute }) { found.append((rank, absolute)) }
            }
            if node.name == "body" && !found.isEmpty { return }
            for child in node.children { walk(child) }
        }
        walk(root)
        return found.enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }.map(\.element.url)
    }
}
