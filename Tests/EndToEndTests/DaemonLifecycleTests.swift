import CTidingsSys
import Foundation
import TestSupport
import Testing
import TidingsAdmin
import TidingsCore

/// A real tidingsd process: start, ingest, control with tidingsctl, signals, config errors.
@Suite(.serialized)
struct DaemonLifecycleTests {
    @Test func ingestsTheDemoFeedAndTidingsctlReadsIt() throws {
        let dir = TempDirectory()
        let feed = try copyDemoFeed(into: dir)
        let daemon = DaemonProcess(body: sourceBlock(feed, name: "demo"), dir: dir)
        try daemon.start()
        #expect(waitFor { daemon.documentCount() == 1 })

        let status = try daemon.ctl(["status"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("documents  1"))
        #expect(status.stdout.contains("your access: admin"))

        let json = try daemon.ctl(["status", "--json"])
        let parsed = try JSON.parse(json.stdout).decode(StatusResult.self)
        #expect(parsed.counts.documents == 1)
        #expect(parsed.database == daemon.databasePath)
        #expect(parsed.schemaVersion >= 1)

        let sources = try daemon.ctl(["sources"])
        #expect(sources.status == 0)
        #expect(sources.stdout.contains("demo"))
        #expect(sources.stdout.contains("ok"))

        // search and show read the database directly; the path comes from the daemon.
        let search = try daemon.ctl(["search", "Yeltsin"])
        #expect(search.status == 0)
        #expect(search.stdout.contains("Russia-Japan talks on Kurils fail"))
        #expect(search.stdout.contains("[Yeltsin]"))
        let show = try Binaries.run(Binaries.tidingsctl, ["show", "1", "--database", daemon.databasePath])
        #expect(show.status == 0)
        #expect(show.stdout.contains("former Japanese Prime Minister Ryutaro Hashimoto"))
        let fetch = try daemon.ctl(["sources", "fetch", "demo"])
        #expect(fetch.stdout.contains("demo: ok, 1 item(s), 0 new"))
        #expect(daemon.documentCount() == 1)  // idempotent

        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func stopsGracefullyOnSignal(signal: Int32) throws {
        let daemon = DaemonProcess()
        try daemon.start()
        daemon.signal(signal)
        #expect(daemon.waitExit(timeout: 5) == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
        #expect(daemon.stderr.contains("stopped"))
        #expect(try scalar(daemon.databasePath, "PRAGMA integrity_check")?.string == "ok")
    }

    @Test func retryAfterPermanentRedirectsAndTLSOptOutShowInSources() throws {
        let server = try LocalHTTPServer()
        server.route("/busy.xml", .init(status: 429, headers: ["Retry-After": "7200"], body: "slow down"))
        server.route("/old.xml", .init(status: 301, headers: ["Location": "/new.xml"], body: ""))
        server.route("/new.xml", .init(body: makeRSS(items: 2)))
        let body = "[fetch]\nallow_private_networks = true\nhost_delay = \"1ms\"\n"
            + sourceBlock(server.url("/busy.xml"), name: "busy")
            + sourceBlock(server.url("/old.xml"), name: "moved") + "tls_verify = false\n"
        let daemon = DaemonProcess(body: body)
        try daemon.start()
        #expect(waitFor { daemon.documentCount() == 2 })
        #expect(daemon.waitForLog("source 1 (busy): HTTP 429"))
        let list = try daemon.ctl(["sources", "--json"])
        let sources = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        let busy = try #require(sources.first { $0["name"] as? String == "busy" })
        #expect((busy["last_error"] as? String)?.contains("the server asked to wait 2h") == true)
        let next = (busy["next_fetch_at"] as? String).flatMap(Timestamps.parse) ?? .distantPast
        #expect(next.timeIntervalSinceNow > 7000)
        #expect(busy["enabled"] as? Bool == true)
        let moved = try #require(sources.first { $0["name"] as? String == "moved" })
        #expect(moved["url"] as? String == server.url("/new.xml"))
        #expect(moved["tls_verify"] as? Bool == false)
        #expect(try daemon.ctl(["sources"]).stdout.contains("moved (TLS unchecked)"))
        // A reload keeps the moved source (matched on the URL the config gives it).
        daemon.signal(SIGHUP)
        #expect(daemon.waitForLog("reloaded"))
        #expect(try daemon.ctl(["sources"]).stdout.contains(server.url("/new.xml")))
        #expect(try scalar(daemon.databasePath, "SELECT count(*) FROM sources")?.int == 2)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func aWrongHTTPCharsetFallsBackToTheProlog() throws {
        let server = try LocalHTTPServer()
        // The server claims UTF-8, the bytes are windows-1251, and the prolog says so.
        let body: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss version=\"2.0\"><channel><title>x</title><item><title>".utf8)
            + [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2] + Array("</title><description>d</description></item></channel></rss>".utf8)
        server.route("/feed.xml", .init(headers: ["Content-Type": "application/rss+xml; charset=utf-8"], bytes: body))
        let daemon = DaemonProcess(body: "[fetch]\nallow_private_networks = true\nfetch_articles = false\n" + sourceBlock(server.url("/feed.xml"), name: "ru"))
        try daemon.start()
        #expect(waitFor { daemon.documentCount() == 1 })
        #expect(try scalar(daemon.databasePath, "SELECT title FROM documents")?.string == "Привет")
        #expect(try scalar(daemon.databasePath, "SELECT last_error FROM sources")?.string?.contains("declared charset \"utf-8\" does not decode") == true)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func stopIsQuickWithASlowFetchInFlightAndRecordsNoError() throws {
        let server = try LocalHTTPServer()
        server.route("/slow.xml", .init(body: makeRSS(items: 1), delay: 20))
        let daemon = DaemonProcess(body: "[fetch]\nallow_private_networks = true\n" + sourceBlock(server.url("/slow.xml"), name: "slow"))
        try daemon.start()
        #expect(waitFor { server.requests.count == 1 })
        let started = Date()
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 10) == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(try scalar(daemon.databasePath, "SELECT count(*) FROM fetches")?.int == 0)
        #expect(try scalar(daemon.databasePath, "SELECT consecutive_errors FROM sources")?.int == 0)
    }

