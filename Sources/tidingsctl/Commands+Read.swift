import ArgumentParser
import Foundation
import TidingsAdmin
import TidingsCore
import TidingsStore

/// Where `search` and `show` find the database; they read it directly, read-only.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The database file (default: $TIDINGS_DATABASE, else the running daemon's, else /var/lib/tidings/tidings.db).")
    var database: String?

    @Option(help: "The daemon's admin socket, asked for the database path when --database is not given.")
    var socket: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func open() throws -> StoreReader {
        let environment = ProcessInfo.processInfo.environment
        if let path = database ?? environment["TIDINGS_DATABASE"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try StoreReader(path: path)
        }
        let socketPath = socket ?? environment["TIDINGS_SOCKET"] ?? "/run/tidings/tidingsd.sock"
        if let client = try? AdminClient(path: socketPath, timeout: 2), let status = try? client.call("status"),
            case .string(let path)? = status["database"]
        {
            return try StoreReader(path: path)
        }
        return try StoreReader(path: "/var/lib/tidings/tidings.db")
    }
}

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Full-text search of stored documents (FTS5 syntax: words, \"phrases\", AND/OR/NOT, prefix*).",
        discussion: "Reads the database directly; no daemon needed.")
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "The query.") var query: [String]
    @Option(help: "Most hits to print.") var limit = 20

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
        guard !query.joined().trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("give a search query") }
    }

    func run() throws {
        let hits = try options.open().search(query.joined(separator: " "), limit: limit)
        if options.json {
            print(Output.json(hits))
            return
        }
        if hits.isEmpty { print("no matches") }
        for hit in hits {
            print("\(hit.id)  \(hit.published ?? "-")  \(hit.source ?? "-")  \(hit.title ?? "(untitled)")")
            print("    \(hit.snippet.replacingOccurrences(of: "\n", with: " "))")
        }
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print one stored document.", discussion: "Reads the database directly; no daemon needed.")
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "The document id (from search or tail).") var id: Int64

    func run() throws {
        guard let document = try options.open().document(id: id) else {
            throw TidingsError.notFound("no document \(id)")
        }
        if options.json {
            print(Output.json(document))
            return
        }
        print("id         \(document.id)")
        print("title      \(document.title ?? "-")")
        print("source     \(document.sourceName ?? "-")")
        print("url        \(document.url ?? "-")")
        print("published  \(document.published ?? "-")")
        print("fetched    \(document.fetched)")
        if let author = document.author { print("author     \(author)") }
        print("")
        print(document.text)
    }
}
