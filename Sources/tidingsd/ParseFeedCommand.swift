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
            // Requests are decoded in the parallel section too: it is a good part of the work.
            JSONLines.process(JSONLines.read()) { line in
                // JSONSerialization: JSONDecoder cost a tenth of the command's time here.
                guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                    return ParseFeedResult(ParseRequest(path: nil, url: nil, headers: nil, invalid: line))
                }
                let headers = (object["headers"] as? [String: Any])?.compactMapValues { $0 as? String }
                return ParseFeedResult(ParseRequest(path: object["path"] as? String, url: object["url"] as? String, headers: headers))
            }
        } else {
            JSONLines.process(files.map { ParseRequest(path: $0, url: nil, headers: nil, invalid: nil) }) { ParseFeedResult($0) }
        }
    }
}

struct ParseRequest: Decodable, Sendable {
    var path: String?
    var url: String?
    var headers: [String: String]?
    var invalid: String? = nil

    enum CodingKeys: String, CodingKey { case path, url, headers }
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

    /// `file://` URL of a path (absolute against the working directory), without the cost of URL.
    static func fileURL(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return "file://" + (absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute)
    }

    /// One JSON line, written by hand: JSONEncoder was a fifth of the command's time.
    func jsonLine(into out: inout String) {
        var object = JSONObjectWriter()
        object.field("path", path)
        object.field("format", format)
        object.field("encoding", encoding)
        object.field("error", error)
        if let warnings { object.raw("warnings", "[" + warnings.map(JSONObjectWriter.quoted).joined(separator: ",") + "]") }
        if let feed {
            var writer = JSONObjectWriter()
            writer.field("title", feed.title)
            writer.field("link", feed.link)
            writer.field("id", feed.id)
            writer.field("updated", feed.updated)
            writer.field("language", feed.language)
            object.raw("feed", writer.close())
        }
        if let entries {
            let items = entries.map { entry in
                var writer = JSONObjectWriter()
                writer.field("title", entry.title)
                writer.field("link", entry.link)
                writer.field("id", entry.id)
                writer.field("published", entry.published)
                writer.field("updated", entry.updated)
                writer.field("author", entry.author)
                writer.field("summary", entry.summary)
                writer.field("content", entry.content)
                return writer.close()
            }
            object.raw("entries", "[" + items.joined(separator: ",") + "]")
        }
        out += object.close()
    }

    init(_ request: ParseRequest) {
        path = request.path
        guard request.invalid == nil, let path = request.path else {
            error = "bad request line: expected {\"path\": FILE, \"url\": URL|null, \"headers\": {…}}"
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            error = "cannot read \(path)"
            return
        }
        let headers = Dictionary((request.headers ?? [:]).map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        do {
            let parsed = try FeedParser.parse(Array(data), url: request.url ?? ParseFeedResult.fileURL(path), headers: headers)
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

/// Shared by the offline commands: read stdin lines, work in parallel, write in input order.
enum JSONLines {
    static func read() -> [String] {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return data.split(separator: 0x0A).compactMap { line in
            let text = String(decoding: line, as: UTF8.self)
            return text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) ? text : nil
        }
    }

    static func process<Input: Sendable, Output: JSONLineEncodable & SendableMetatype>(_ inputs: [Input], _ work: @Sendable (Input) -> Output) {
        let chunk = 256
        var start = 0
        while start < inputs.count {
            let slice = Array(inputs[start..<min(start + chunk, inputs.count)])
            let results = Results(count: slice.count)
            DispatchQueue.concurrentPerform(iterations: slice.count) { index in
                var line = ""
                work(slice[index]).jsonLine(into: &line)
                results.set(index, Data(line.utf8))
            }
            var out = Data()
            for data in results.all { out.append(data); out.append(0x0A) }
            FileHandle.standardOutput.write(out)
            start += chunk
        }
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Data]
        init(count: Int) { values = Array(repeating: Data(), count: count) }
        func set(_ index: Int, _ data: Data) { lock.withLock { values[index] = data } }
        var all: [Data] { lock.withLock { values } }
    }
}

/// A value that writes itself as one JSON object (no newline).
protocol JSONLineEncodable {
    func jsonLine(into out: inout String)
}

/// Builds a JSON object field by field; nil values are written as null.
struct JSONObjectWriter {
    private(set) var text = "{"
    private var first = true

    mutating func field(_ key: String, _ value: String?) {
        raw(key, value.map(JSONObjectWriter.quoted) ?? "null")
    }

    mutating func raw(_ key: String, _ json: String) {
        text += first ? "\"\(key)\":" : ",\"\(key)\":"
        text += json
        first = false
    }

    /// The finished object.
    func close() -> String { text + "}" }

    /// A JSON string literal (RFC 8259 escaping; non-ASCII kept as UTF-8).
    static func quoted(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += "\\u00" + String(scalar.value >> 4, radix: 16) + String(scalar.value & 15, radix: 16)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
