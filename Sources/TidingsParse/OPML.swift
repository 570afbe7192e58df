import Foundation

/// OPML subscription lists: the way feed readers import and export their sources.
public enum OPML {
    public struct Outline: Sendable, Equatable {
        public var title: String?
        public var url: String
        public init(title: String?, url: String) {
            self.title = title
            self.url = url
        }
    }

    /// Every outline with an `xmlUrl`, nested folders included.
    public static func read(_ bytes: [UInt8]) throws(FeedParseError) -> [Outline] {
        let decoded = Charset.decode(bytes)
        guard let document = XMLDocument(xml: Array(decoded.text.utf8), url: nil, encoding: "UTF-8"), let root = document.root,
            root.name == "opml"
        else {
            throw FeedParseError(message: "not an OPML file: no <opml> root element")
        }
        var outlines: [Outline] = []
        func walk(_ node: XMLNode) {
            for child in node.elements {
                if child.name == "outline", let url = child.attribute("xmlUrl") ?? child.attribute("xmlurl"), !url.isEmpty {
                    outlines.append(Outline(title: FeedParser.clean(child.attribute("title") ?? child.attribute("text")), url: url))
                }
                walk(child)
            }
        }
        walk(root)
        return outlines
    }

    /// An OPML 2.0 document listing `outlines`.
    public static func write(_ outlines: [Outline], title: String = "Tidings sources", now: Date = Date()) -> String {
        func escape(_ text: String) -> String {
            HTMLSanitizer.escape(text).replacingOccurrences(of: "\"", with: "&quot;")
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n<head><title>\(escape(title))</title></head>\n<body>\n"
        for outline in outlines {
            let name = escape(outline.title ?? outline.url)
            out += "  <outline type=\"rss\" text=\"\(name)\" title=\"\(name)\" xmlUrl=\"\(escape(outline.url))\"/>\n"
        }
        return out + "</body>\n</opml>\n"
    }
}