    @Test func tailEndsCleanlyWhenTheDaemonStops() throws {
        let daemon = DaemonProcess()
        try daemon.start()
        let socketPath = daemon.socketPath
        let result = ResultBox()
        let thread = Thread {
            result.value = try? Binaries.run(Binaries.tidingsctl, ["tail", "--socket", socketPath], timeout: 20)
        }
        thread.start()
        #expect(waitFor { (try? daemon.client().call("status"))?["queue"]?["tailing"] == .number(1) })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
        #expect(waitFor { result.value != nil })
        #expect(result.value?.status == 0)
        #expect(result.value?.stderr.contains("tail ended: the daemon is stopping") == true)
    }

    @Test func aSecondDaemonOnTheSameDatabaseIsRefusedBeforeTouchingIt() throws {
        let dir = TempDirectory()
        let feed = try copyDemoFeed(into: dir)
        let first = DaemonProcess(body: sourceBlock(feed, name: "mine"), dir: dir)
        try first.start()
        #expect(waitFor { first.documentCount() == 1 })
        // Same database, another socket and no sources: it must not sync (delete) anything.
        let second = DaemonProcess(dir: dir)
        second.writeConfig(body: "", daemonExtra: "")
        let other = dir.write("other.toml", "[daemon]\ndatabase = \"\(first.databasePath)\"\nsocket = \"\(dir.file("other.sock"))\"\n")
        let result = try Binaries.run(Binaries.tidingsd, ["run", "--config", other], timeout: 10)
        #expect(result.status == 1)
        #expect(result.stderr.contains("another tidingsd (pid \(first.pid)) is using \(first.databasePath)"))
        #expect(try scalar(first.databasePath, "SELECT count(*) FROM sources")?.int == 1)
        first.signal(SIGTERM)
        #expect(first.waitExit() == 0)
    }

