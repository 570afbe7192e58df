import Foundation
import TestSupport
import Testing
import TidingsCore

/// Article pages behind teaser items are a durable queue: every page is read eventually,
/// across restarts, kill -9 and 304s, under the host's politeness.
@Suite(.serialized)
struct ArticleQueueTests {
    static let prose = String(repeating: "Japanese officials admitted that both sides still have daggers drawn over the islands. ", count: 6)

    /// A feed of `count` teasers whose pages the server answers after `delay` seconds each.
    func teaserSite(count: Int, delay: Double) throws -> LocalHTTPServer {
        let server = try LocalHTTPServer()
        let base = server.url("")
        server.route("/robots.txt", .init(headers: ["Content-Type": "text/plain"], body: "User-agent: *\nAllow: /\n"))
        var items = ""
        for n in 0..<count {
            server.route(
                "/news/\(n)",
                .init(headers: ["Content-Type": "text/html"], body: "<html><body><article><p>Story \(n). \(Self.prose)</p></article></body></html>", delay: delay))
            items += "<item><title>Story \(n)</title><link>\(base)/news/\(n)</link><guid>s-\(n)</guid><description>Teaser \(n).</description></item>"
        }
        server.route("/feed.xml", .init(headers: ["Content-Type": "application/rss+xml", "ETag": "\"v1\""], body: "<rss version=\"2.0\"><channel><title>t</title>\(items)</channel></rss>"))
        return server
    }

    func readCount(_ daemon: DaemonProcess) -> Int64 {
        (try? scalar(daemon.databasePath, "SELECT count(*) FROM documents WHERE text LIKE '%daggers drawn%'")?.int) ?? -1
    }

