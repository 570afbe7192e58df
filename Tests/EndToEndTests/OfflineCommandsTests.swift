import Foundation
import TestSupport
import Testing

/// `tidingsd parse-feed --jsonl` and `extract-article --jsonl`: one line out per line in, in
/// order; a bad line gets an "error" and the run goes on.
struct OfflineCommandsTests {
    func run(_ arguments: [String], stdin: String, in dir: TempDirectory) throws -> [[String: Any]] {
        let input = dir.write("in.jsonl", stdin)
        let result = try Binaries.run("/bin/sh", ["-c", "\"\(Binaries.tidingsd)\" \(arguments.joined(separator: " ")) < \"\(input)\""])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? [:]
        }
    }

    @Test func theOfflineCommandsNeverLoadLibcurlButTheDaemonCheckDoes() throws {
        let dir = TempDirectory()
        let input = dir.write("in.jsonl", #"{"path": "\#(dir.write("a.xml", makeRSS(items: 1)))"}"# + "\n")
        // LD_DEBUG=libs makes the dynamic loader name every library it loads, on stderr.
        for command in ["parse-feed --jsonl", "extract-article --jsonl"] {
            let result = try Binaries.run("/bin/sh", ["-c", "LD_DEBUG=libs \"\(Binaries.tidingsd)\" \(command) < \"\(input)\""])
            #expect(result.status == 0)
            #expect(result.stderr.contains("libxml2"), "LD_DEBUG gave nothing to look at")
            #expect(!result.stderr.contains("libcurl"), "\(command) loaded libcurl")
        }
        let config = dir.write("t.toml", "[daemon]\ndatabase = \"\(dir.file("t.db"))\"\nsocket = \"\(dir.file("t.sock"))\"\n")
        let check = try Binaries.run("/bin/sh", ["-c", "LD_DEBUG=libs \"\(Binaries.tidingsd)\" check-config --config \"\(config)\""])
        #expect(check.status == 0, "\(check.stderr.suffix(500))")
        #expect(check.stderr.contains("libcurl.so.4"))
        #expect(check.stdout.contains("libcurl   libcurl/"))
    }

    @Test func trainToneLearnsAModelAndNamesBadLines() throws {
        let dir = TempDirectory()
        var lines: [String] = []
        for index in 0..<20 {
            lines.append(#"{"text": "Voters praised Smith warmly, day \#(index).", "target": {"start": 14, "end": 19}, "polarity": 1, "split": "train"}"#)
            lines.append(#"{"text": "Voters blasted Smith angrily, day \#(index).", "target": {"start": 14, "end": 19}, "polarity": -1, "split": "train"}"#)
            lines.append(#"{"text": "Voters saw Smith, day \#(index).", "target": {"start": 11, "end": 16}, "polarity": 0}"#)
        }
        lines.append(#"{"text": "Held out.", "target": {"start": 0, "end": 4}, "polarity": 1, "split": "dev"}"#)
        let input = dir.write("train.jsonl", lines.joined(separator: "\n") + "\n")
        let model = dir.file("model.txt")
        let result = try Binaries.run(Binaries.tidingsd, ["train-tone", "--input", input, "--output", model])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("learned from 60 sentences"))  // the dev line is left out
        let text = try String(contentsOfFile: model, encoding: .utf8)
        #expect(text.contains("\nw:praised\t") && text.contains("\nbias\t"))
        // A bad line is named, with its number (blank lines counted).
        let bad = dir.write("bad.jsonl", lines[0] + "\n\n" + #"{"text": "x", "target": {"start": 0, "end": 1}, "polarity": 0.7}"# + "\n")
        let refused = try Binaries.run(Binaries.tidingsd, ["train-tone", "--input", bad])
        #expect(refused.status != 0 && refused.stderr.contains("bad.jsonl:3:"), "\(refused.stderr)")
    }

    @Test func analyzeRunsWhatIsAskedAndWhatItRequiresButNotWhatItOnlyUses() throws {
        let dir = TempDirectory()
        let line = #"{"id": "a", "text": "Talks on the Kuril Islands failed, and Japan was disappointed.", "targets": [{"start": 39, "end": 44}]}"#
        func plugins(_ out: [[String: Any]]) -> [String] { (out.first?["plugins"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? [] }
        // Tone only uses entities: alone, it scores the text and the span, and finds no entities.
        let alone = try run(["analyze", "--jsonl", "--plugins", "tone"], stdin: line + "\n", in: dir)
        #expect(plugins(alone) == ["tone"])
        #expect(((alone.first?["tone"] as? [String: Any])?["score"] as? Double ?? 0) < 0)
        #expect((alone.first?["targets"] as? [[String: Any]])?.count == 1)
        #expect((alone.first?["entities"] as? [Any])?.isEmpty == true)
        #expect((alone.first?["entity_tones"] as? [Any])?.isEmpty == true)
        // Events requires entities: asking for events runs both.
        let events = try run(["analyze", "--jsonl", "--plugins", "events"], stdin: line + "\n", in: dir)
        #expect(plugins(events) == ["entities", "events"])
        let both = try run(["analyze", "--jsonl", "--plugins", "entities,tone"], stdin: line + "\n", in: dir)
        #expect(plugins(both) == ["entities", "tone"])
        #expect((both.first?["entities"] as? [Any])?.isEmpty == false)
        // With entities, the tone toward each of them: Japan was disappointed.
        let japan = (both.first?["entity_tones"] as? [[String: Any]])?.first { $0["canonical"] as? String == "Japan" }
        #expect(japan?["label"] as? String == "GPE" && japan?["mentions"] as? Int == 1)
        #expect((japan?["score"] as? Double ?? 0) < 0)
    }

    @Test func parseFeedAnswersEveryLineInOrder() throws {
        let dir = TempDirectory()
        let rss = dir.write("a.xml", makeRSS(items: 2))
        let atom = dir.write("b.xml", "<feed xmlns='http://www.w3.org/2005/Atom'><title>Atom</title><entry><title>E</title></entry></feed>")
        let lines = [
            #"{"path": "\#(rss)", "url": "https://news.example/feed.xml", "headers": {"Content-Type": "application/rss+xml"}}"#,
            "this is not json",
            #"{"path": "\#(dir.file("missing.xml"))", "url": null, "headers": {}}"#,
            #"{"path": "\#(atom)", "url": null, "headers": {}}"#,
        ]
        let out = try run(["parse-feed", "--jsonl"], stdin: lines.joined(separator: "\n") + "\n", in: dir)
        #expect(out.count == 4)
        #expect(out[0]["format"] as? String == "rss20")
        #expect((out[0]["entries"] as? [[String: Any]])?.count == 2)
        #expect((out[0]["entries"] as? [[String: Any]])?.first?["published"] as? String == "1999-04-05T08:00:00Z")
        #expect(out[1]["error"] as? String != nil)
        #expect((out[2]["error"] as? String)?.contains("cannot read") == true)
        #expect(out[3]["format"] as? String == "atom10")
        #expect((out[3]["feed"] as? [String: Any])?["title"] as? String == "Atom")
    }

    @Test func extractArticleReadsPagesAndReportsErrors() throws {
        let dir = TempDirectory()
        let page = repositoryRoot + "/share/demo/monitor-5-66.html"
        let lines = [
            #"{"id": "seed", "path": "\#(page)", "url": "https://monitor.example/x.html"}"#,
            #"{"id": 7, "path": "\#(dir.file("none.html"))", "url": null}"#,
        ]
        let out = try run(["extract-article", "--jsonl"], stdin: lines.joined(separator: "\n") + "\n", in: dir)
        #expect(out.count == 2)
        #expect(out[0]["id"] as? String == "seed")
        #expect((out[0]["text"] as? String)?.hasPrefix("Relations between Russia and Japan") == true)
        #expect(out[0]["published"] as? String == "1999-04-05T08:00:00Z")
        #expect(out[1]["id"] as? String == "7")
        #expect(out[1]["error"] as? String != nil)
    }
}
