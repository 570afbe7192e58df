import Foundation
import TidingsCore
import TidingsFetch
import TidingsParse

/// Turns what a page or folder source read into documents. Pure: bytes in, documents out.
enum SourceReading {
    /// A watched page: its article is the one document, keyed by the page's URL, so that a
    /// changed page updates it.
    static func document(fromPage bytes: [UInt8], url: String, headers: [String: String], sourceID: Int64) throws(FeedParseError) -> Document {
        let article = try ArticleExtractor.extract(bytes, url: url, headers: headers)
        guard !article.text.isEmpty else { throw FeedParseError(message: "no article text found on the page") }
        return Document(
            sourceID: sourceID, url: URLCanonicalizer.canonical(url) ?? url, guid: nil, title: article.title, author: article.author,
            published: article.published, language: article.language, text: article.text)
    }

    /// One file of a folder: feeds by their items, HTML by its article, text as it is (its
    /// first line is the title).
    static func documents(fromFile file: FolderFile, sourceID: Int64) throws(FeedParseError) -> [Document] {
        let name = (file.url as NSString).lastPathComponent.lowercased()
        let ext = (name as NSString).pathExtension
        switch ext {
        case "xml", "rss", "atom", "json":
            let feed = try FeedParser.parse(file.bytes, url: file.url)
            return feed.items.map { $0.document(sourceID: sourceID) }
        case "txt", "text":
            let text = Charset.decode(file.bytes).text
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard let first = lines.first else { return [] }
            return [
                Document(
                    sourceID: sourceID, url: file.url, guid: nil, title: String(first.prefix(300)), author: nil,
                    published: file.modified, text: lines.dropFirst().joined(separator: "\n"))
            ]
        default:
            let article = try ArticleExtractor.extract(file.bytes, url: file.url)
            return [
                Document(
                    sourceID: sourceID, url: file.url, guid: nil, title: article.title, author: article.author,
                    published: article.published ?? file.modified, language: article.language, text: article.text)
            ]
        }
    }
}
