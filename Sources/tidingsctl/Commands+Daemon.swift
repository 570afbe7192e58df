import ArgumentParser
import Foundation
import TidingsAdmin
import TidingsCore

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show uptime, version, counts, the queue and the last errors.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.call(AdminMethods.Status.self, NoParams()) { status in
            print("tidingsd \(status.version)  pid \(status.pid)  up \(Output.formatDuration(status.uptime))  \(status.paused ? "PAUSED" : "running")  (your access: \(status.access.rawValue))")
            print("config     \(status.configFile)")
            print("database   \(status.database)  (schema \(status.schemaVersion))")
            let c = status.counts
            print("sources    \(c.sources) (\(c.enabledSources) enabled, \(c.failingSources) failing)")
            print("documents  \(c.documents)")
            print("fetches    \(c.fetches) (\(c.fetchErrors) failed)")
            print("clients    \(status.queue.clients) connected, \(status.queue.tailing) following tail")
            print("queue      \(status.queue.due) due, \(status.queue.fetching) fetching, \(status.queue.writing) waiting for the writer, \(status.queue.readingBytes / 1024) KiB of fetched bodies to read")
            if let articles = status.articles {
                print("articles   \(articles.pending) page(s) waiting to be read, \(articles.failed) given up")
            }
            if let plugins = status.plugins {
                print("plugins    \(plugins.isEmpty ? "none enabled" : plugins.joined(separator: " → "))  (\(status.analyzed ?? 0) document(s) analysed since start\(status.analyzing == true ? ", working" : ""))")
            }
            for job in status.jobs ?? [] {
                print("job \(job.id)      \(job.kind) \(job.plugin): \(Jobs.progress(job)), \(job.failed) failed")
            }
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
    func run() throws { try options.call(AdminMethods.Pause.self, NoParams()) { _ in print("paused") } }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resume scheduled fetches.")
    @OptionGroup var options: ClientOptions
    func run() throws { try options.call(AdminMethods.Resume.self, NoParams()) { _ in print("resumed") } }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Re-read the config file (like SIGHUP); a bad file keeps the old config.")
    @OptionGroup var options: ClientOptions
    func run() throws {
        try options.call(AdminMethods.Reload.self, NoParams()) { result in
            print(result.changes.isEmpty ? "reloaded: no changes" : "reloaded:\n" + result.changes.map { "  \($0)" }.joined(separator: "\n"))
        }
    }
}

struct Shutdown: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop the daemon gracefully.")
    @OptionGroup var options: ClientOptions
    func run() throws { try options.call(AdminMethods.Shutdown.self, NoParams()) { _ in print("stopping") } }
}

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Extractor plugins: list, enable, disable.", subcommands: [List.self, Enable.self, Disable.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List plugins: name, version, enabled, documents done, failures, mean time.")
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.call(AdminMethods.PluginsList.self, NoParams()) { plugins in
                if plugins.isEmpty {
                    print("no plugins")
                    return
                }
                print(Output.table(
                    ["NAME", "VERSION", "KIND", "ENABLED", "REQUIRES", "USES", "DONE", "FAILED", "SKIPPED", "MEAN"],
                    plugins.map {
                        [
                            $0.name, $0.version, $0.kind, $0.enabled ? "yes" : "no", $0.requires.isEmpty ? "-" : $0.requires.joined(separator: ","),
                            ($0.uses ?? []).isEmpty ? "-" : ($0.uses ?? []).joined(separator: ","),
                            String($0.done), String($0.failed), String($0.skipped), $0.meanMs.map { String(format: "%.2f ms", $0) } ?? "-",
                        ]
                    }))
            }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a plugin on, now and after restarts; stored documents get its results.")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The plugin's name.") var name: String
        func run() throws { try Plugins.change(AdminMethods.PluginsEnable.self, name, options) }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Switch a plugin off, now and after restarts (its stored results stay).")
        @OptionGroup var options: ClientOptions
        @Argument(help: "The plugin's name.") var name: String
        func run() throws { try Plugins.change(AdminMethods.PluginsDisable.self, name, options) }
    }

    static func change<M: AdminMethod>(_ method: M.Type, _ name: String, _ options: ClientOptions) throws
    where M.Params == PluginNameParams, M.Result == PluginSwitchResult {
        try options.call(method, PluginNameParams(name: name)) { result in
            print("\(result.name): \(result.enabled ? "enabled" : "disabled")")
            if let warning = result.warning { print("note: \(warning)") }
        }
    }
}

struct Reprocess: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a plugin again over stored documents, in the background (see `jobs`).",
        discussion: "The job survives a restart and resumes where it was. New documents keep being read meanwhile.")
    @OptionGroup var options: ClientOptions
    @Option(help: "The plugin to run again.") var plugin: String
    @Option(help: "Only documents published (or fetched) since this date (YYYY-MM-DD) or time.") var since: String?
    @Option(help: "Only this source's documents (id or name).") var source: String?

    func run() throws {
        try options.call(AdminMethods.Reprocess.self, ReprocessParams(plugin: plugin, since: since, source: source)) { job in
            print("job \(job.id): \(job.plugin) over \(job.total) document(s); follow it with `tidingsctl jobs`")
        }
    }
}

struct Jobs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Background jobs (reprocessing) and their progress.")
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.call(AdminMethods.Jobs.self, NoParams()) { jobs in
            if jobs.isEmpty {
                print("no jobs")
                return
            }
            print(Output.table(
                ["ID", "KIND", "PLUGIN", "STATUS", "PROGRESS", "FAILED", "FILTER", "STARTED", "UPDATED"],
                jobs.map { job in
                    let filter = [job.since.map { "since \($0)" }, job.sourceID.map { "source \($0)" }].compactMap { $0 }.joined(separator: ", ")
                    return [
                        String(job.id), job.kind, job.plugin, job.status + (job.error.map { ": \($0)" } ?? ""), Jobs.progress(job), String(job.failed),
                        filter.isEmpty ? "all" : filter, job.createdAt, job.updatedAt,
                    ]
                }))
        }
    }

    static func progress(_ job: JobInfo) -> String {
        let handled = job.done + job.failed
        let percent = job.total == 0 ? 100 : min(100, handled * 100 / job.total)
        return "\(handled)/\(job.total) (\(percent)%)"
    }
}

struct Tail: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the newest documents, then follow new ones as they land.")
    @OptionGroup var options: ClientOptions
    @Option(help: "How many recent documents to print first.")
    var last = 10

    func run() throws {
        guard last >= 0 else { throw ValidationError("--last must be 0 or more") }
        let params = (try? JSON.encode(TailParams(last: last))) ?? .null
        let end = try options.client(timeout: nil).stream(AdminMethods.Tail.name, params: params) { value in
            // Written unbuffered, line by line, so that `tidingsctl tail | grep …` follows live.
            var line = ""
            if options.json {
                line = value.text()
            } else if let item = try? value.decode(AdminMethods.Tail.Item.self) {
                line = "\(item.id)\t\(item.fetchedAt)\t\(item.sourceName ?? "-")\t\(Output.clip(item.title, 80))"
            }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
            return true
        }
        if let end, let reason = try? end.decode(AdminMethods.Tail.Result.self) {
            FileHandle.standardError.write(Data("tidingsctl: tail ended: \(reason.end)\n".utf8))
        }
    }
}
