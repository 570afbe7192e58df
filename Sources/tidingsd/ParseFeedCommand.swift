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
        let requests: [ParseRequest]
        if jsonl {
            requests = JSONLines.read().map { line in
                (try? JSONDecoder().decode(ParseRequest.self, from: Data(line.utf8))) ?? ParseRequest(path: nil, url: nil, headers: nil, invalid: line)
            }
        } else {
            requests = files.map { ParseRequest(path: $0, url: nil, headers: nil, invalid: nil) }
        }
        JSONLines.process(requests) { request in
            ParseFeedResult(request)
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

struct ParseFeedResult: Encodable {
    struct Feed: Encodable {
        var title, link, id, updated, language: String?
    }
    struct Entry: Encodable {
        var title, link, id, published, updated, author, summary, content: String?
    }
    var path: String?
    var format: String?
    var encoding: String?
    var error: String?
    var warnings: [String]?
    var feed: Feed?
    var entries: [Entry]?

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
            let parsed = try FeedParser.parse(Array(data), url: request.url ?? URL(fileURLWithPath: path).absoluteString, headers: headers)
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
        var lines: [String] = []
        while let line = Swift.readLine(strippingNewline: true) {
            if !line.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(line) }
        }
        return lines
    }

    static func process<Input: Sendable, Output: Encodable & SendableMetatype>(_ inputs: [Input], _ work: @Sendable (Input) -> Output) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let chunk = 256
        var start = 0
        while start < inputs.count {
            let slice = Array(inputs[start..<min(start + chunk, inputs.count)])
            let results = Results(count: slice.count)
            DispatchQueue.concurrentPerform(iterations: slice.count) { index in
                let data = (try? encoder.encode(work(slice[index]))) ?? Data(#"{"error":"could not encode the result"}"#.utf8)
                results.set(index, data)
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
