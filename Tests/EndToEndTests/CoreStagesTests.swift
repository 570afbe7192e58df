import CTidingsSys
import Foundation
import TestSupport
import Testing
import TidingsCore
import TidingsStore

/// The daemon's stages under load and under a stuck database: bulk import, and a control
/// queue that never waits on a read.
@Suite(.serialized)
struct CoreStagesTests {
    /// An OPML file of `count` feeds on loopback addresses, with a few names repeated.
    func opml(count: Int, port: Int) -> String {
        var out = "<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>many</title></head><body>\n"
        for n in 0..<count {
            let host = "127.0.\(n / 100 % 250).\(n % 100 + 1)"
            let title = n % 1000 == 999 ? "Same name" : "Feed \(n)"
            out += "<outline type=\"rss\" text=\"\(title)\" xmlUrl=\"http://\(host):\(port)/feed/\(n).xml\"/>\n"
        }
        return out + "</body></opml>\n"
    }

    @Test func importsTenThousandOutlinesInOneRequest() throws {
        let daemon = DaemonProcess()
        try daemon.start()
        // Paused: the test is about the import, not about fetching 10,000 sources.
        #expect(try daemon.ctl(["pause"]).status == 0)
        let file = daemon.dir.write("many.opml", opml(count: 10_000, port: 9))
        let started = Date()
        let imported = try daemon.ctl(["sources", "import", file])
        let seconds = Date().timeIntervalSince(started)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("10000 feed(s) in \(file): 10000 added, 0 already present, 0 refused"), "\(imported.stdout)")
        // Nine outlines share a name with an earlier one: they get the URL's default name.
        #expect(imported.stdout.contains("(9 under another name"), "\(imported.stdout)")
        print("imported 10,000 outlines in \(String(format: "%.2f", seconds)) s (debug build)")
        #expect(try scalar(daemon.databasePath, "SELECT count(*) FROM sources")?.int == 10_000)
        #expect(try scalar(daemon.databasePath, "SELECT count(DISTINCT name) FROM sources")?.int == 10_000)
        // Again: everything is already there.
        let again = try daemon.ctl(["sources", "import", file])
        #expect(again.stdout.contains("0 added, 10000 already present"), "\(again.stdout)")
        // A bad outline is refused with its reason; the rest are added.
        let mixed = daemon.dir.write(
            "mixed.opml",
            "<opml version=\"2.0\"><body><outline xmlUrl=\"gopher://x.example/\"/><outline xmlUrl=\"http://127.0.0.1:9/new.xml\"/></body></opml>")
        let partly = try daemon.ctl(["sources", "import", mixed])
        #expect(partly.status != 0)
        #expect(partly.stdout.contains("1 added"), "\(partly.stdout)")
        #expect(partly.stdout.contains("refused gopher://x.example/"), "\(partly.stdout)")
        let status = try daemon.ctl(["status", "--json"])
        #expect((try? JSON.parse(status.stdout))?["counts"]?["sources"] == .number(10_001), "\(status.stdout)")
        // All 10,001 come back in one reply (several MB on one line), every key present.
        let listed = try daemon.ctl(["sources", "list", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let sources = try JSON.parse(listed.stdout).array ?? []
        #expect(sources.count == 10_001)
        #expect(sources.first?["last_error"] == .null && sources.first?["interval_s"]?.number != nil, "\(sources.first?.text() ?? "")")
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    /// Another process holds the database locked (a backup tool, an analyst's long
    /// transaction): reads wait for it, but on the reader queue, so the control queue keeps
    /// answering and the watchdog keeps being pinged.
    @Test func aLongExternalLockDoesNotDelayTheWatchdog() throws {
        let dir = TempDirectory("wd")
        let notify = try NotifySocket(path: dir.file("notify"), receiveTimeout: 0.05)
        let daemon = DaemonProcess(dir: dir)
        try daemon.start(environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"])

        // Another process holds every WAL read lock (bytes 123–127 of the -shm file, the
        // way SQLite's own POSIX locks are laid out): no connection can begin a read until
        // it lets go, and the daemon's reads wait out their busy timeout.
        #expect(daemon.documentCount() == 0)  // the -shm file exists
        let shm = open(daemon.databasePath + "-shm", O_RDWR)
        #expect(shm >= 0)
        defer { close(shm) }
        lseek(shm, 123, SEEK_SET)
        #expect(lockf(shm, F_TLOCK, 5) == 0)
        // Requests whose reads must wait on the lock: plugins (counts over extractions),
        // status, sources, and a reload (its sources are synced and read back).
        let done = Counter()
        for command in [["plugins"], ["status"], ["sources"], ["reload"]] {
            Thread.detachNewThread {
                _ = try? daemon.ctl(command)
                done.increment()
            }
        }
        // Watch the pings for three seconds while those reads are stuck.
        var pings: [Double] = []
        let start = Date()
        while Date().timeIntervalSince(start) < 3 {
            if notify.receive() == "WATCHDOG=1" { pings.append(Date().timeIntervalSince(start)) }
        }
        #expect(done.value == 0, "the reads did not wait for the lock: the test tested nothing")
        let gaps = zip(pings, pings.dropFirst()).map { $1 - $0 }
        #expect(pings.count >= 15, "\(pings.count) pings in 3 s")
        #expect((gaps.max() ?? 99) < 0.5, "longest gap between watchdog pings: \(gaps.max() ?? 0) s")
        // The admin socket answers meanwhile (pause needs no read).
        let paused = try daemon.ctl(["pause"])
        #expect(paused.status == 0, "\(paused.stderr)")
        lseek(shm, 123, SEEK_SET)
        #expect(lockf(shm, F_ULOCK, 5) == 0)
        // From here on nobody reads the notify socket: its queue fills up, and the pings must
        // fail rather than block the control queue (the stop below would hang).
        #expect(waitFor(timeout: 60) { done.value == 4 }, "\(daemon.stderr.suffix(2000))")
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit(timeout: 30) == 0, "\(daemon.stderr.suffix(2000))")
    }
}
