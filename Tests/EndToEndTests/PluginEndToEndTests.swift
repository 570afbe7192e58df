import Foundation
import TestSupport
import Testing

@testable import TidingsAdmin
import TidingsCore

/// The plugin pipeline inside a real daemon: results in the store, switches, reprocessing
/// that resumes after kill -9, and exec plugins (the keywords example, a crashing one).
@Suite(.serialized)
struct PluginEndToEndTests {
    static let sentences = [
        "Japanese Prime Minister Keizo Obuchi will visit Moscow in May.",
        "Talks on the Kuril Islands failed, and officials were disappointed.",
        "Russian President Boris Yeltsin praised Japan for its patience.",
    ]

    /// A feed whose items say something the first-version plugins can read.
    func feed(_ dir: TempDirectory, items: Int, name: String = "news.xml") -> String {
        var out = "<rss version=\"2.0\"><channel><title>News</title>"
        for index in 0..<items {
            let text = PluginEndToEndTests.sentences[index % 3] + " Story \(index) of \(items)."
            out += "<item><title>Story \(index)</title><guid>story-\(index)</guid><description>\(text)</description></item>"
        }
        return dir.write(name, out + "</channel></rss>")
    }

    func count(_ daemon: DaemonProcess, _ sql: String) -> Int64 { (try? scalar(daemon.databasePath, sql))??.int ?? -1 }

