import Foundation
import TestSupport
import Testing

/// kill -9 at arbitrary moments during ingestion never corrupts the database and never loses
/// a committed document; a restart finishes the work without duplicates.
@Suite(.serialized)
struct CrashSafetyTests {
    @Test func killNineMidIngestInALoop() throws {
        let dir = TempDirectory()
        let sourceCount = 30, itemsPerSource = 500
        var body = ""
        for index in 0..<sourceCount {
            let feed = dir.write("feeds/f\(index).xml", makeRSS(items: itemsPerSource, prefix: "s\(index)"))
            body += sourceBlock(feed, name: "s\(index)", interval: "1s")
        }
        let daemon = DaemonProcess(body: body, dir: dir)
        var lastCount = 0
        var killedMidIngest = 0
        for round in 0..<8 {
            try daemon.start()
            // Kill once this run has committed something (or at a random moment when the
            // first run is still starting), so that most kills land between two commits.
            let previous = lastCount
            _ = waitFor(timeout: 5) { daemon.documentCount() > previous }
            usleep(useconds_t(UInt32.random(in: 0...40_000)))
            let seenBeforeKill = daemon.documentCount()
            daemon.kill9()
            let integrity = try scalar(daemon.databasePath, "PRAGMA integrity_check")?.string
            #expect(integrity == "ok", "round \(round)")
            let count = daemon.documentCount()
            #expect(count >= seenBeforeKill, "round \(round): documents seen committed were lost (\(count) < \(seenBeforeKill))")
            if count > lastCount && count < sourceCount * itemsPerSource { killedMidIngest += 1 }
            lastCount = count
        }
        // Let it finish: everything lands exactly once.
        try daemon.start()
        #expect(waitFor(timeout: 60) { daemon.documentCount() == sourceCount * itemsPerSource })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
        #expect(try scalar(daemon.databasePath, "PRAGMA integrity_check")?.string == "ok")
        #expect(try scalar(daemon.databasePath, "SELECT count(*) FROM documents")?.int == Int64(sourceCount * itemsPerSource))
        #expect(try scalar(daemon.databasePath, "SELECT count(DISTINCT doc_key) FROM documents")?.int == Int64(sourceCount * itemsPerSource))
        #expect(try scalar(daemon.databasePath, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'kuril'")?.int
            == Int64(sourceCount * itemsPerSource))
        print("kill -9 rounds that landed mid-ingest: \(killedMidIngest) of 8")
        #expect(killedMidIngest >= 1, "no kill landed mid-ingest: the test did not test anything")
    }
}