    @Test func everyTeaserOfA200ItemFeedGetsItsPageAcrossAKillNine() throws {
        let server = try teaserSite(count: 200, delay: 0.01)
        let daemon = DaemonProcess(
            body: "[fetch]\nallow_private_networks = true\nhost_delay = \"1ms\"\n" + sourceBlock(server.url("/feed.xml"), name: "teasers", interval: "2s"))
        try daemon.start()
        #expect(waitFor(timeout: 20) { daemon.documentCount() == 200 })
        // Halfway through the pages: kill -9.
        #expect(waitFor(timeout: 30) { readCount(daemon) >= 60 })
        daemon.kill9()
        let before = readCount(daemon)
        #expect(before < 200, "the kill landed after every page was read: the test tested nothing")
        #expect(try scalar(daemon.databasePath, "SELECT count(*) FROM article_queue WHERE status = 'pending'")?.int == 200 - before)
        // The restart reads the rest, though the feed now answers 304 and brings nothing new.
        try daemon.start()
        #expect(waitFor(timeout: 60) { readCount(daemon) == 200 })
        #expect(try scalar(daemon.databasePath, "SELECT count(*) FROM article_queue")?.int == 0)
        #expect(try scalar(daemon.databasePath, "SELECT count(*) FROM documents")?.int == 200)
        #expect(try scalar(daemon.databasePath, "SELECT count(DISTINCT doc_key) FROM documents")?.int == 200)
        // Every page was asked for; none more than twice (once more when the kill cut it off).
        let pageRequests = server.requests.filter { $0.hasPrefix("GET /news/") }
        #expect(Set(pageRequests).count == 200)
        #expect(pageRequests.count <= 200 + 2)
        #expect(server.requests.contains { $0.hasPrefix("GET /feed.xml") })
        // Analysis waited for the articles: every document's extractions are of its article.
        #expect(waitFor(timeout: 60) {
            (try? scalar(daemon.databasePath, "SELECT count(DISTINCT document_id) FROM extractions WHERE plugin = 'entities'")?.int) == 200
        })
        #expect(try scalar(daemon.databasePath, "SELECT count(*) FROM mentions WHERE text = 'Japanese'")?.int ?? 0 >= 200)
        let status = try daemon.ctl(["status", "--json"])
        #expect((try? JSON.parse(status.stdout))?["articles"]?["pending"] == .number(0), "\(status.stdout)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func pagesAreNotFetchedFasterThanTheyAreReadBeyondABudget() throws {
        // 40 pages of about 1 MB: fetched from loopback much faster than they are parsed. Held
        // all at once they were 40 MB; the daemon fetches no more while 4 MB wait to be read.
        let server = try LocalHTTPServer()
        let base = server.url("")
        server.route("/robots.txt", .init(headers: ["Content-Type": "text/plain"], body: "User-agent: *\nAllow: /\n"))
        let page = "<html><body><article>" + String(repeating: "<p>\(Self.prose)</p>", count: 1_900) + "</article></body></html>"
        var items = ""
        for n in 0..<40 {
            server.route("/news/\(n)", .init(headers: ["Content-Type": "text/html"], body: "<!-- \(n) -->" + page))
            items += "<item><title>Story \(n)</title><link>\(base)/news/\(n)</link><guid>s-\(n)</guid><description>Teaser \(n).</description></item>"
        }
        server.route("/feed.xml", .init(headers: ["Content-Type": "application/rss+xml"], body: "<rss version=\"2.0\"><channel><title>t</title>\(items)</channel></rss>"))
        let daemon = DaemonProcess(
            body: "[fetch]\nallow_private_networks = true\nhost_delay = \"1ms\"\n[plugins.entities]\nenabled = false\n[plugins.events]\nenabled = false\n[plugins.tone]\nenabled = false\n"
                + sourceBlock(server.url("/feed.xml"), name: "heavy"))
        try daemon.start()
        #expect(waitFor(timeout: 120) {
            (try? scalar(daemon.databasePath, "SELECT count(*) FROM documents WHERE length(text) > 500000")?.int) == 40
        })
        let status = try daemon.ctl(["status", "--json"])
        let queue = (try? JSON.parse(status.stdout))?["queue"]
        let peak = queue?["reading_bytes_peak"]?.int ?? -1
        #expect(peak >= Int64(page.utf8.count), "\(status.stdout)")  // a page was counted
        #expect(peak <= Int64(4 << 20) + 2 * Int64(page.utf8.count), "\(status.stdout)")
        #expect(queue?["reading_bytes"]?.int == 0, "\(status.stdout)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func aPageThatCannotHelpIsGivenUpAndItsTeaserAnalysed() throws {
        let server = try LocalHTTPServer()
        let base = server.url("")
        server.route("/robots.txt", .init(headers: ["Content-Type": "text/plain"], body: "User-agent: *\nAllow: /\n"))
        server.route("/news/1", .init(status: 404, headers: ["Content-Type": "text/html"], body: "gone"))
        server.route(
            "/feed.xml",
            .init(body: "<rss version=\"2.0\"><channel><title>t</title><item><title>Lavrov in Tokyo</title><link>\(base)/news/1</link><description>Sergei Lavrov met Japanese officials.</description></item></channel></rss>"))
        let daemon = DaemonProcess(body: "[fetch]\nallow_private_networks = true\nhost_delay = \"1ms\"\n" + sourceBlock(server.url("/feed.xml"), name: "f"))
        try daemon.start()
        #expect(waitFor(timeout: 20) {
            (try? scalar(daemon.databasePath, "SELECT status FROM article_queue")?.string) == "failed"
        })
        #expect(try scalar(daemon.databasePath, "SELECT last_error FROM article_queue")?.string?.contains("404") == true)
        #expect(try scalar(daemon.databasePath, "SELECT text FROM documents")?.string == "Sergei Lavrov met Japanese officials.")
        #expect(waitFor(timeout: 20) {
            (try? scalar(daemon.databasePath, "SELECT count(*) FROM extractions WHERE plugin = 'entities'")?.int) == 1
        })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func sourcesShowTheirArticleBacklog() throws {
        let server = try teaserSite(count: 5, delay: 0.5)
        let daemon = DaemonProcess(
            body: "[fetch]\nallow_private_networks = true\nhost_delay = \"1s\"\n" + sourceBlock(server.url("/feed.xml"), name: "slow"))
        try daemon.start()
        #expect(waitFor(timeout: 20) { daemon.documentCount() == 5 })
        let listed = try daemon.ctl(["sources", "--json"])
        #expect(listed.status == 0)
        let pending = (try? JSON.parse(listed.stdout))?.array?.first?["articles_pending"]?.int
        #expect((pending ?? 0) > 0, "\(listed.stdout)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }
}
