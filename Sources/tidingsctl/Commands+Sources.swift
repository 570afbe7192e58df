import ArgumentParser
import Foundation
import TidingsAdmin
import TidingsCore
import TidingsParse

struct Sources: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, add, remove, enable, disable and fetch sources.",
        subcommands: [List.self, Add.self, Remove.self, Enable.self, Disable.self, Fetch.self, Import.self, Export.self],
        defaultSubcommand: List.self)

    static func printSources(_ sources: [Source]) {
        let rows = sources.map { s in
            [
                String(s.id), s.name + (s.tlsVerify ? "" : " (TLS unchecked)"), s.kind.rawValue, s.enabled ? "yes" : "no",
                Durations.format(s.interval), String(s.documents), String(s.articlesPending),
                s.lastStatus ?? "never", Output.relative(s.lastFetchAt), String(s.consecutiveErrors),
                s.enabled ? Output.relative(s.nextFetchAt) : "-", Output.clip(s.lastError, 60), s.url,
            ]
        }
        print(Output.table(["ID", "NAME", "KIND", "ON", "EVERY", "DOCS", "PAGES", "STATUS", "LAST", "ERRORS", "NEXT", "LAST ERROR", "URL"], rows))
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sources with their last status, errors and next attempt.")
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.call(AdminMethods.SourcesList.self, NoParams()) { sources in
                if sources.isEmpty { print("no sources; add one with: tidingsctl sources add URL") } else { printSources(sources) }
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a source: an http(s) or file URL, or a path to a local feed.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "URL or path of the feed.") var url: String
        @Option(help: "A name to refer to it by (default: from the URL).") var name: String?
        @Option(help: "Time between fetches, e.g. 15m, 1h (default: the config's [fetch] interval).") var interval: String?
        @Option(help: "feed, page (one page watched for changes) or folder (a local directory); guessed by default.") var kind: String?

        func validate() throws {
            if let kind, Source.Kind(rawValue: kind) == nil { throw ValidationError("--kind must be feed, page or folder") }
            if let interval, Durations.seconds(interval) == nil {
                throw ValidationError("bad --interval \"\(interval)\"; use \(Durations.allowed)")
            }
        }

        func run() throws {
            // A path is resolved here, against the caller's directory, not the daemon's.
            var target = url
            if !url.contains("://") && !url.hasPrefix("file:") {
                let file = URL(fileURLWithPath: url, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
                guard FileManager.default.fileExists(atPath: file.path) else {
                    throw ValidationError("no such file: \(file.path); for a web feed give the whole URL, such as https://\(url)")
                }
                target = file.absoluteString
            }
            let params = AddSourceParams(url: target, name: name, interval: interval, kind: kind)
            try options.call(AdminMethods.SourcesAdd.self, params) { source in
                print("added source \(source.id) (\(source.name)) \(source.url), fetching every \(Durations.format(source.interval))")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a source added with `sources add`; its documents are kept.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Source id or name.") var source: String
        func run() throws {
            try options.call(AdminMethods.SourcesRemove.self, SourceRefParams(source: source)) { removed in
                print("removed source \(removed.id) (\(removed.name)); its \(removed.documents) document(s) are kept")
            }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a source (it is fetched right away).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Source id or name.") var source: String
        func run() throws {
            try options.call(AdminMethods.SourcesEnable.self, SourceRefParams(source: source)) { s in
                print("enabled source \(s.id) (\(s.name))")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a source: it is kept but not fetched.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Source id or name.") var source: String
        func run() throws {
            try options.call(AdminMethods.SourcesDisable.self, SourceRefParams(source: source)) { s in
                print("disabled source \(s.id) (\(s.name))")
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Fetch a source now and wait for the result.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Source id or name.") var source: String
        func run() throws {
            // A fetch may take as long as the daemon's fetch timeout allows.
            let raw: JSON = try options.client(timeout: 300).call(AdminMethods.SourcesFetch.self, SourceRefParams(source: source))
            let result = try AdminClient.decode(raw, as: AdminMethods.SourcesFetch.Result.self, method: AdminMethods.SourcesFetch.name)
            if options.json {
                print(Output.json(raw))
            } else {
                var line = "\(source): \(result.status), \(result.items) item(s), \(result.new) new"
                if result.updated > 0 { line += ", \(result.updated) updated" }
                if result.seenElsewhere > 0 { line += ", \(result.seenElsewhere) already known from elsewhere" }
                if result.articlesQueued > 0 { line += ", \(result.articlesQueued) article page(s) queued" }
                print(line + (result.error.map { "; \($0)" } ?? ""))
            }
            if result.status == "error" { throw ExitCode(ExitCodes.errorReply) }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add every feed of an OPML file (sources already present are skipped).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The OPML file.") var file: String
        @Option(help: "Time between fetches for the new sources (default: the config's).") var interval: String?

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            let outlines = try OPML.read(Array(data))
            // Requests of 10,000 outlines, each one transaction in the daemon: a larger file
            // goes in parts, so the daemon never holds more than one part's worth at once.
            let client = try options.client()
            var total = ImportSourcesResult(added: 0, present: 0, renamed: 0, refused: [], refusedCount: 0)
            var start = 0
            repeat {
                let part = outlines[start..<min(start + Import.partSize, outlines.count)]
                let params = ImportSourcesParams(sources: part.map { AddSourceParams(url: $0.url, name: $0.title, interval: interval) })
                let result: ImportSourcesResult = try client.call(AdminMethods.SourcesImport.self, params)
                total.added += result.added
                total.present += result.present
                total.renamed += result.renamed
                total.refused += result.refused.prefix(max(0, 100 - total.refused.count))
                total.refusedCount += result.refusedCount
                start += Import.partSize
            } while start < outlines.count
            if options.json {
                print(Output.json(total))
            } else {
                var line = "\(outlines.count) feed(s) in \(file): \(total.added) added, \(total.present) already present, \(total.refusedCount) refused"
                if total.renamed > 0 { line += " (\(total.renamed) under another name: theirs was taken)" }
                print(line)
                for refusal in total.refused { print("  refused \(refusal.url): \(refusal.reason)") }
                if total.refusedCount > total.refused.count { print("  … and \(total.refusedCount - total.refused.count) more") }
            }
            if total.refusedCount > 0 { throw ExitCode(ExitCodes.errorReply) }
        }

        /// Outlines per request (and per transaction).
        static let partSize = 10_000
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every source as OPML 2.0, for other feed readers.")
        @OptionGroup var options: ClientOptions

        func run() throws {
            let sources: [Source] = try options.client().call(AdminMethods.SourcesList.self, NoParams())
            print(OPML.write(sources.map { OPML.Outline(title: $0.name, url: $0.url) }), terminator: "")
        }
    }
}
