import ArgumentParser
import Foundation
import TidingsAdmin
import TidingsCore

struct Sources: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, add, remove, enable, disable and fetch sources.",
        subcommands: [List.self, Add.self, Remove.self, Enable.self, Disable.self, Fetch.self],
        defaultSubcommand: List.self)

    static func printSources(_ sources: [Source]) {
        let rows = sources.map { s in
            [
                String(s.id), s.name + (s.tlsVerify ? "" : " (TLS unchecked)"), s.enabled ? "yes" : "no", Durations.format(s.interval), String(s.documents),
                s.lastStatus ?? "never", Output.relative(s.lastFetchAt), String(s.consecutiveErrors),
                s.enabled ? Output.relative(s.nextFetchAt) : "-", Output.clip(s.lastError, 60), s.url,
            ]
        }
        print(Output.table(["ID", "NAME", "ON", "EVERY", "DOCS", "STATUS", "LAST", "ERRORS", "NEXT", "LAST ERROR", "URL"], rows))
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sources with their last status, errors and next attempt.")
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.call("sources.list") { value in
                let sources = try Output.decode(value, as: [Source].self)
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

        func validate() throws {
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
            let params = try AdminJSON.value(AddSourceParams(url: target, name: name, interval: interval))
            try options.call("sources.add", params: params) { value in
                let source = try Output.decode(value, as: Source.self)
                print("added source \(source.id) (\(source.name)) \(source.url), fetching every \(Durations.format(source.interval))")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a source added with `sources add`; its documents are kept.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Source id or name.") var source: String
        func run() throws {
            try options.call("sources.remove", params: .object(["source": .string(source)])) { value in
                let removed = try Output.decode(value, as: Source.self)
                print("removed source \(removed.id) (\(removed.name)); its \(removed.documents) document(s) are kept")
            }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a source (it is fetched right away).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Source id or name.") var source: String
        func run() throws {
            try options.call("sources.enable", params: .object(["source": .string(source)])) { value in
                let s = try Output.decode(value, as: Source.self)
                print("enabled source \(s.id) (\(s.name))")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a source: it is kept but not fetched.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Source id or name.") var source: String
        func run() throws {
            try options.call("sources.disable", params: .object(["source": .string(source)])) { value in
                let s = try Output.decode(value, as: Source.self)
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
            let result = try options.client(timeout: 300).call("sources.fetch", params: .object(["source": .string(source)]))
            if options.json {
                print(Output.json(result))
                return
            }
            let status = result["status"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "?"
            let items = result["items"].flatMap { if case .number(let n) = $0 { Int(n) } else { nil } } ?? 0
            let new = result["new"].flatMap { if case .number(let n) = $0 { Int(n) } else { nil } } ?? 0
            let error = result["error"].flatMap { if case .string(let s) = $0 { s } else { nil } }
            print("\(source): \(status), \(items) item(s), \(new) new" + (error.map { "; \($0)" } ?? ""))
            if status == "error" { throw ExitCode(ExitCodes.errorReply) }
        }
    }
}
