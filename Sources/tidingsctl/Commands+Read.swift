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
        let hits = try options.open().queries.search(query.joined(separator: " "), limit: limit)
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
        guard let document = try options.open().queries.document(id: id) else {
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

struct Entities: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The most mentioned entities (people, organisations, places, nationalities).",
        discussion: "Reads the database directly; no daemon needed.")
    @OptionGroup var options: DatabaseOptions
    @Option(help: "How many to print.") var top = 20
    @Option(help: "Only this kind: PER, ORG, GPE, LOC, NORP or MISC.") var kind: String?
    @Option(help: "Only mentions in documents published (or fetched) since this date (YYYY-MM-DD).") var since: String?

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be positive") }
        if let kind, !["PER", "ORG", "GPE", "LOC", "NORP", "MISC"].contains(kind.uppercased()) {
            throw ValidationError("--kind is one of PER, ORG, GPE, LOC, NORP, MISC")
        }
        if let since, Timestamps.parse(since) == nil { throw ValidationError("--since takes a date (YYYY-MM-DD)") }
    }

    func run() throws {
        let reader = try options.open()
        let entities = try reader.queries.topEntities(limit: top, kind: kind?.uppercased(), since: since.flatMap(Timestamps.parse).map(Timestamps.iso))
        if options.json {
            print(Output.json(entities))
            return
        }
        if entities.isEmpty {
            print("no entities yet (the entities plugin fills them as documents are analysed)")
            return
        }
        print(Output.table(
            ["ID", "NAME", "KIND", "COUNTRY", "ACTOR", "MENTIONS", "DOCUMENTS", "FIRST", "LAST"],
            entities.map {
                [String($0.id), $0.canonical, $0.kind, $0.country ?? "-", $0.actorCode ?? "-", String($0.mentions), String($0.documents), $0.firstDay ?? "-", $0.lastDay ?? "-"]
            }))
    }
}

struct Entity: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One entity: its mentions, the entities mentioned with it, and its documents.",
        discussion: "NAME is the canonical name (any case) or the id from `entities`. Reads the database directly; no daemon needed.")
    @OptionGroup var options: DatabaseOptions
    @Argument(help: "Canonical name or id.") var name: [String]
    @Option(help: "How many mentions, co-mentioned entities and documents to print.") var limit = 10

    func run() throws {
        let wanted = name.joined(separator: " ")
        guard let detail = try options.open().queries.entityDetail(wanted, limit: max(1, limit)) else {
            throw TidingsError.notFound("no entity \"\(wanted)\"; see tidingsctl entities")
        }
        if options.json {
            print(Output.json(detail))
            return
        }
        let e = detail.entity
        print("\(e.canonical)  (\(e.kind)\(e.country.map { ", \($0)" } ?? "")\(e.actorCode.map { ", \($0)" } ?? ""))  id \(e.id)")
        print("mentions   \(e.mentions) in \(e.documents) document(s), \(e.firstDay ?? "?") … \(e.lastDay ?? "?")")
        if !detail.roles.isEmpty { print("roles      \(detail.roles.joined(separator: ", "))") }
        print("\nrecent mentions:")
        for mention in detail.mentions {
            print("  doc \(mention.documentID)  \(mention.day ?? "-")  …\(mention.context)…")
        }
        if !detail.comentioned.isEmpty {
            print("\nmentioned with:")
            print(Output.table(["NAME", "KIND", "DOCUMENTS"], detail.comentioned.map { [$0.canonical, $0.kind, String($0.documents)] }))
        }
        print("\ndocuments:")
        for document in detail.documents { print("  \(document.id)  \(document.day ?? "-")  \(document.title ?? "(untitled)")") }
    }
}
