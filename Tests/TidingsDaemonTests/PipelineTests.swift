import Foundation
import Logging
import TestSupport
import Testing
import TidingsTOML

@testable import TidingsPipeline
@testable import TidingsPluginKit

/// A stage for tests: it records nothing, returns an annotation, or throws.
struct FakeStage: PipelineStage {
    var descriptor: PluginDescriptor
    var kind: String { "test" }
    var fail = false
    var badOffsets = false

    init(_ name: String, requires: [String] = [], uses: [String] = [], fail: Bool = false, badOffsets: Bool = false) {
        descriptor = PluginDescriptor(name: name, version: "1", requires: requires, uses: uses, produces: ["annotations"], summary: name)
        self.fail = fail
        self.badOffsets = badOffsets
    }

    func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        if fail { throw PluginError("\(descriptor.name) broke") }
        // It sees exactly what it requires.
        let seen = context.results.keys.sorted().joined(separator: ",")
        let end = badOffsets ? document.scalars.count + 5 : min(1, document.scalars.count)
        return Extraction(annotations: [Annotation(kind: "seen", start: 0, end: end, label: descriptor.name, value: seen)])
    }

    func shutdown() {}
}

struct PipelineOrderTests {
    @Test func pluginsRunAfterWhatTheyRequire() throws {
        let pipeline = try Pipeline(stages: [FakeStage("c", requires: ["b"]), FakeStage("a"), FakeStage("b", requires: ["a"])])
        #expect(pipeline.names == ["a", "b", "c"])
        let results = pipeline.run(AnalyzedDocument(text: "Text."))
        #expect(results.map(\.plugin) == ["a", "b", "c"])
        #expect(results.map { $0.extraction.annotations.first?.value } == ["", "a", "b"])
        #expect(pipeline.closure(of: ["c"]) == ["a", "b", "c"])
    }

    @Test func pluginsRunAfterWhatTheyUseAndWithoutItWhenItIsOffOrFails() throws {
        // "tone" uses "entities": after it when both run, alone when it is off, and still when it fails.
        let pipeline = try Pipeline(stages: [FakeStage("tone", uses: ["entities", "not-here"]), FakeStage("entities")])
        #expect(pipeline.names == ["entities", "tone"])
        let both = pipeline.run(AnalyzedDocument(text: "Text."))
        #expect(both.map(\.plugin) == ["entities", "tone"])
        #expect(both.last?.status == .ok && both.last?.extraction.annotations.first?.value == "entities")
        let alone = pipeline.run(AnalyzedDocument(text: "Text."), enabled: ["tone"])
        #expect(alone.map(\.plugin) == ["tone"])
        #expect(alone.first?.status == .ok && alone.first?.extraction.annotations.first?.value == "")
        let failing = try Pipeline(stages: [FakeStage("tone", uses: ["entities"]), FakeStage("entities", fail: true)]).run(AnalyzedDocument(text: "Text."))
        #expect(failing.map(\.status) == [.failed, .ok])
        #expect(failing.last?.extraction.annotations.first?.value == "")
        // What a plugin uses is in its closure only among `using`.
        #expect(pipeline.closure(of: ["tone"]) == ["tone", "entities"])
        #expect(pipeline.closure(of: ["tone"], using: []) == ["tone"])
        #expect(pipeline.closure(of: ["tone"], using: ["entities"]) == ["tone", "entities"])
        // A cycle through `uses` is still a cycle.
        #expect(throws: PluginSetupError.self) { try Pipeline(stages: [FakeStage("a", uses: ["b"]), FakeStage("b", requires: ["a"])]) }
    }

    @Test func cyclesUnknownRequirementsAndDuplicatesAreStartupErrors() {
        #expect(throws: PluginSetupError.self) { try Pipeline(stages: [FakeStage("a", requires: ["b"]), FakeStage("b", requires: ["a"])]) }
        do {
            _ = try Pipeline(stages: [FakeStage("a", requires: ["c"]), FakeStage("b", requires: ["a"]), FakeStage("c", requires: ["b"])])
            Issue.record("a cycle was accepted")
        } catch {
            #expect(error.message.contains("cycle"))
            #expect(error.message.contains("a → c → b → a"), "\(error.message)")
        }
        do {
            _ = try Pipeline(stages: [FakeStage("a", requires: ["nope"])])
            Issue.record("an unknown requirement was accepted")
        } catch {
            #expect(error.message.contains("requires nope"))
        }
        #expect(throws: PluginSetupError.self) { try Pipeline(stages: [FakeStage("a"), FakeStage("a")]) }
    }

