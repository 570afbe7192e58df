import CTidingsSys
import Foundation
import TestSupport
import Testing
import TidingsAdmin
import TidingsCore

#if canImport(Glibc)
    import Glibc
#endif

/// The admin socket against a real daemon: bad input, many clients, rights, streams.
@Suite(.serialized)
struct AdminSocketTests {
    @Test func garbageGetsErrorRepliesAndTheConnectionStaysUp() throws {
        let daemon = DaemonProcess()
        try daemon.start()
        let client = try daemon.client()
        let cases: [(String, String)] = [
            ("this is not json", "parse_error"),
            ("[1,2,3]", "invalid_request"),
            (#"{"id":1,"method":"launch.missiles"}"#, "unknown_method"),
            (#"{"id":2,"method":"sources.add","params":{"url":42}}"#, "invalid_params"),
            (#"{"id":3,"method":"sources.add","params":{}}"#, "invalid_params"),
            (#"{"id":4,"method":"sources.add","params":{"url":"gopher://x.example/"}}"#, "invalid_params"),
            (#"{"id":5,"method":"sources.remove","params":{"source":"nope"}}"#, "not_found"),
            ("\u{00}\u{01}\u{02}garbage{{{", "parse_error"),
        ]
        for (line, code) in cases {
            try client.writeAll(Array((line + "\n").utf8))
            let reply = try client.readLine()
            #expect(reply.ok == false)
            #expect(reply.error?.code == code, "for \(line)")
            #expect(reply.error?.message.isEmpty == false)
        }
        // A line over the limit is refused once and skipped.
        try client.writeAll([UInt8](repeating: UInt8(ascii: "x"), count: AdminProtocol.maxRequestLength + 10) + [0x0A])
        #expect(try client.readLine().error?.code == "line_too_long")
        #expect(try client.call("ping") == .string("pong"))
        #expect(daemon.process?.isRunning == true)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func aHalfClosedClientStillGetsItsReplies() throws {
        let daemon = DaemonProcess()
        try daemon.start()
        let fd = tidings_connect_unix(daemon.socketPath)
        #expect(fd >= 0)
        defer { close(fd) }
        // Two requests, the last without a newline, then EOF on our side.
        let request = Array(#"{"id":1,"method":"ping"}"#.utf8) + [0x0A] + Array(#"{"id":2,"method":"status"}"#.utf8)
        #expect(request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } == request.count)
        shutdown(fd, Int32(SHUT_WR))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        let lines = String(decoding: received, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.contains(#""result":"pong""#) == true)
        #expect(lines.last?.contains(#""id":2"#) == true)
        #expect(lines.last?.contains(#""ok":true"#) == true)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func servesManyClientsAtOnce() throws {
        let daemon = DaemonProcess()
        try daemon.start()
        let successes = Counter()
        DispatchQueue.concurrentPerform(iterations: 40) { _ in
            guard let client = try? AdminClient(path: daemon.socketPath) else { return }
            var ok = true
            for _ in 0..<5 { ok = ok && ((try? client.call("status"))?["version"] != nil) }
            if ok { successes.increment() }
        }
        #expect(successes.value == 40)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func socketModeIs0660() throws {
        let daemon = DaemonProcess()
        try daemon.start()
        let attributes = try FileManager.default.attributesOfItem(atPath: daemon.socketPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    /// A peer that is neither root nor the daemon's user may read but not change anything.
    /// Needs root (to run tidingsctl as another uid with setpriv).
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func otherUsersGetReadOnlyAccess() throws {
        let dir = TempDirectory()
        let feed = dir.write("f.xml", makeRSS(items: 2))
        let daemon = DaemonProcess(body: sourceBlock(feed, name: "f"), dir: dir)
        try daemon.start()
        #expect(waitFor { daemon.documentCount() == 2 })
        // nobody, in the socket's group (root's group here), like a member of group `tidings`.
        _ = chmod(daemon.dir.path, 0o755)
        let asNobody = ["--reuid=65534", "--regid=0", "--clear-groups", Binaries.tidingsctl]
        let status = try Binaries.run("/usr/bin/setpriv", asNobody + ["status", "--socket", daemon.socketPath])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("your access: read"))
        let add = try Binaries.run("/usr/bin/setpriv", asNobody + ["sources", "add", "https://x.example/feed", "--socket", daemon.socketPath])
        #expect(add.status == 1)
        #expect(add.stderr.contains("forbidden"))
        let shutdown = try Binaries.run("/usr/bin/setpriv", asNobody + ["shutdown", "--socket", daemon.socketPath])
        #expect(shutdown.status == 1)
        // The group may also read the database directly, read-only.
        let search = try Binaries.run("/usr/bin/setpriv", asNobody + ["search", "item", "--database", daemon.databasePath])
        #expect(search.status == 0, "\(search.stderr)")
        #expect(daemon.process?.isRunning == true)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func sourcesCanBeAddedDisabledEnabledAndRemovedAtRuntime() throws {
        let dir = TempDirectory()
        let feed = try copyDemoFeed(into: dir)
        let configured = dir.write("configured.xml", makeRSS(items: 2, prefix: "cfg"))
        let daemon = DaemonProcess(body: sourceBlock(configured, name: "configured"), dir: dir)
        try daemon.start()
        #expect(waitFor { daemon.documentCount() == 2 })
        let add = try daemon.ctl(["sources", "add", feed, "--name", "added", "--interval", "30m"])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(waitFor { daemon.documentCount() == 3 })
        #expect(try daemon.ctl(["sources", "add", feed]).stderr.contains("already has the URL"))
        #expect(try daemon.ctl(["sources", "add", feed, "--interval", "often"]).status == 2)
        #expect(try daemon.ctl(["sources", "disable", "added"]).status == 0)
        var list = try JSON.parse(try daemon.ctl(["sources", "--json"]).stdout).decode([SourceSummary].self)
        #expect(list.first { $0.name == "added" }?.enabled == false)
        #expect(try daemon.ctl(["sources", "enable", "added"]).status == 0)
        let removeConfigured = try daemon.ctl(["sources", "remove", "configured"])
        #expect(removeConfigured.status == 1)
        #expect(removeConfigured.stderr.contains("remove it there and reload"))
        let disableConfigured = try daemon.ctl(["sources", "disable", "configured"])
        #expect(disableConfigured.status == 1)
        #expect(disableConfigured.stderr.contains("set enabled = false there and reload"))
        #expect(try daemon.ctl(["sources", "remove", "added"]).status == 0)
        list = try JSON.parse(try daemon.ctl(["sources", "--json"]).stdout).decode([SourceSummary].self)
        #expect(list.map(\.name) == ["configured"])
        #expect(daemon.documentCount() == 3)  // removing a source keeps its documents
        // Paused daemons fetch nothing on schedule but still fetch on request.
        #expect(try daemon.ctl(["pause"]).status == 0)
        #expect(try daemon.ctl(["status"]).stdout.contains("PAUSED"))
        #expect(try daemon.ctl(["sources", "fetch", "configured"]).stdout.contains("configured: ok, 2 item(s), 0 new"))
        #expect(try daemon.ctl(["resume"]).status == 0)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func tailStreamsNewDocumentsAsTheyLand() throws {
        let dir = TempDirectory()
        let daemon = DaemonProcess(dir: dir)
        try daemon.start()
        let seen = Counter()
        let done = DispatchSemaphore(value: 0)
        let socketPath = daemon.socketPath
        let streamer = Thread {
            let client = try? AdminClient(path: socketPath)
            _ = try? client?.stream("tail", params: ["last": .number(0)]) { item in
                if case .string(let title)? = item["title"], title.hasPrefix("live") { seen.increment() }
                if seen.value == 4 {
                    done.signal()
                    return false
                }
                return true
            }
        }
        streamer.start()
        #expect(waitFor { (try? daemon.client().call("status"))?["queue"]?["tailing"] == .number(1) })
        let feed = dir.write("live.xml", makeRSS(items: 4, prefix: "live"))
        #expect(try daemon.ctl(["sources", "add", feed]).status == 0)
        #expect(done.wait(timeout: .now() + 15) == .success)
        #expect(seen.value == 4)
        // The tail listing also works from the CLI, starting with recent documents.
        let tail = try Binaries.run(Binaries.tidingsctl, ["tail", "--last", "2", "--socket", daemon.socketPath], timeout: 2)
        #expect(tail.stdout.split(separator: "\n").count == 2)
        #expect(tail.stdout.contains("live 3"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func aSiteURLFindsItsFeedAndOPMLImportsAndExports() throws {
        let server = try LocalHTTPServer()
        server.route("/", .init(headers: ["Content-Type": "text/html"], body: "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\"></head><body>Home</body></html>"))
        server.route("/feed.xml", .init(body: makeRSS(items: 3)))
        server.route("/other.xml", .init(body: makeRSS(items: 1, prefix: "other")))
        let dir = TempDirectory()
        let daemon = DaemonProcess(body: "[fetch]\nallow_private_networks = true\nhost_delay = \"1ms\"\n", dir: dir)
        try daemon.start()
        #expect(try daemon.ctl(["sources", "add", server.url("/"), "--name", "site"]).status == 0)
        #expect(waitFor { daemon.documentCount() == 3 })
        #expect(try daemon.ctl(["sources"]).stdout.contains(server.url("/feed.xml")))
        // OPML: one new feed, one already present.
        let opml = dir.write("subs.opml", """
            <opml version="2.0"><body><outline text="Other" xmlUrl="\(server.url("/other.xml"))"/>
            <outline text="Again" xmlUrl="\(server.url("/feed.xml"))"/></body></opml>
            """)
        let imported = try daemon.ctl(["sources", "import", opml])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("2 feed(s)"))
        #expect(imported.stdout.contains("1 added, 1 already present"))
        #expect(waitFor { daemon.documentCount() == 4 })
        let exported = try daemon.ctl(["sources", "export"])
        #expect(exported.stdout.hasPrefix("<?xml"))
        #expect(exported.stdout.contains(server.url("/other.xml")))
        #expect(exported.stdout.contains(server.url("/feed.xml")))
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func folderAndPageSources() throws {
        let dir = TempDirectory()
        let prose = String(repeating: "Talks in Tokyo failed to resolve the dispute over the islands, officials said. ", count: 5)
        dir.write("inbox/a.html", "<html><head><title>Page A</title></head><body><article><p>\(prose)</p></article></body></html>")
        dir.write("inbox/b.txt", "Text B\n\nFirst paragraph of B.\nSecond paragraph of B.")
        dir.write("inbox/nested/c.xml", makeRSS(items: 2, prefix: "c"))
        dir.write("inbox/d.pdf", "%PDF-1.4 ignored")
        let server = try LocalHTTPServer()
        let pageProse = String(repeating: "Yeltsin will not travel to Japan this spring, as had been expected by many. ", count: 5)
        server.route("/page", .init(headers: ["Content-Type": "text/html"], body: "<html><body><article><p>\(pageProse)</p></article></body></html>"))
        let daemon = DaemonProcess(
            body: "[fetch]\nallow_private_networks = true\n" + sourceBlock(dir.file("inbox"), name: "inbox", interval: "1h"),
            dir: dir)
        try daemon.start()
        #expect(waitFor { daemon.documentCount() == 4 })
        #expect(try daemon.ctl(["sources"]).stdout.contains("folder"))
        #expect(try scalar(daemon.databasePath, "SELECT text FROM documents WHERE title = 'Text B'")?.string
            == "First paragraph of B.\nSecond paragraph of B.")
        // A changed file updates its document.
        dir.write("inbox/b.txt", "Text B\n\nRewritten.")
        #expect(try daemon.ctl(["sources", "fetch", "inbox"]).status == 0)
        #expect(try scalar(daemon.databasePath, "SELECT text FROM documents WHERE title = 'Text B'")?.string == "Rewritten.")
        #expect(daemon.documentCount() == 4)
        // A page source: one document for the page.
        #expect(try daemon.ctl(["sources", "add", server.url("/page"), "--kind", "page", "--name", "page"]).status == 0)
        #expect(waitFor { daemon.documentCount() == 5 })
        #expect(try daemon.ctl(["sources", "add", server.url("/x"), "--kind", "folder"]).status == 1)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func shortFeedItemsGetTheirArticlePageUnlessRobotsTxtSaysNo() throws {
        let server = try LocalHTTPServer()
        let base = server.url("")
        let prose = String(repeating: "Japanese officials admitted that both sides still have daggers drawn over the islands. ", count: 6)
        server.route("/robots.txt", .init(headers: ["Content-Type": "text/plain"], body: "User-agent: *\nDisallow: /private/\n"))
        server.route("/news/1", .init(headers: ["Content-Type": "text/html"], body: "<html><body><nav>Home</nav><article><p>\(prose)</p></article></body></html>"))
        server.route("/private/2", .init(headers: ["Content-Type": "text/html"], body: "<html><body><article><p>\(prose) secret</p></article></body></html>"))
        let feed = """
            <rss version="2.0"><channel><title>t</title>
            <item><title>One</title><link>\(base)/news/1</link><description>Short teaser one.</description></item>
            <item><title>Two</title><link>\(base)/private/2</link><description>Short teaser two.</description></item>
            </channel></rss>
            """
        server.route("/feed.xml", .init(body: feed))
        let daemon = DaemonProcess(body: "[fetch]\nallow_private_networks = true\nhost_delay = \"1ms\"\n" + sourceBlock(server.url("/feed.xml"), name: "f"))
        try daemon.start()
        #expect(waitFor { daemon.documentCount() == 2 })
        // The pages are read after the feed is stored; the one robots.txt forbids is given up.
        #expect(waitFor {
            (try? scalar(daemon.databasePath, "SELECT count(*) FROM article_queue WHERE status = 'pending'")?.int) == 0
        })
        #expect(try scalar(daemon.databasePath, "SELECT text FROM documents WHERE title = 'One'")?.string?.hasPrefix("Japanese officials admitted") == true)
        #expect(try scalar(daemon.databasePath, "SELECT text FROM documents WHERE title = 'Two'")?.string == "Short teaser two.")
        #expect(!server.requests.contains("GET /private/2"))
        #expect(server.requests.filter { $0 == "GET /robots.txt" }.count == 1)
        #expect(try scalar(daemon.databasePath, "SELECT last_error FROM article_queue WHERE status = 'failed'")?.string?.contains("robots.txt") == true)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)

        // Switched off: no page is requested.
        let quiet = DaemonProcess(
            body: "[fetch]\nallow_private_networks = true\nfetch_articles = false\n" + sourceBlock(server.url("/feed.xml"), name: "f"))
        let before = server.requests.filter { $0.hasPrefix("GET /news") }.count
        try quiet.start()
        #expect(waitFor { quiet.documentCount() == 2 })
        #expect(server.requests.filter { $0.hasPrefix("GET /news") }.count == before)
        quiet.signal(SIGTERM)
        #expect(quiet.waitExit() == 0)
    }

    @Test func articlePagesWaitTheirTurnAtTheHostLikeFeeds() throws {
        let server = try LocalHTTPServer()
        let base = server.url("")
        let prose = String(repeating: "Japanese officials admitted that both sides still have daggers drawn over the islands. ", count: 6)
        server.route("/robots.txt", .init(headers: ["Content-Type": "text/plain"], body: "User-agent: *\nAllow: /\n"))
        var items = ""
        for n in 1...3 {
            server.route("/news/\(n)", .init(headers: ["Content-Type": "text/html"], body: "<html><body><article><p>\(n) \(prose)</p></article></body></html>", delay: 0.2))
            items += "<item><title>Story \(n)</title><link>\(base)/news/\(n)</link><description>Teaser \(n).</description></item>"
        }
        server.route("/feed.xml", .init(body: "<rss version=\"2.0\"><channel><title>t</title>\(items)</channel></rss>"))
        let daemon = DaemonProcess(body: "[fetch]\nallow_private_networks = true\nhost_delay = \"500ms\"\n" + sourceBlock(server.url("/feed.xml"), name: "f"))
        try daemon.start()
        #expect(waitFor(timeout: 20) { daemon.documentCount() == 3 })
        // While the pages are being read one by one, the daemon answers at once.
        #expect(try daemon.ctl(["status"]).status == 0)
        #expect(waitFor(timeout: 20) {
            (try? scalar(daemon.databasePath, "SELECT count(*) FROM documents WHERE text LIKE '%daggers drawn%'")?.int) == 3
        })
        // Never two requests to the host at once, and host_delay between the starts of two
        // visits (robots.txt goes with the page it was asked for).
        let visits = server.timeline.sorted { $0.start < $1.start }.filter { $0.request != "GET /robots.txt" }
        #expect(visits.map(\.request).sorted() == ["GET /feed.xml", "GET /news/1", "GET /news/2", "GET /news/3"])
        for (earlier, later) in zip(visits, visits.dropFirst()) {
            #expect(later.start >= earlier.end - 0.01, "\(later.request) overlapped \(earlier.request)")
            #expect(later.start - earlier.start >= 0.45, "\(later.request) came \(later.start - earlier.start)s after \(earlier.request)")
        }
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func pluginsListIsAnswered() throws {
        let daemon = DaemonProcess()
        try daemon.start()
        let plugins = try daemon.ctl(["plugins", "--json"])
        #expect(plugins.status == 0)
        let listed = try JSON.parse(plugins.stdout).decode([PluginInfo].self)
        #expect(listed.map(\.name) == ["entities", "events", "tone"])
        #expect(listed.first { $0.name == "events" }?.requires == ["entities"])
        #expect(listed.first { $0.name == "tone" }.map { $0.requires.isEmpty && $0.uses == ["entities"] } == true)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