    var keywordsScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("plugins/examples/keywords/keywords.py").path
    }

    @Test func storedDocumentsGetEveryPluginsResultsWithProvenance() throws {
        let dir = TempDirectory()
        let body = sourceBlock(feed(dir, items: 6), name: "news") + """
            [[plugins.exec]]
            name = "keywords"
            command = ["python3", "\(keywordsScript)"]
            options = { keywords = "islands=kuril*" }

            """
        let daemon = DaemonProcess(body: body, dir: dir)
        try daemon.start()
        #expect(waitFor(timeout: 30) { count(daemon, "SELECT count(*) FROM extractions WHERE status = 'ok'") == 6 * 4 })
        #expect(count(daemon, "SELECT count(*) FROM mention_list WHERE canonical = 'Keizo Obuchi' AND actor_code = 'JPNGOV' AND plugin = 'entities'") == 2)
        #expect(count(daemon, "SELECT count(*) FROM event_list WHERE source_actor = 'JPNGOV' AND target_actor = 'RUS' AND code = '036'") == 2)
        #expect(count(daemon, "SELECT count(*) FROM tones") == 6)
        #expect(count(daemon, "SELECT count(*) FROM annotations WHERE plugin = 'keywords' AND label = 'islands'") == 2)
        #expect(count(daemon, "SELECT count(DISTINCT plugin_version) FROM extractions WHERE plugin = 'keywords'") == 1)
        let listed = try daemon.ctl(["plugins", "--json"])
        let plugins = try JSON.parse(listed.stdout).decode([PluginInfo].self)
        #expect(plugins.map(\.name) == ["entities", "events", "tone", "keywords"])
        #expect(plugins.allSatisfy { $0.enabled && $0.done == 6 && $0.failed == 0 && $0.meanMs != nil })
        #expect(plugins.first { $0.name == "keywords" }?.kind == "exec")
        let table = try daemon.ctl(["plugins"])
        #expect(table.stdout.contains("keywords") && table.stdout.contains("MEAN"))
        // Entities: counted per day in a view, listed and shown by tidingsctl from the database.
        #expect(count(daemon, "SELECT sum(mentions) FROM entity_daily WHERE canonical = 'Keizo Obuchi'") == 2)
        let top = try daemon.ctl(["entities", "--database", daemon.databasePath, "--kind", "PER"])
        #expect(top.status == 0)
        #expect(top.stdout.contains("Keizo Obuchi") && top.stdout.contains("JPNGOV") && !top.stdout.contains("Moscow"))
        let one = try daemon.ctl(["entity", "keizo", "obuchi", "--database", daemon.databasePath])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("Prime Minister") && one.stdout.contains("mentioned with:") && one.stdout.contains("Moscow"))
        #expect(try daemon.ctl(["entity", "Nobody Known", "--database", daemon.databasePath]).status == 1)
        // Events: the two Obuchi stories are one real-world event (same day, dyad and code),
        // reported by two articles; tidingsctl lists it and exports it for GDELT users.
        #expect(count(daemon, "SELECT articles FROM event_groups WHERE source_actor = 'JPNGOV' AND target_actor = 'RUS' AND code = '036'") == 2)
        let events = try daemon.ctl(["events", "--database", daemon.databasePath, "--actor", "jpn", "--code", "03"])
        #expect(events.status == 0, "\(events.stderr)")
        let row = try #require(events.stdout.split(separator: "\n").first { $0.contains("JPNGOV") })
        #expect(row.contains("RUS") && row.contains("036") && row.split(separator: " ", omittingEmptySubsequences: true).contains("2"))
        #expect(try daemon.ctl(["events", "--database", daemon.databasePath, "--quad", "4"]).stdout.contains("no events"))
        let each = try daemon.ctl(["events", "list", "--each", "--database", daemon.databasePath, "--actor", "JPNGOV"])
        #expect(each.stdout.split(separator: "\n").filter { $0.contains("036") && $0.hasSuffix("visit") }.count == 2)
        let gdelt = try daemon.ctl(["events", "export", "--format", "gdelt", "--database", daemon.databasePath, "--code", "036"])
        let line = try #require(gdelt.stdout.split(separator: "\n").first)
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        #expect(fields.count == 61)
        #expect(fields[5] == "JPNGOV" && fields[7] == "JPN" && fields[12] == "GOV" && fields[15] == "RUS" && fields[26] == "036")
        #expect(fields[31] == "2" && fields[33] == "2")  // NumMentions, NumArticles
        let exported = dir.file("events.csv")
        let csv = try daemon.ctl(["events", "export", "--format", "csv", "-o", exported, "--database", daemon.databasePath])
        #expect(csv.status == 0 && csv.stderr.contains("wrote"))
        let written = try String(contentsOfFile: exported, encoding: .utf8)
        #expect(written.hasPrefix("event_id,date,source_actor") && written.contains(",JPNGOV,"))
        #expect(try daemon.ctl(["events", "export", "--format", "xml", "--database", daemon.databasePath]).status == 2)
        // Tone toward an entity over time, and toward a pair, from the tone views.
        #expect(count(daemon, "SELECT sum(documents) FROM entity_tone_daily WHERE canonical = 'Keizo Obuchi'") == 2)
        let tone = try daemon.ctl(["tone", "--entity", "keizo obuchi", "--database", daemon.databasePath])
        #expect(tone.status == 0, "\(tone.stderr)")
        #expect(tone.stdout.contains("Keizo Obuchi: tone per day") && tone.stdout.contains("DOCUMENTS"))
        #expect(tone.stdout.contains { "▁▂▃▄▅▆▇█".contains($0) })
        let pair = try daemon.ctl(["tone", "--entity", "Keizo Obuchi", "--with", "Moscow", "--by", "week", "--database", daemon.databasePath, "--json"])
        #expect(pair.status == 0 && (try? JSON.parse(pair.stdout))?.array?.contains { $0["documents"] == .number(2) } == true, "\(pair.stdout)")
        #expect(try daemon.ctl(["tone", "--entity", "Nobody Known", "--database", daemon.databasePath]).status == 1)
        #expect(try daemon.ctl(["tone", "--entity", "Moscow", "--by", "month", "--database", daemon.databasePath]).status == 2)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func switchesWorkAtOnceAndOutlastARestart() throws {
        let dir = TempDirectory()
        let daemon = DaemonProcess(body: sourceBlock(feed(dir, items: 3), name: "news"), dir: dir)
        try daemon.start()
        #expect(waitFor(timeout: 30) { count(daemon, "SELECT count(*) FROM extractions") == 9 })
        #expect(try daemon.ctl(["plugins", "disable", "events"]).status == 0)
        let note = try daemon.ctl(["plugins", "disable", "entities"])
        #expect(note.stdout.contains("events") || note.stdout.contains("tone"))  // its dependents are named
        #expect(try daemon.ctl(["plugins", "enable", "entities"]).status == 0)
        #expect(try daemon.ctl(["plugins", "disable", "nosuch"]).status == 1)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
        // After a restart the switch holds: new documents get no events.
        _ = feed(dir, items: 5)
        try daemon.start()
        _ = try daemon.ctl(["sources", "fetch", "news"])
        #expect(waitFor(timeout: 30) { count(daemon, "SELECT count(*) FROM extractions WHERE plugin = 'tone'") == 5 })
        // The three old stories changed ("of 3" → "of 5"): their results were dropped, and the
        // switched-off plugin made no new ones.
        #expect(count(daemon, "SELECT count(*) FROM extractions WHERE plugin = 'events'") == 0)
        let plugins = try JSON.parse(try daemon.ctl(["plugins", "--json"]).stdout).decode([PluginInfo].self)
        #expect(plugins.first { $0.name == "events" }?.enabled == false)
        // Switched back on, it catches up on what it missed.
        #expect(try daemon.ctl(["plugins", "enable", "events"]).status == 0)
        #expect(waitFor(timeout: 30) { count(daemon, "SELECT count(*) FROM extractions WHERE plugin = 'events'") == 5 })
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func toneRunsWithoutEntitiesAndGetsEntityTonesWhenTheyAreBack() throws {
        let dir = TempDirectory()
        let daemon = DaemonProcess(body: sourceBlock(feed(dir, items: 3), name: "news"), dir: dir)
        try daemon.start()
        #expect(waitFor(timeout: 30) { count(daemon, "SELECT count(*) FROM extractions") == 9 })
        #expect(count(daemon, "SELECT count(*) FROM entity_tones") > 0)
        // Tone only uses entities: switched off, it is named as running without them.
        let note = try daemon.ctl(["plugins", "disable", "entities"])
        #expect(note.status == 0 && note.stdout.contains("tone") && note.stdout.contains("without"), "\(note.stdout)")
        // New stories: tone scores them alone (no entity tones); events, which requires
        // entities, is skipped.
        _ = feed(dir, items: 4)
        _ = try daemon.ctl(["sources", "fetch", "news"])
        let toneOK = "SELECT count(*) FROM extractions WHERE plugin = 'tone' AND status = 'ok'"
        #expect(waitFor(timeout: 30) { count(daemon, toneOK) == 4 })
        #expect(count(daemon, "SELECT count(*) FROM tones") == 4)
        #expect(count(daemon, "SELECT count(*) FROM entity_tones") == 0)
        #expect(waitFor(timeout: 30) { count(daemon, "SELECT count(*) FROM extractions WHERE plugin = 'events' AND status = 'skipped'") == 4 })
        // Back on: entities catches up, and tone runs again with it.
        #expect(try daemon.ctl(["plugins", "enable", "entities"]).status == 0)
        #expect(waitFor(timeout: 30) { count(daemon, "SELECT count(DISTINCT document_id) FROM entity_tones") == 4 })
        #expect(count(daemon, toneOK) == 4)
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func reprocessingReplacesResultsAndResumesAfterKillNine() throws {
        let dir = TempDirectory()
        // A slow exec plugin (20 ms a document), so that the job is still running when killed.
        let slow = dir.write("slow.py", """
            import json, sys, time
            print(json.dumps({"protocol": 1, "name": "slow", "version": "1.0", "requires": []}), flush=True)
            for line in sys.stdin:
                request = json.loads(line)
                time.sleep(0.02)
                print(json.dumps({"id": request["id"], "annotations": [{"kind": "seen", "start": 0, "end": 1}]}), flush=True)
            """)
        let items = 150
        let body = sourceBlock(feed(dir, items: items), name: "news") + "[[plugins.exec]]\nname = \"slow\"\ncommand = [\"python3\", \"\(slow)\"]\n"
        let daemon = DaemonProcess(body: body, dir: dir)
        try daemon.start()
        #expect(waitFor(timeout: 60) { count(daemon, "SELECT count(*) FROM extractions WHERE plugin = 'slow'") == Int64(items) })
        let before = count(daemon, "SELECT max(id) FROM extractions WHERE plugin = 'slow'")
        let started = try daemon.ctl(["reprocess", "--plugin", "slow"])
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.stdout.contains("over \(items) document(s)"))
        #expect(waitFor(timeout: 30) { count(daemon, "SELECT done FROM jobs") > 0 })
        daemon.kill9()
        let done = count(daemon, "SELECT done FROM jobs")
        #expect(done > 0 && done < Int64(items), "the kill came too late to test resuming (\(done) done)")
        #expect(count(daemon, "SELECT status FROM jobs") == -1)  // text, not a number: still 'running'
        try daemon.start()
        #expect(waitFor(timeout: 60) { (try? scalar(daemon.databasePath, "SELECT status FROM jobs"))??.string == "done" })
        #expect(count(daemon, "SELECT done + failed FROM jobs") == Int64(items))
        // Every document has exactly one, new, result of the plugin: replaced, not added.
        #expect(count(daemon, "SELECT count(*) FROM extractions WHERE plugin = 'slow'") == Int64(items))
        #expect(count(daemon, "SELECT count(*) FROM extractions WHERE plugin = 'slow' AND id <= \(before)") == 0)
        #expect(count(daemon, "SELECT count(*) FROM annotations WHERE plugin = 'slow'") == Int64(items))
        let jobs = try daemon.ctl(["jobs"])
        #expect(jobs.stdout.contains("\(items)/\(items) (100%)"))
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    /// Batches are stored while the next is computed: no document may be read again while its
    /// results wait for the writer, and none may be left out.
    @Test func eachNewDocumentIsAnalysedOnceWhileBatchesAreStored() throws {
        let dir = TempDirectory()
        let seen = dir.file("seen.txt")
        let counting = dir.write("counting.py", """
            import json, sys
            print(json.dumps({"protocol": 1, "name": "counting", "version": "1.0", "requires": []}), flush=True)
            with open(\(String(reflecting: seen)), "a") as log:
                for line in sys.stdin:
                    request = json.loads(line)
                    log.write(request["text"].split("Story ")[1].split(" of")[0] + "\\n")
                    log.flush()
                    print(json.dumps({"id": request["id"], "annotations": []}), flush=True)
            """)
        let items = 300  // nearly five batches of 64
        let body = sourceBlock(feed(dir, items: items), name: "news") + "[[plugins.exec]]\nname = \"counting\"\ncommand = [\"python3\", \"\(counting)\"]\n"
        let daemon = DaemonProcess(body: body, dir: dir)
        try daemon.start()
        #expect(waitFor(timeout: 90) { count(daemon, "SELECT count(*) FROM extractions WHERE status = 'ok'") == Int64(items * 4) })
        let stories = (try? String(contentsOfFile: seen, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        #expect(stories.count == items, "the plugin saw \(stories.count) documents for \(items)")
        #expect(Set(stories) == Set((0..<items).map(String.init)))
        #expect(count(daemon, "SELECT count(DISTINCT document_id) FROM extractions WHERE plugin = 'entities'") == Int64(items))
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func aCrashingExecPluginFailsThoseDocumentsAndNothingElse() throws {
        let dir = TempDirectory()
        let crashy = dir.write("crashy.py", """
            import json, os, sys
            print(json.dumps({"protocol": 1, "name": "crashy", "version": "1.0"}), flush=True)
            print("WARNING: started", file=sys.stderr, flush=True)
            for line in sys.stdin:
                request = json.loads(line)
                if "Yeltsin" in request["text"]:
                    os._exit(9)
                print(json.dumps({"id": request["id"], "annotations": []}), flush=True)
            """)
        let body = sourceBlock(feed(dir, items: 6), name: "news") + "[[plugins.exec]]\nname = \"crashy\"\ncommand = [\"python3\", \"\(crashy)\"]\n"
        let daemon = DaemonProcess(body: body, dir: dir)
        try daemon.start()
        #expect(waitFor(timeout: 40) { count(daemon, "SELECT count(*) FROM extractions WHERE plugin = 'crashy'") == 6 })
        #expect(count(daemon, "SELECT count(*) FROM extractions WHERE plugin = 'crashy' AND status = 'failed'") >= 2)
        #expect(count(daemon, "SELECT count(*) FROM extractions WHERE plugin = 'crashy' AND status = 'ok'") >= 1)
        #expect(count(daemon, "SELECT count(*) FROM extractions WHERE plugin <> 'crashy' AND status = 'ok'") == 18)
        #expect(try daemon.ctl(["status"]).status == 0)
        #expect(daemon.stderr.contains("started"))  // its stderr reached the log
        daemon.signal(SIGTERM)
        #expect(daemon.waitExit() == 0)
    }

    @Test func aBrokenPluginConfigStopsTheStartWithItsLine() throws {
        let dir = TempDirectory()
        let daemon = DaemonProcess(body: "[plugins.tone]\nwindow = 0\n", dir: dir)
        let check = try Binaries.run(Binaries.tidingsd, ["check-config", "--config", dir.file("tidingsd.toml")])
        #expect(check.status == 78)
        #expect(check.stderr.contains("tidingsd.toml:") && check.stderr.contains("plugins.tone.window"))
        // The daemon itself refuses to start, with the same message.
        try daemon.start(waitReady: false)
        #expect(daemon.waitExit() == 78)
        #expect(daemon.stderr.contains("plugins.tone.window"))
    }
}