    @Test func aFailingPluginFailsAloneAndItsDependentsAreSkipped() throws {
        let pipeline = try Pipeline(stages: [
            FakeStage("broken", fail: true), FakeStage("needs-broken", requires: ["broken"]), FakeStage("independent"),
            FakeStage("liar", badOffsets: true),
        ])
        let results = Dictionary(uniqueKeysWithValues: pipeline.run(AnalyzedDocument(text: "Some text.")).map { ($0.plugin, $0) })
        #expect(results["broken"]?.status == .failed)
        #expect(results["broken"]?.error == "broken broke")
        #expect(results["needs-broken"]?.status == .skipped)
        #expect(results["needs-broken"]?.error?.contains("failed") == true)
        #expect(results["independent"]?.status == .ok)
        #expect(results["independent"]?.extraction.annotations.count == 1)
        // Results that do not fit the document are the plugin's failure.
        #expect(results["liar"]?.status == .failed)
        #expect(results["liar"]?.error?.contains("outside the text") == true)
    }

    @Test func disabledRequirementsSkipTheirDependents() throws {
        let pipeline = try Pipeline(stages: [FakeStage("a"), FakeStage("b", requires: ["a"])])
        let results = pipeline.run(AnalyzedDocument(text: "x"), enabled: ["b"])
        #expect(results.map(\.plugin) == ["b"])
        #expect(results[0].status == .skipped)
        #expect(results[0].error?.contains("disabled") == true)
    }
}

struct BuiltInPluginTests {
    func pipeline(_ toml: String = "") throws(PluginSetupError) -> Pipeline {
        let root = try! TOMLParser.parse(toml)
        let settings = try PluginSettings.read(root["plugins"].flatMap { if case .table(let t) = $0.value { t } else { nil } })
        return try PluginSet.make(settings, startExec: false, logger: Logger(label: "test"))
    }

    @Test func theFirstVersionsReadTheExampleSentence() throws {
        let results = try pipeline().run(AnalyzedDocument(text: "Japanese Prime Minister Keizo Obuchi will visit Moscow. Talks were a great success."))
        let byName = Dictionary(uniqueKeysWithValues: results.map { ($0.plugin, $0) })
        #expect(results.allSatisfy { $0.status == .ok })
        let entities = byName["entities"]!.extraction.entities
        #expect(entities.contains { $0.text == "Keizo Obuchi" && $0.label == "PER" && $0.actorCode == "JPNGOV" && $0.role == "Prime Minister" })
        #expect(entities.contains { $0.text == "Moscow" && $0.label == "GPE" && $0.country == "RUS" })
        let event = try #require(byName["events"]!.extraction.events.first)
        #expect((event.source, event.target, event.code, event.quadClass) == ("JPNGOV", "RUS", "036", 1))
        let tone = try #require(byName["tone"]!.extraction.tone)
        #expect(tone.score > 0)
        #expect(tone.positive > 0)
    }

    @Test func pluginKeysAreCheckedWithTheirLines() throws {
        do {
            _ = try pipeline("[plugins.tone]\nwindow = 5\nwindoww = 3\n")
            Issue.record("an unknown key was accepted")
        } catch {
            #expect(error.line == 3)
            #expect(error.key == "plugins.tone.windoww")
            #expect(error.message.contains("window"))
        }
        do {
            _ = try pipeline("[plugins.tone]\nwindow = \"wide\"\n")
            Issue.record("a string window was accepted")
        } catch {
            #expect(error.line == 2)
        }
        do {
            _ = try pipeline("[plugins.nosuch]\nx = 1\n")
            Issue.record("an unknown plugin was accepted")
        } catch {
            #expect(error.line == 1)
            #expect(error.message.contains("built in: entities, events, tone"))
        }
        do {
            _ = try pipeline("[[plugins.exec]]\nname = \"k\"\ncommand = [\"/nonexistent/program\"]\n")
            Issue.record("a missing program was accepted")
        } catch {
            #expect(error.message.contains("not an executable"))
        }
        #expect(try pipeline("[plugins.entities]\nenabled = false\nguess_unknown = false\n").names.contains("entities"))
    }
}

