import ArgumentParser
import Foundation
import Logging
import TidingsCore
import TidingsDaemon
import TidingsPipeline
import TidingsPluginKit

/// `tidingsd analyze --jsonl [--config FILE]`: the plugins without the daemon, with the same
/// pipeline code. In: `{"id", "text", "title"?, "date"?, "language"?, "targets"?: [{"start","end"}]}`;
/// out: `{"id", "entities", "events", "tone", "entity_tones", "targets"?, "annotations", "plugins"}`.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the configured plugins on JSON lines of text, as the daemon would.")

    @Flag(help: "Read JSON lines from stdin; write one JSON line each, in order.")
    var jsonl = false

    @Option(name: .shortAndLong, help: "A tidingsd TOML file whose [plugins] to use (default: built-in plugins with their defaults).")
    var config: String?

    @Option(help: "Run only these plugins (comma-separated), and what they require (not what they only use: `tone` alone has no entity tones).")
    var plugins: String?

    @Option(help: ArgumentHelp("Measure the machinery: run N plugins that do nothing (each requiring the one before) instead of the configured ones.", visibility: .hidden))
    var noopPlugins: Int?

    @Flag(help: ArgumentHelp("With --noop-plugins: the first one asks for the tokens, so segmentation is counted too.", visibility: .hidden))
    var noopSegment = false

    func validate() throws {
        if !jsonl { throw ValidationError("give --jsonl and documents on stdin") }
    }

    func run() throws {
        var settings = PluginSettings()
        if let config {
            do {
                settings = try ConfigLoader.load(path: config).plugins
            } catch {
                FileHandle.standardError.write(Data("tidingsd analyze: \(error)\n".utf8))
                throw ExitCode(exitConfigError)
            }
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .notice
            return handler
        }
        let pipeline: Pipeline
        do {
            if let count = noopPlugins {
                guard (1...100).contains(count) else { throw ValidationError("--noop-plugins takes 1 to 100") }
                pipeline = try Pipeline(stages: (0..<count).map { index in
                    NoopStage(name: "noop\(index)", requires: index == 0 ? [] : ["noop\(index - 1)"], segment: index == 0 && noopSegment)
                })
            } else {
                pipeline = try PluginSet.make(settings, startExec: true, logger: Logger(label: "tidingsd.analyze"))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("tidingsd analyze: [plugins] \(error)\n".utf8))
            throw ExitCode(exitConfigError)
        }
        defer { pipeline.shutdown() }
        var enabled = Set(pipeline.names.filter { noopPlugins != nil || settings.enabledInConfig($0) })
        if let plugins {
            let asked = Set(plugins.split(separator: ",").map { $0.trimmedWhitespace() })
            if let unknown = asked.first(where: { pipeline.stage($0) == nil }) {
                throw ValidationError("no plugin is called \(unknown); plugins: \(pipeline.names.joined(separator: ", "))")
            }
            // What they use runs only when asked for too: `--plugins tone` is tone alone.
            enabled = pipeline.closure(of: asked, using: asked)
        }
        let selected = enabled
        JSONLines.tuneAllocator()
        JSONLines.process(JSONLines.read()) { line in AnalyzeResult(line, pipeline: pipeline, enabled: selected) }
    }
}

struct AnalyzeResult: JSONLineEncodable {
    var id: JSON = .null
    var error: String?
    var results: [StageResult] = []
    var askedTargets = false

    init(_ line: [UInt8], pipeline: Pipeline, enabled: Set<String>) {
        guard let request = try? JSON.parse(line), request.members != nil else {
            error = "bad request line: expected {\"id\", \"text\", \"title\"?, \"date\"?, \"targets\"?}"
            return
        }
        id = request["id"] ?? .null
        guard let text = request["text"]?.string else {
            error = "the request has no \"text\" (a string)"
            return
        }
        var targets: [Span] = []
        if let list = request["targets"]?.array {
            askedTargets = true
            for item in list {
                guard let start = item["start"]?.int, let end = item["end"]?.int, start >= 0, end >= start else {
                    error = "every target needs whole-number \"start\" ≤ \"end\""
                    return
                }
                targets.append(Span(start: start, end: end))
            }
        }
        let document = AnalyzedDocument(
            text: text, title: request["title"]?.string, date: AnalyzeResult.date(request["date"]?.string), language: request["language"]?.string)
        results = pipeline.run(document, enabled: enabled, targets: targets)
    }

    /// YYYY-MM-DD from YYYY-MM-DD or YYYYMMDD (or a longer ISO time).
    static func date(_ text: String?) -> String? {
        guard let text else { return nil }
        let digits = text.filter(\.isNumber)
        if text.count == 8 && digits.count == 8 {
            return "\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))"
        }
        return text.count >= 10 ? String(text.prefix(10)) : text
    }

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("id")
        json.value(id)
        if let error {
            json.field("error", error)
            json.endObject()
            return
        }
        let ok = results.filter { $0.status == .ok }
        json.key("entities"); ExtractionJSON.writeEntities(ok.flatMap(\.extraction.entities), to: &json)
        json.key("events"); ExtractionJSON.writeEvents(ok.flatMap(\.extraction.events), to: &json)
        json.key("tone"); ExtractionJSON.writeTone(ok.lazy.compactMap(\.extraction.tone).first, to: &json)
        json.key("entity_tones"); ExtractionJSON.writeEntityTones(ok.flatMap(\.extraction.entityTones), to: &json)
        if askedTargets {
            json.key("targets"); ExtractionJSON.writeTargets(ok.first { !$0.extraction.targets.isEmpty }?.extraction.targets ?? [], to: &json)
        }
        json.key("annotations")
        ExtractionJSON.writeAnnotations(ok.flatMap { result in result.extraction.annotations.map { (result.plugin, $0) } }, to: &json)
        // How each plugin did, for whoever wants to know.
        json.key("plugins")
        json.beginArray()
        for result in results {
            json.beginObject()
            json.field("name", result.plugin)
            json.field("version", result.version)
            json.field("status", result.status.rawValue)
            if let error = result.error { json.field("error", error) }
            json.key("ms"); json.number((result.durationMs * 1000).rounded() / 1000)
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }
}
