import ArgumentParser
import Foundation
import TidingsAdmin
import TidingsCore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show uptime, version, counts, the queue and the last errors.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.call("status") { value in
            let status = try Output.decode(value, as: StatusResult.self)
            print("tidingsd \(status.version)  pid \(status.pid)  up \(Output.formatDuration(status.uptime))  \(status.paused ? "PAUSED" : "running")  (your access: \(status.access.rawValue))")
            print("config     \(status.configFile)")
            print("database   \(status.database)  (schema \(status.schemaVersion))")
            let c = status.counts
            print("sources    \(c.sources) (\(c.enabledSources) enabled, \(c.failingSources) failing)")
            print("documents  \(c.documents)")
            print("fetches    \(c.fetches) (\(c.fetchErrors) failed)")
            print("clients    \(status.queue.clients) connected, \(status.queue.tailing) following tail")
            print("queue      \(status.queue.due) due, \(status.queue.fetching) fetching, \(status.queue.writing) waiting for the writer")
            if status.lastErrors.isEmpty {
                print("last errors: none")
            } else {
                print("last errors:")
                for error in status.lastErrors.suffix(10) { print("  \(error.at)  \(error.message)") }
            }
        }
    }
}

struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop scheduled fetches until resume (manual fetches still run).")
    @OptionGroup var options: ClientOptions
    func run() throws { try options.call("pause") { _ in print("paused") } }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume scheduled fetches.")
    @OptionGroup var options: ClientOptions
    func run() throws { try options.call("resume") { _ in print("resumed") } }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Re-read the config file (like SIGHUP); a bad file keeps the old config.")
    @OptionGroup var options: ClientOptions
    func run() throws {
        try options.call("reload") { value in
            let result = try Output.decode(value, as: ReloadResult.self)
            print(result.changes.isEmpty ? "reloaded: no changes" : "reloaded:\n" + result.changes.map { "  \($0)" }.joined(separator: "\n"))
        }
    }
}

struct Shutdown: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop the daemon gracefully.")
    @OptionGroup var options: ClientOptions
    func run() throws { try options.call("shutdown") { _ in print("stopping") } }
}

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Extractor plugins.", subcommands: [List.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List plugins: name, version, enabled.")
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.call("plugins.list") { value in
                let plugins = try Output.decode(value, as: [PluginInfo].self)
                if plugins.isEmpty {
                    print("no plugins are registered in this build")
                    return
                }
                print(Output.table(["NAME", "VERSION", "ENABLED"], plugins.map { [$0.name, $0.version, $0.enabled ? "yes" : "no"] }))
            }
        }
    }
}

struct Tail: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the newest documents, then follow new ones as they land.")
    @OptionGroup var options: ClientOptions
    @Option(help: "How many recent documents to print first.")
    var last = 10

    func run() throws {
        guard last >= 0 else { throw ValidationError("--last must be 0 or more") }
        let end = try options.client(timeout: nil).stream("tail", params: .object(["last": .number(Double(last))])) { value in
            // Written unbuffered, line by line, so that `tidingsctl tail | grep …` follows live.
            var line = ""
            if options.json {
                line = (try? AdminJSON.encoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
            } else if let item = try? AdminJSON.convert(value, to: TailItem.self) {
                line = "\(item.id)\t\(item.fetched)\t\(item.source ?? "-")\t\(Output.clip(item.title, 80))"
            }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
            return true
        }
        if case .string(let reason)? = end?["end"] {
            FileHandle.standardError.write(Data("tidingsctl: tail ended: \(reason)\n".utf8))
        }
    }
}