/// `[plugins]` and `[[plugins.exec]]`, read and checked before anything runs.
struct PluginSettingsTests {
    func settingsError(_ toml: String) throws -> PluginSetupError {
        let root = try TOMLParser.parse(toml)
        guard case .table(let plugins)? = root["plugins"]?.value else { throw PluginError("no [plugins] in the test") }
        let settings: PluginSettings
        do {
            settings = try PluginSettings.read(plugins)
        } catch {
            return error
        }
        throw PluginError("accepted: \(settings)")
    }

    @Test func execEntriesAreRead() throws {
        let toml = """
            [plugins.tone]
            enabled = false

            [[plugins.exec]]
            name = "keywords"
            command = ["/usr/bin/python3", "keywords.py"]
            timeout = "250ms"
            enabled = false
            options = { keywords = "islands=kuril*" }
            """
        let root = try TOMLParser.parse(toml)
        guard case .table(let plugins)? = root["plugins"]?.value else { throw PluginError("no [plugins]") }
        let settings = try PluginSettings.read(plugins)
        #expect(
            settings.exec == [
                ExecPluginSettings(
                    name: "keywords", command: ["/usr/bin/python3", "keywords.py"], timeout: 0.25, enabled: false,
                    options: ["keywords": "islands=kuril*"], line: 4)
            ])
        #expect(!settings.enabledInConfig("tone") && !settings.enabledInConfig("keywords") && settings.enabledInConfig("events"))
    }

    @Test(arguments: [
        // ([plugins] …, line, key, message)
        ("[plugins.tone]\nenabled = \"no\"", 2, "plugins.tone.enabled", "must be true or false, not a string"),
        ("[plugins]\ntone = 1", 2, "plugins.tone", "must be a table ([plugins.tone]), not an integer"),
        ("[plugins]\nexec = 1", 2, "plugins.exec", "must be an array of tables ([[plugins.exec]])"),
        ("[[plugins.exec]]\nname = \"k\"\ncommand = [\"x\"]\ncomand = 1", 4, "plugins.exec[0].comand",
         "unknown key in plugins.exec[0]; allowed: name, command, timeout, enabled, options"),
        ("[[plugins.exec]]\ncommand = [\"x\"]", 1, "plugins.exec[0].name", "is required"),
        ("[[plugins.exec]]\nname = \"a b\"\ncommand = [\"x\"]", 2, "plugins.exec[0].name", "\"a b\": use letters, digits, - and _ only"),
        ("[[plugins.exec]]\nname = \"k\"\ncommand = []", 3, "plugins.exec[0].command", "is required: the program"),
        ("[[plugins.exec]]\nname = \"k\"\ncommand = [\"x\", 2]", 3, "plugins.exec[0].command", "must be an array of strings; found an integer"),
        ("[[plugins.exec]]\nname = \"k\"\ncommand = [\"x\"]\ntimeout = \"20m\"", 4, "plugins.exec[0].timeout",
         "\"20m\" is out of range; use between 50ms and 10m"),
        ("[[plugins.exec]]\nname = \"k\"\ncommand = [\"x\"]\noptions = { depth = 2 }", 4, "plugins.exec[0].options.depth",
         "must be a string, not an integer"),
        ("[[plugins.exec]]\nname = \"k\"\ncommand = [\"x\"]\n[[plugins.exec]]\nname = \"k\"\ncommand = [\"y\"]", 4, "plugins.exec",
         "a plugin called k exists already"),
    ])
    func errorsNameLineAndKey(text: String, line: Int, key: String, message: String) throws {
        let error = try settingsError(text)
        #expect(error.line == line)
        #expect(error.key == key)
        #expect(error.message.hasPrefix(message), "message was: \(error.message)")
    }
}

/// Exec plugins against real child processes (Python scripts written by the tests).
struct ExecPluginTests {
    let dir = TempDirectory()

    /// A plugin program: handshake, then `body` (Python) handles each request in `request`,
    /// printing its reply.
    func script(_ name: String, _ body: String, handshake: String? = nil) -> String {
        let path = dir.write("\(name).py", """
            import json, sys, time, os
            print(\(handshake ?? "json.dumps({\"protocol\": 1, \"name\": \"\(name)\", \"version\": \"2.0\", \"requires\": []})"), flush=True)
            for line in sys.stdin:
                request = json.loads(line)
                text = request["text"]
            \(body.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
                sys.stdout.flush()
            """)
        return path
    }

    func start(_ name: String, _ path: String, timeout: Double = 2) throws(PluginSetupError) -> ExecPlugin {
        try ExecPlugin.start(ExecPluginSettings(name: name, command: ["python3", path], timeout: timeout), logger: Logger(label: "test"))
    }

