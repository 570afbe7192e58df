import CTidingsSys
import Foundation

/// Finds the article body in a news page, readability-style: paragraphs vote for the blocks
/// that contain them, weighted by length, commas and class names, discounted by link density;
/// the best block and its worthy siblings are the article. Navigation, asides, forms,
/// comments and share bars are left out. No network, no script execution.
public enum ArticleExtractor {
    /// Extracts from page bytes (gzip accepted) fetched from `url`.
    /// The scoring behind `extract(_:url:headers:)`, for people tuning it.
    public static func explain(_ input: [UInt8], url: String?) throws(FeedParseError) -> [String] {
        let bytes = try gunzipIfNeeded(input)
        let page = RawTextFilter.emptyingScriptsAndStyles(utf8Page(bytes, contentType: nil))
        guard let document = XMLDocument(html: page, url: url, encoding: "UTF-8"), let root = document.root else {
            throw FeedParseError(message: "not HTML: nothing could be read")
        }
        return BodyFinder(root: root).explain()
    }

    public static func extract(_ input: [UInt8], url: String?, headers: [String: String] = [:]) throws(FeedParseError) -> Article {
        let bytes = try gunzipIfNeeded(input)
        guard !bytes.isEmpty else { throw FeedParseError(message: "the page is empty") }
        let page = RawTextFilter.emptyingScriptsAndStyles(utf8Page(bytes, contentType: headers["content-type"]))
        guard let document = XMLDocument(html: page, url: url, encoding: "UTF-8"), let root = document.root else {
            throw FeedParseError(message: "not HTML: nothing could be read")
        }
        var article = Article(title: nil, text: "", author: nil, published: nil, language: nil)
        let meta = PageMetadata(root: root)
        article.title = meta.title
        article.author = meta.author
        article.published = meta.published
        article.language = meta.language ?? headers["content-language"]
        article.text = BodyFinder(root: root).text()
        return article
    }

    /// The page as UTF-8 bytes, decoded as ``Charset/decode(_:contentType:)`` decides, without
    /// making it a string and back (a page's validation and copy, twice): what comes back is
    /// valid UTF-8, and anything else is repaired as a string would be.
    static func utf8Page(_ bytes: [UInt8], contentType: String?) -> [UInt8] {
        let decoded = Charset.decodeToUTF8(bytes, contentType: contentType).bytes
        return Charset.isValidUTF8(decoded) ? decoded : Array(String(decoding: decoded, as: UTF8.self).utf8)
    }

    static func gunzipIfNeeded(_ bytes: [UInt8]) throws(FeedParseError) -> [UInt8] {
        guard bytes.count > 2, bytes[0] == 0x1F, bytes[1] == 0x8B else { return bytes }
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let rc = bytes.withUnsafeBufferPointer { tidings_gunzip($0.baseAddress, $0.count, &out, &length, 64 << 20) }
        guard rc == 0, let out else {
            throw FeedParseError(message: rc == -2 ? "the page inflates past 64 MiB" : "corrupt gzip data")
        }
        defer { free(out) }
        return Array(UnsafeBufferPointer(start: out, count: length))
    }
}

/// Title, author, date and language from meta tags, JSON-LD-free.
struct PageMetadata {
    var title: String?
    var author: String?
    var published: Date?
    var language: String?

    init(root: XMLNode) {
        language = root.attribute("lang").flatMap { $0.isEmpty ? nil : $0 }
        var metas: [String: String] = [:]
        var titleTag: String?
        var firstH1: String?
        var timeValue: String?
        func walk(_ node: XMLNode) {
            guard node.isElement else { return }
            switch node.name {
            case "meta":
                let key = (node.attribute("property") ?? node.attribute("name") ?? node.attribute("itemprop") ?? "").lowercased()
                if !key.isEmpty, metas[key] == nil, let content = node.attribute("content"), !content.isEmpty { metas[key] = content }
                if node.attribute("http-equiv")?.lowercased() == "content-language", let content = node.attribute("content") {
                    metas["content-language"] = content
                }
            case "title": titleTag = titleTag ?? FeedParser.clean(node.text)
            case "h1": firstH1 = firstH1 ?? FeedParser.clean(node.text)
            case "time": timeValue = timeValue ?? node.attribute("datetime")
            case "script", "style": return
            default: break
            }
            for child in node.childNodes where child.isElement { walk(child) }
        }
        walk(root)
        title = FeedParser.clean(metas["og:title"] ?? metas["twitter:title"]) ?? firstH1 ?? titleTag
        author = FeedParser.clean(metas["author"] ?? metas["article:author"] ?? metas["byl"] ?? metas["dc.creator"])
        let dateText = metas["article:published_time"] ?? metas["datepublished"] ?? metas["date"] ?? metas["pubdate"]
            ?? metas["dc.date"] ?? metas["og:published_time"] ?? timeValue
        published = dateText.flatMap(FeedDates.parse)
        language = language ?? metas["content-language"] ?? metas["og:locale"]?.replacingOccurrences(of: "_", with: "-")
    }
}
