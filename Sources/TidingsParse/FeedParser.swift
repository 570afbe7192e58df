import CXML
import Foundation
import TidingsCore

/// Reads RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.x. The format is detected from the
/// content, not from headers. Malformed XML yields what libxml2 can recover plus a warning;
/// only input with nothing recognisable is an error.
public enum FeedParser {
    /// Parses `bytes` fetched from `url` with the response's headers (lowercase names):
    /// `content-type` gives the charset, `content-location` the base for relative links
    /// (resolved against `url`), `content-language` the default language.
    public static func parse(_ bytes: [UInt8], url: String?, headers: [String: String] = [:]) throws(FeedParseError) -> ParsedFeed {
        guard !bytes.isEmpty else { throw FeedParseError(message: "the feed is empty (0 bytes)") }
        let decoded = Charset.decodeToUTF8(bytes, contentType: headers["content-type"])
        // Content-Location is the base for relative links, if it is a safe (web) address.
        let location = headers["content-location"].flatMap { URLCanonicalizer.resolve($0, base: url) }
            .flatMap { URL(string: $0)?.scheme.map { ["http", "https"].contains($0.lowercased()) } == true ? $0 : nil }
        var feed = try read(decoded, url: location ?? url)
        if feed.language == nil, let language = headers["content-language"] {
            feed.language = language.split(separator: ",").first.map { $0.trimmedWhitespace() }
        }
        if let language = feed.language, language.utf8.contains(UInt8(ascii: "_")) {
            feed.language = String(language.map { $0 == "_" ? "-" : $0 })
        }
        return feed
    }

    static func read(_ decoded: (bytes: [UInt8], encoding: String, warning: String?), url: String?) throws(FeedParseError) -> ParsedFeed {
        // UTF-8 from here on; the format is told by the first non-blank byte (a BOM is gone).
        if let first = decoded.bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first == UInt8(ascii: "{") {
            var feed = try JSONFeedReader.read(String(decoding: decoded.bytes, as: UTF8.self), url: url)
            feed.encoding = decoded.encoding
            return feed
        }
        let xml = HTMLEntities.numericReferences(in: HTMLEntities.withoutInternalSubset(utf8Prolog(decoded.bytes)))
        guard let document = XMLDocument(xml: xml, url: url, encoding: "UTF-8"), let root = document.root else {
            throw FeedParseError(message: "not XML: no root element could be read")
        }
        var feed: ParsedFeed
        switch root.name {
        case "rss", "rdf":
            feed = RSSReader.read(root, encoding: decoded.encoding)
        case "feed":
            feed = AtomReader.read(root, encoding: decoded.encoding)
        default:
            throw FeedParseError(message: "not a feed: the root element is <\(root.name)>; expected <rss>, <rdf:RDF> or <feed>, or a JSON Feed")
        }
        if let error = document.recoveredError { feed.warnings.append(error) }
        if let warning = decoded.warning { feed.warnings.append(warning) }
        return feed
    }

    /// The text is UTF-8 now: a BOM and the prolog's original `encoding` must not mislead
    /// libxml2 (a declared UTF-16 or UTF-32 would make it misread every byte).
    static func utf8Prolog(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard bytes.starts(with: Array("<?xml".utf8)), let end = HTMLEntities.contains(bytes, Array("?>".utf8), from: 0),
            let key = HTMLEntities.contains(Array(bytes[0..<end]), Array("encoding".utf8), from: 0)
        else { return bytes }
        var index = key + 8
        while index < end && (bytes[index] == 0x20 || bytes[index] == 0x3D) { index += 1 }
        guard index < end, bytes[index] == 0x22 || bytes[index] == 0x27 else { return bytes }
        let quote = bytes[index]
        var close = index + 1
        while close < end && bytes[close] != quote { close += 1 }
        guard close < end else { return bytes }
        return Array(bytes[..<key]) + Array("encoding=\"UTF-8\"".utf8) + Array(bytes[(close + 1)...])
    }

    static func clean(_ text: String?) -> String? {
        guard let text else { return nil }
        // Fast path: nothing to fold (no leading/trailing space, no runs, no tabs or newlines).
        var previousSpace = true
        var simple = true
        for byte in text.utf8 {
            if byte == 0x20 {
                if previousSpace { simple = false; break }
                previousSpace = true
            } else if byte < 0x20 || byte == 0xC2 || byte == 0xE2 || byte == 0xE3 {
                simple = false  // control characters, or possibly a non-ASCII space
                break
            } else {
                previousSpace = false
            }
        }
        if simple && !previousSpace { return text }
        let folded = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return folded.isEmpty ? nil : folded
    }

    /// A title: whitespace folded, and markup (a title may carry HTML) sanitized.
    static func title(_ text: String?) -> String? {
        guard let text else { return nil }
        return clean(text.utf8.contains(0x3C) ? HTMLSanitizer.clean(text) : text)
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text, text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else { return nil }
        return text
    }

    /// An enclosure from a node's attributes (`url`/`href`, `type`, `length`/`fileSize`).
    static func enclosure(_ node: XMLNode, urlAttribute: String) -> Enclosure? {
        guard let url = link(node.attribute(urlAttribute), at: node) else { return nil }
        let length = (node.attribute("length") ?? node.attribute("fileSize")).flatMap { Int64($0.trimmedWhitespace()) }
        return Enclosure(url: url, type: node.attribute("type").flatMap(clean), length: length.flatMap { $0 >= 0 ? $0 : nil })
    }

    /// Resolves a link found at `node` against its xml:base / the document's URL.
    static func link(_ reference: String?, at node: XMLNode) -> String? {
        guard let reference = nonEmpty(reference) else { return nil }
        return URLCanonicalizer.resolve(reference, base: node.base) ?? reference.trimmedWhitespace()
    }
}

enum Namespaces {
    static let content = "http://purl.org/rss/1.0/modules/content/"
    static let dublinCore = "http://purl.org/dc/elements/1.1/"
    static let dcTerms = "http://purl.org/dc/terms/"
    static let media = "http://search.yahoo.com/mrss/"
    static let itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd"
    static let rss10 = "http://purl.org/rss/1.0/"
    static let rss090 = "http://my.netscape.com/rdf/simple/0.9/"
    static let atom10 = "http://www.w3.org/2005/Atom"
    static let atom03 = "http://purl.org/atom/ns#"
    static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    static let xhtml = "http://www.w3.org/1999/xhtml"
}