    func reply(_ fields: String) -> String { "print(json.dumps(dict(id=request[\"id\"], \(fields))))" }

    @Test func aWellBehavedPluginAnnotates() throws {
        let plugin = try start("echo", script("echo", reply("annotations=[dict(kind=\"len\", start=0, end=len(text), value=str(len(text)))]")))
        defer { plugin.shutdown() }
        #expect(plugin.descriptor.version == "2.0")
        let extraction = try plugin.extract(AnalyzedDocument(text: "Ельцин met Obuchi"), context: ExtractionContext())
        #expect(extraction.annotations == [Annotation(kind: "len", start: 0, end: 17, value: "17")])
    }

    @Test func aSlowPluginTimesOutAndIsRestarted() throws {
        let plugin = try start("slow", script("slow", "if text == \"slow\":\n    time.sleep(30)\n" + reply("annotations=[]")), timeout: 0.5)
        defer { plugin.shutdown() }
        let started = Date()
        #expect(throws: PluginError.self) { try plugin.extract(AnalyzedDocument(text: "slow"), context: ExtractionContext()) }
        #expect(Date().timeIntervalSince(started) < 5)
        // The next document goes to a fresh program.
        #expect(try plugin.extract(AnalyzedDocument(text: "fast"), context: ExtractionContext()).annotations.isEmpty)
    }

    @Test func aCrashFailsThatDocumentAndTheProgramComesBack() throws {
        let plugin = try start("crashy", script("crashy", "if text == \"crash\":\n    os._exit(3)\n" + reply("annotations=[dict(kind=\"ok\", start=0, end=1)]")))
        defer { plugin.shutdown() }
        do {
            _ = try plugin.extract(AnalyzedDocument(text: "crash"), context: ExtractionContext())
            Issue.record("a crash went unnoticed")
        } catch {
            #expect("\(error)".contains("exited (status 3)"))
        }
        // Restarted after a short backoff.
        #expect(waitFor(timeout: 10) { (try? plugin.extract(AnalyzedDocument(text: "fine"), context: ExtractionContext()))?.annotations.count == 1 })
    }

    @Test func malformedAndOversizedRepliesFailOnlyThatDocument() throws {
        let body = """
            if text == "garbage":
                print("this is not json")
            elif text == "huge":
                print(json.dumps(dict(id=request["id"], annotations=[], pad="x" * 2000000)))
            elif text == "wrong":
                print(json.dumps(dict(id=request["id"], annotations=[dict(kind="k", start="zero", end=1)])))
            elif text == "refuse":
                print(json.dumps(dict(id=request["id"], error="cannot read this")))
            else:
            """ + "\n    " + reply("annotations=[]")
        let plugin = try start("messy", script("messy", body))
        defer { plugin.shutdown() }
        for (text, expected) in [("garbage", "malformed reply"), ("huge", "longer than"), ("wrong", "whole number"), ("refuse", "cannot read this")] {
            do {
                _ = try plugin.extract(AnalyzedDocument(text: text), context: ExtractionContext())
                Issue.record("\(text) was accepted")
            } catch {
                #expect("\(error)".contains(expected), "\(text): \(error)")
            }
            #expect(try plugin.extract(AnalyzedDocument(text: "next"), context: ExtractionContext()).annotations.isEmpty, "after \(text)")
        }
    }

    @Test func restartsAreTransientAndStrayLinesDoNotShiftReplies() throws {
        let body = """
            if text == "crash":
                os._exit(3)
            if text == "double":
                print(json.dumps(dict(id=request["id"], annotations=[])))
                print(json.dumps(dict(id=request["id"], annotations=[])))
            else:
            """ + "\n    " + reply("annotations=[dict(kind=\"n\", start=0, end=1, value=text)]")
        let plugin = try start("restless", script("restless", body))
        defer { plugin.shutdown() }
        // A second reply to one request must not become the reply to the next one.
        _ = try plugin.extract(AnalyzedDocument(text: "double"), context: ExtractionContext())
        let next = try plugin.extract(AnalyzedDocument(text: "next"), context: ExtractionContext())
        #expect(next.annotations.first?.value == "next")
        let after = try plugin.extract(AnalyzedDocument(text: "after"), context: ExtractionContext())
        #expect(after.annotations.first?.value == "after")
        // The crash is the document's failure; the backoff after it is nobody's.
        do {
            _ = try plugin.extract(AnalyzedDocument(text: "crash"), context: ExtractionContext())
            Issue.record("a crash went unnoticed")
        } catch let error as PluginError {
            #expect(!error.transient)
        }
        do {
            _ = try plugin.extract(AnalyzedDocument(text: "during backoff"), context: ExtractionContext())
            Issue.record("no backoff after a crash")
        } catch let error as PluginError {
            #expect(error.transient)
        }
        // A transient failure is marked so in the pipeline's result, so it is not stored.
        let pipeline = try Pipeline(stages: [plugin])
        let result = try #require(pipeline.run(AnalyzedDocument(text: "still backing off")).first)
        #expect(result.status == .failed && result.transient)
    }