    @Test func aSocketPathThatIsNotASocketIsLeftAlone() throws {
        let daemon = DaemonProcess()
        daemon.dir.write("d.sock", "precious")
        try daemon.start(waitReady: false)
        #expect(daemon.waitExit() == 1)
        #expect(daemon.stderr.contains("exists and is not a socket"))
        #expect((try? String(contentsOfFile: daemon.socketPath, encoding: .utf8)) == "precious")
    }

    @Test func aNameClashBetweenTheConfigAndARuntimeSourceIsAConfigError() throws {
        let dir = TempDirectory()
        let feed = try copyDemoFeed(into: dir)
        let other = dir.write("other.xml", makeRSS(items: 1))
        let daemon = DaemonProcess(dir: dir)
        try daemon.start()
        #expect(try daemon.ctl(["sources", "add", feed, "--name", "news"]).status == 0)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
        daemon.writeConfig(body: sourceBlock(other, name: "news"))
        try daemon.start(waitReady: false)
        #expect(daemon.waitExit() == 78)
        #expect(daemon.stderr.contains("has the name of source 1"))
    }

    @Test func shutdownOverTheSocketAndExitCodes() throws {
        let daemon = DaemonProcess()
        try daemon.start()
        #expect(try daemon.ctl(["sources", "remove", "nope"]).status == 1)  // error reply
        #expect(try daemon.ctl(["sources", "add"]).status == 2)  // usage
        #expect(try daemon.ctl(["frobnicate"]).status == 2)
        let missing = try daemon.ctl(["sources", "add", "news.example/feed.xml"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("https://news.example/feed.xml"))
        #expect(try daemon.ctl(["search", "--database", daemon.databasePath]).status == 2)
        let unreachable = try Binaries.run(Binaries.tidingsctl, ["status", "--socket", daemon.dir.file("none.sock")])
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr.contains("none.sock"))
        #expect(unreachable.stderr.contains("TIDINGS_SOCKET"))
        // --socket before the subcommand works too, and so does TIDINGS_SOCKET.
        #expect(try Binaries.run(Binaries.tidingsctl, ["--socket", daemon.socketPath, "status"]).status == 0)
        #expect(try Binaries.run(Binaries.tidingsctl, ["status"], environment: ["TIDINGS_SOCKET": daemon.socketPath]).status == 0)
        #expect(try daemon.ctl(["shutdown"]).status == 0)
        #expect(daemon.waitExit(timeout: 5) == 0)
    }

    @Test func badConfigRefusesToStartWithFileLineAndKey() throws {
        let daemon = DaemonProcess(body: "[fetch]\ninterval = \"soon\"\n")
        try daemon.start(waitReady: false)
        #expect(daemon.waitExit() == 78)
        #expect(daemon.stderr.contains("\(daemon.configPath):7: fetch.interval: bad duration \"soon\""))
        let check = try Binaries.run(Binaries.tidingsd, ["check-config", "--config", daemon.configPath])
        #expect(check.status == 78)
        #expect(check.stderr.contains("fetch.interval"))
        daemon.writeConfig(body: "[fetch]\ninterval = \"5m\"\n")
        let good = try Binaries.run(Binaries.tidingsd, ["check-config", "--config", daemon.configPath])
        #expect(good.status == 0)
        #expect(good.stdout.contains("interval 5m"))
    }

