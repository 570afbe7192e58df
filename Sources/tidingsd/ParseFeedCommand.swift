import ArgumentParser
import Dispatch
import Foundation
import TidingsCore
import TidingsParse

/// `tidingsd parse-feed --jsonl`: the feed reader without the daemon, for evaluation and
/// debugging. One JSON line in (`{"path", "url", "headers"}`), one JSON line out, in order.
struct ParseFeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse-feed", abstract: "Read feed files as the daemon would and print what it finds, as JSON lines.")

    @Flag(help: "Read JSON lines ({\"path\", \"url\", \"headers\"}) from stdin; write one JSON line each.")
    var jsonl = false

    @Argument(help: "Feed files to read (without --jsonl).")
    var files: [String] = []

    func validate() throws {
        if !jsonl && files.isEmpty { throw ValidationError("give feed files, or --jsonl with requests on stdin") }
    }

    func run() throws {
        if jsonl {
            ParseFeed.runJSONLines()
        } else {
            JSONLines.tuneAllocator()
            JSONLines.process(files.map { ParseRequest(path: $0, url: nil, headers: nil, invalid: nil) }) { ParseFeedResult($0) }
        }
    }

    /// `--jsonl`: requests on stdin, results on stdout, in order.
    static func runJSONLines() {
        JSONLines.tuneAllocator()
        // Requests are decoded in the parallel section too: it is a good part of the work.
        JSONLines.process(JSONLines.read()) { line in
            guard let request = try? JSON.parse(line), request.members != nil else {
                return ParseFeedResult(ParseRequest(path: nil, url: nil, headers: nil, invalid: String(decoding: line, as: UTF8.self)))
            }
            let headers = request["headers"]?.members.map { members in
                Dictionary(members.compactMap { member in member.value.string.map { (member.key, $0) } }, uniquingKeysWith: { $1 })
            }
            return ParseFeedResult(ParseRequest(path: request["path"]?.string, url: request["url"]?.string, headers: headers))
        }
    }
}

struct ParseRequest: Sendable {
    var path: String?
    var url: String?
    var headers: [String: String]?
    var invalid: String? = nil
}

struct ParseFeedResult: JSONLineEncodable {
    struct Feed {
        var title, link, id, updated, language: String?
    }
    struct Entry {
        var title, link, id, published, updated, author, summary, content: String?
    }
    var path: String?
    var format: String?
    var encoding: String?
    var error: String?
    var warnings: [String]?
    var feed: Feed?
    var entries: [Entry]?

    /// The working directory, read once.
    static let workingDirectory = FileManager.default.currentDirectoryPath

    /// `file://` URL of a path (absolute against the working directory), percent-encoded as a
    /// URL path, without the cost of URL or Foundation's percent encoding.
    static func fileURL(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        if absolute.utf8.allSatisfy(keptInPath) { return "file://" + absolute }
        var out: [UInt8] = Array("file://".utf8)
        out.reserveCapacity(absolute.utf8.count + 16)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in absolute.utf8 {
            if keptInPath(byte) {
                out.append(byte)
            } else {
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Unreserved characters, sub-delims, ":", "@" and "/": what a URL path keeps as is.
    static func keptInPath(_ byte: UInt8) -> Bool { pathTable[Int(byte)] }

    private static let pathTable: [Bool] = (0..<256).map { code in
        let byte = UInt8(code)
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~!$&'()*+,;=:@/".utf8.contains(byte)
        }
    }

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("path", path)
        json.field("format", format)
        json.field("encoding", encoding)
        json.field("error", error)
        if let warnings {
            json.key("warnings")
            json.beginArray()
            for warning in warnings { json.string(warning) }
            json.endArray()
        }
        if let feed {
            json.key("feed")
            json.beginObject()
            json.field("title", feed.title)
            json.field("link", feed.link)
            json.field("id", feed.id)
            json.field("updated", feed.updated)
            json.field("language", feed.language)
            json.endObject()
        }
        if let entries {
            json.key("entries")
            json.beginArray()
            for entry in entries {
                json.beginObject()
                json.field("title", entry.title)
                json.field("link", entry.link)
                json.field("id", entry.id)
                json.field("published", entry.published)
                json.field("updated", entry.updated)
                json.field("author", entry.author)
                json.field("summary", entry.summary)
                json.field("content", entry.content)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
    }

    init(_ request: ParseRequest) {
        path = request.path
        guard request.invalid == nil, let path = request.path else {
            error = "bad request line: expected {\"path\": FILE, \"url\": URL|null, \"headers\": {…}}"
            return
        }
        guard let bytes = FileBytes.read(path) else {
            error = "cannot read \(path)"
            return
        }
        let headers = Dictionary((request.headers ?? [:]).map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        do {
            let parsed = try FeedParser.parse(bytes, url: request.url ?? ParseFeedResult.fileURL(path), headers: headers)
            format = parsed.format
            encoding = parsed.encoding
            warnings = parsed.warnings.isEmpty ? nil : parsed.warnings
            feed = Feed(title: parsed.title, link: parsed.link, id: parsed.id, updated: parsed.updated.map(Timestamps.iso), language: parsed.language)
            entries = parsed.items.map { item in
                Entry(
                    title: item.title, link: item.link, id: item.guid, published: item.published.map(Timestamps.iso),
                    updated: item.updated.map(Timestamps.iso), author: item.author, summary: item.summary, content: item.content)
            }
        } catch {
            self.error = error.message
        }
    }
}