    @Test func aProgramThatDoesNotReadCannotBlockTheWriter() throws {
        let path = dir.write("deaf.py", """
            import json, time
            print(json.dumps({"protocol": 1, "name": "deaf", "version": "1"}), flush=True)
            time.sleep(60)
            """)
        let plugin = try start("deaf", path, timeout: 1)
        defer { plugin.shutdown() }
        let started = Date()
        // Far more than a pipe holds: a blocking write would never return.
        #expect(throws: PluginError.self) {
            try plugin.extract(AnalyzedDocument(text: String(repeating: "word ", count: 400_000)), context: ExtractionContext())
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func systemdsVariablesStayWithTheDaemon() throws {
        setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let plugin = try start("env", script("env", reply("annotations=[dict(kind=\"env\", start=0, end=0, value=str(\"NOTIFY_SOCKET\" in os.environ))]")))
        defer { plugin.shutdown() }
        #expect(try plugin.extract(AnalyzedDocument(text: "x"), context: ExtractionContext()).annotations.first?.value == "False")
    }

    @Test func aBadHandshakeIsAStartupError() throws {
        let wrongName = script("named", reply("annotations=[]"), handshake: "json.dumps({\"protocol\": 1, \"name\": \"other\", \"version\": \"1\"})")
        #expect(throws: PluginSetupError.self) { try start("named", wrongName) }
        let wrongProtocol = script("proto", reply("annotations=[]"), handshake: "json.dumps({\"protocol\": 9, \"name\": \"proto\", \"version\": \"1\"})")
        do {
            _ = try start("proto", wrongProtocol)
            Issue.record("protocol 9 was accepted")
        } catch {
            #expect(error.message.contains("protocol"))
        }
        let silent = dir.write("silent.py", "import time\ntime.sleep(30)\n")
        #expect(throws: PluginSetupError.self) { try start("silent", silent, timeout: 0.2) }
    }

    @Test func stderrLinesBecomeLogLinesWithLevels() {
        #expect(Child.level(of: "ERROR: disk full") == (.error, "disk full"))
        #expect(Child.level(of: "warning: slow") == (.warning, "slow"))
        #expect(Child.level(of: "<7>details") == (.debug, "details"))
        #expect(Child.level(of: "plain") == (.notice, "plain"))
    }

    @Test func theKeywordsExampleTagsTopics() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("plugins/examples/keywords/keywords.py").path
        let plugin = try ExecPlugin.start(
            ExecPluginSettings(name: "keywords", command: ["python3", example], options: ["keywords": "islands=kuril*; diplomacy=talks"]),
            logger: Logger(label: "test"))
        defer { plugin.shutdown() }
        let found = try plugin.extract(AnalyzedDocument(text: "Talks on the Kuril Islands"), context: ExtractionContext()).annotations
        #expect(found.map { [$0.label ?? "", $0.value ?? ""] } == [["diplomacy", "talks"], ["islands", "kuril"]])
        #expect(found[1].start == 13 && found[1].end == 18)
    }
}

struct PluginBoundaryTests {
    /// The plugin API is complete when the built-in plugins need nothing but the plugin kit
    /// (and TidingsCore's file and text utilities).
    @Test func builtInPluginsImportOnlyThePluginKitAndTheCore() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let plugins = root.appendingPathComponent("plugins")
        var checked = 0
        for name in ["entities", "events", "tone"] {
            let folder = plugins.appendingPathComponent(name)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                let imports = text.split(separator: "\n").filter { $0.hasPrefix("import ") || $0.hasPrefix("@testable import ") }
                #expect(
                    imports.allSatisfy { $0 == "import TidingsPluginKit" || $0 == "import TidingsCore" }, "\(name)/\(file) imports \(imports)")
                checked += 1
            }
        }
        #expect(checked >= 3)
        #expect(PluginRegistry.builtIn.map { $0.descriptor.name } == ["entities", "events", "tone"])
    }
}