    @Test func reloadAppliesAGoodConfigAndKeepsTheOldOneOnError() throws {
        let dir = TempDirectory()
        let feed = try copyDemoFeed(into: dir)
        let daemon = DaemonProcess(dir: dir)
        try daemon.start()
        // A broken file: the daemon keeps running the old config and says why.
        daemon.writeConfig(body: "[daemon.oops]\n")
        daemon.signal(SIGHUP)
        #expect(daemon.waitForLog("reload failed, keeping the running config"))
        let failed = try daemon.ctl(["reload"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("bad_config"))
        #expect(try daemon.ctl(["status"]).stdout.contains("reload failed"))
        // A good file adds its source.
        daemon.writeConfig(body: sourceBlock(feed, name: "late"))
        daemon.signal(SIGHUP)
        #expect(daemon.waitForLog("reloaded \(daemon.configPath): 1 change(s)"))
        #expect(waitFor { daemon.documentCount() == 1 })
        #expect(try daemon.ctl(["sources"]).stdout.contains("late"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func logsUseJournaldPrioritiesUnderJournald() throws {
        let daemon = DaemonProcess()
        // JOURNAL_STREAM names the stream by device and inode; here stderr is the log file.
        _ = FileManager.default.createFile(atPath: daemon.stderrPath, contents: nil)
        var info = stat()
        #expect(stat(daemon.stderrPath, &info) == 0)
        try daemon.start(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"])
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
        let lines = daemon.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.hasPrefix("<") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<6>tidingsd ") && $0.contains("ready") })
        #expect(!daemon.stderr.contains("INFO"))

        // An inherited JOURNAL_STREAM that is not our stderr keeps the plain format.
        let plain = DaemonProcess()
        try plain.start(environment: ["JOURNAL_STREAM": "8:12345"])
        plain.signal(SIGTERM)
        #expect(plain.waitExit() == 0)
        #expect(plain.stderr.contains(" INFO tidingsd: "))
        #expect(!plain.stderr.contains("<6>"))
    }

    @Test func notifiesSystemdOfReadinessWatchdogReloadAndStop() throws {
        let dir = TempDirectory("sd")
        let notify = try NotifySocket(path: dir.file("notify"))
        var received: [String] = []
        func collect(until: @escaping ([String]) -> Bool, timeout: Double = 10) -> Bool {
            waitFor(timeout: timeout) {
                if let message = notify.receive() { received.append(message) }
                return until(received)
            }
        }
        let daemon = DaemonProcess(dir: dir)
        try daemon.start(environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"])
        #expect(collect { $0.contains { $0.contains("READY=1") } })
        #expect(collect { $0.filter { $0 == "WATCHDOG=1" }.count >= 3 })
        daemon.signal(SIGHUP)
        #expect(collect { $0.contains { $0.contains("RELOADING=1") } })
        let reload = received.first { $0.contains("RELOADING=1") } ?? ""
        #expect(reload.contains("MONOTONIC_USEC="))
        let afterReload = received.firstIndex { $0.contains("RELOADING=1") } ?? 0
        #expect(collect { Array($0[afterReload...]).contains { $0.contains("READY=1") } })
        daemon.signal(SIGTERM)
        #expect(collect { $0.contains { $0.contains("STOPPING=1") } })
        #expect(daemon.waitExit() == 0)
    }

    @Test func fetchesOverHTTPFromLoopbackOnlyWhenAllowed() throws {
        let server = try LocalHTTPServer()
        server.route("/feed.xml", .init(body: makeRSS(items: 3)))
        let allowed = DaemonProcess(body: "[fetch]\nallow_private_networks = true\n" + sourceBlock(server.url("/feed.xml"), name: "local"))
        try allowed.start()
        #expect(waitFor { allowed.documentCount() == 3 })
        #expect(server.requests.first == "GET /feed.xml")
        allowed.signal(SIGTERM)
        #expect(allowed.waitExit() == 0)

        let refused = DaemonProcess(body: sourceBlock(server.url("/feed.xml"), name: "local"))
        let requestsBefore = server.requests.count  // before start: a request during start-up must show
        try refused.start()
        #expect(refused.waitForLog("refused to connect to 127.0.0.1"))
        let sources = try refused.ctl(["sources", "--json"])
        let list = try JSON.parse(sources.stdout).decode([SourceSummary].self)
        #expect(list.first?.consecutiveErrors == 1)
        #expect(list.first?.enabled == true)
        #expect(list.first?.lastError?.contains("allow_private_networks") == true)
        #expect(server.requests.count == requestsBefore)
        refused.signal(SIGTERM)
        #expect(refused.waitExit() == 0)
    }
}

/// The fields of `sources --json` a test reads.
struct SourceSummary: Decodable {
    var id: Int64
    var name: String
    var enabled: Bool
    var consecutiveErrors: Int
    var lastError: String?
    var documents: Int
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: CommandResult?
    var value: CommandResult? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
