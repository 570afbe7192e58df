import Foundation
import Synchronization
import Logging
import TidingsCore
import TidingsPluginKit
import TidingsTOML

/// One step of the pipeline: a built-in ``Extractor`` or an exec plugin.
public protocol PipelineStage: Sendable {
    var descriptor: PluginDescriptor { get }
    var kind: String { get }
    func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction
    /// Stops what the stage runs (exec plugins' children).
    func shutdown()
}

struct BuiltInStage: PipelineStage {
    let extractor: any Extractor
    var descriptor: PluginDescriptor { type(of: extractor).descriptor }
    var kind: String { "builtin" }
    func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        try extractor.extract(document, context: context)
    }
    func shutdown() {}
}

/// What one plugin did with one document.
public struct StageResult: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable { case ok, failed, skipped }
    public var plugin: String
    public var version: String
    public var status: Status
    public var error: String?
    public var durationMs: Double
    public var extraction: Extraction
    /// The failure says nothing about the document (a plugin restarting, a stop): store
    /// nothing and try the document again later.
    public var transient: Bool

    public init(
        plugin: String, version: String, status: Status, error: String? = nil, durationMs: Double, extraction: Extraction = Extraction(),
        transient: Bool = false
    ) {
        self.plugin = plugin
        self.version = version
        self.status = status
        self.error = error
        self.durationMs = durationMs
        self.extraction = extraction
        self.transient = transient
    }
}

/// The plugins, in dependency order, and the code that runs a document through them: the same
/// for the daemon and `tidingsd analyze`.
public final class Pipeline: Sendable {
    /// In dependency order: every plugin after the ones it requires or uses.
    public let stages: [any PipelineStage]

    /// Orders `stages` by their `requires` and `uses`. A duplicate name, an unknown
    /// requirement or a cycle is an error that names the plugins; a used plugin that is not
    /// here is simply not used.
    public init(stages: [any PipelineStage]) throws(PluginSetupError) {
        var byName: [String: any PipelineStage] = [:]
        for stage in stages {
            guard byName[stage.descriptor.name] == nil else {
                throw PluginSetupError(line: nil, key: nil, message: "two plugins are called \(stage.descriptor.name)")
            }
            byName[stage.descriptor.name] = stage
        }
        for stage in stages {
            for required in stage.descriptor.requires where byName[required] == nil {
                throw PluginSetupError(
                    line: nil, key: nil,
                    message: "plugin \(stage.descriptor.name) requires \(required), which is not a plugin here (known: \(byName.keys.sorted().joined(separator: ", ")))")
            }
        }
        // Depth-first topological sort, in the given order where there is a choice.
        var ordered: [any PipelineStage] = []
        var state: [String: Int] = [:]  // 1: visiting, 2: done
        func visit(_ name: String, path: [String]) throws(PluginSetupError) {
            if state[name] == 2 { return }
            if state[name] == 1 {
                let cycle = path.drop(while: { $0 != name }) + [name]
                throw PluginSetupError(line: nil, key: nil, message: "plugins require each other in a cycle: \(cycle.joined(separator: " → "))")
            }
            state[name] = 1
            let stage = byName[name]!
            for required in stage.descriptor.requires { try visit(required, path: path + [name]) }
            for used in stage.descriptor.uses where byName[used] != nil { try visit(used, path: path + [name]) }
            state[name] = 2
            ordered.append(stage)
        }
        for stage in stages { try visit(stage.descriptor.name, path: []) }
        self.stages = ordered
    }

    public var names: [String] { stages.map(\.descriptor.name) }

    public func stage(_ name: String) -> (any PipelineStage)? { stages.first { $0.descriptor.name == name } }

    /// `names` and everything they require, transitively, and what they use among `using`
    /// (every plugin when nil).
    public func closure(of names: Set<String>, using: Set<String>? = nil) -> Set<String> {
        var out = Set<String>()
        var todo = Array(names)
        while let name = todo.popLast() {
            guard out.insert(name).inserted, let stage = stage(name) else { continue }
            todo += stage.descriptor.requires
            todo += stage.descriptor.uses.filter { (using?.contains($0) ?? true) && self.stage($0) != nil }
        }
        return out
    }

    /// Runs the document through the `enabled` plugins (all when nil), each after what it
    /// requires or uses. A plugin that throws is `failed` for this document; a plugin whose
    /// requirement is disabled or failed is `skipped`; a plugin it only uses that is disabled
    /// or failed is left out of its context. Every other plugin still runs.
    public func run(_ document: AnalyzedDocument, enabled: Set<String>? = nil, targets: [Span] = []) -> [StageResult] {
        var results: [String: StageResult] = [:]
        var out: [StageResult] = []
        for stage in stages {
            let descriptor = stage.descriptor
            if let enabled, !enabled.contains(descriptor.name) { continue }
            var context = ExtractionContext(targets: targets)
            var missing: String?
            for required in descriptor.requires {
                guard let result = results[required], result.status == .ok else {
                    missing = required
                    break
                }
                context.results[required] = result.extraction
            }
            for used in descriptor.uses {
                if let result = results[used], result.status == .ok { context.results[used] = result.extraction }
            }
            let result: StageResult
            if let missing {
                let why = results[missing] == nil ? "it requires \(missing), which is disabled" : "it requires \(missing), which failed"
                result = StageResult(
                    plugin: descriptor.name, version: descriptor.version, status: .skipped, error: why, durationMs: 0,
                    transient: results[missing]?.transient ?? false)
            } else {
                let started = DispatchTime.now().uptimeNanoseconds
                do {
                    let extraction = try stage.extract(document, context: context)
                    let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
                    if let problem = Pipeline.check(extraction, length: document.scalars.count) {
                        result = StageResult(plugin: descriptor.name, version: descriptor.version, status: .failed, error: problem, durationMs: ms)
                    } else {
                        result = StageResult(plugin: descriptor.name, version: descriptor.version, status: .ok, durationMs: ms, extraction: extraction)
                    }
                } catch {
                    let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
                    result = StageResult(
                        plugin: descriptor.name, version: descriptor.version, status: .failed, error: String(describing: error).prefix(1000).description,
                        durationMs: ms, transient: (error as? PluginError)?.transient ?? false)
                }
            }
            results[descriptor.name] = result
            out.append(result)
        }
        return out
    }

    /// What a plugin returned must fit the document: offsets inside the text, known labels,
    /// sane codes. A result that does not is the plugin's failure, not the store's.
    static func check(_ extraction: Extraction, length: Int) -> String? {
        func bad(_ start: Int, _ end: Int) -> Bool { start < 0 || end < start || end > length }
        for entity in extraction.entities {
            if bad(entity.start, entity.end) { return "entity \"\(entity.text)\" has offsets \(entity.start)–\(entity.end) outside the text (0–\(length))" }
            if !EntityMention.labels.contains(entity.label) { return "entity label \(entity.label) is not one of \(EntityMention.labels.sorted().joined(separator: ", "))" }
        }
        for event in extraction.events {
            if bad(event.start, event.end) { return "event \(event.code) has offsets outside the text" }
            if !(1...4).contains(event.quadClass) || !(-10...10).contains(event.goldstein) || event.code.isEmpty {
                return "event \(event.code): quad class must be 1–4 and Goldstein −10…10"
            }
        }
        for annotation in extraction.annotations where bad(annotation.start, annotation.end) {
            return "annotation \(annotation.kind) has offsets \(annotation.start)–\(annotation.end) outside the text (0–\(length))"
        }
        if let tone = extraction.tone, !(-1...1).contains(tone.score) || !tone.score.isFinite { return "tone score must be in −1…1" }
        for tone in extraction.entityTones where !(-1...1).contains(tone.score) { return "entity tone must be in −1…1" }
        for target in extraction.targets where !(-1...1).contains(target.score) { return "target tone must be in −1…1" }
        return nil
    }

    public func shutdown() { for stage in stages { stage.shutdown() } }
}

/// Built-in plugins already made, by name and configuration table.
final class ExtractorCache: Sendable {
    private let entries = Mutex<[(name: String, table: TOMLTable, extractor: any Extractor)]>([])

    func lookup(_ name: String, _ table: TOMLTable) -> (any Extractor)? {
        entries.withLock { $0.first { $0.name == name && $0.table == table }?.extractor }
    }

    func store(_ name: String, _ table: TOMLTable, _ extractor: any Extractor) {
        entries.withLock { entries in
            entries.removeAll { $0.name == name }
            entries.append((name, table, extractor))
        }
    }
}

/// Builds the pipeline from the config: every built-in plugin (made even when disabled, so
/// that its configuration is checked and it can be enabled at run time) and every exec plugin.
public enum PluginSet {
    static let cache = ExtractorCache()

    /// Where built-in plugins look for data files, after their `data_dir` key.
    public static func dataDirectories(for plugin: String, executable: String = CommandLine.arguments.first ?? "") -> [String] {
        var out: [String] = []
        if let custom = ProcessInfo.processInfo.environment["TIDINGS_DATA_DIR"], !custom.isEmpty {
            out.append((custom as NSString).appendingPathComponent(plugin))
        }
        let binary = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        // Installed: PREFIX/bin/tidingsd → PREFIX/share/tidings/plugins/<name>.
        out.append(binary.deletingLastPathComponent().appendingPathComponent("share/tidings/plugins/\(plugin)").path)
        out.append("/usr/share/tidings/plugins/\(plugin)")
        // A build tree: .build/<triple>/<config>/tidingsd → the checkout's plugins/<name>/data.
        var folder = binary
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            out.append(folder.appendingPathComponent("plugins/\(plugin)/data").path)
        }
        // Where this build's sources were (development and tests).
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        out.append(sources.appendingPathComponent("plugins/\(plugin)/data").path)
        return out
    }

    /// The configured plugins, checked. `startExec` false checks exec plugins' settings only
    /// (for `check-config`); true starts them and waits for their handshakes.
    public static func make(_ settings: PluginSettings, startExec: Bool, logger: Logger) throws(PluginSetupError) -> Pipeline {
        // Built-in plugins read their data (dictionaries, lexicons) in parallel: start-up is
        // most of the time of a short `tidingsd analyze` run.
        let types = PluginRegistry.builtIn
        let made = Slots<Result<any Extractor, PluginSetupError>?>(count: types.count, empty: nil)
        DispatchQueue.concurrentPerform(iterations: types.count) { index in
            let type = types[index]
            let name = type.descriptor.name
            let table = settings.tables[name] ?? TOMLTable(position: TOMLPosition(line: 1, column: 1))
            let configuration = PluginConfiguration(plugin: name, table: table, dataDirectories: dataDirectories(for: name))
            do {
                // Plugins load their data once per process for one configuration: checking the
                // config and then starting (or reloading) must not read dictionaries twice.
                if let cached = cache.lookup(name, table) {
                    made.set(index, .success(cached))
                } else {
                    let extractor = try type.init(configuration: configuration)
                    cache.store(name, table, extractor)
                    made.set(index, .success(extractor))
                }
            } catch let error as PluginConfigurationError {
                made.set(index, .failure(PluginSetupError(line: error.line, key: "plugins.\(name).\(error.key)", message: error.message)))
            } catch {
                made.set(index, .failure(PluginSetupError(line: settings.tables[name]?.position.line, key: "plugins.\(name)", message: "cannot start: \(error)")))
            }
        }
        var stages: [any PipelineStage] = []
        for result in made.all {
            switch result {
            case .success(let extractor): stages.append(BuiltInStage(extractor: extractor))
            case .failure(let error): throw error
            case nil: throw PluginSetupError(line: nil, key: "plugins", message: "a built-in plugin was not made")  // cannot happen: every slot is set
            }
        }
        var started: [ExecPlugin] = []
        for exec in settings.exec {
            if !startExec {
                try ExecPlugin.checkCommand(exec)
                stages.append(ExecPlugin.placeholder(exec))
                continue
            }
            do {
                let plugin = try ExecPlugin.start(exec, logger: logger)
                started.append(plugin)
                stages.append(plugin)
            } catch {
                for plugin in started { plugin.shutdown() }
                throw error
            }
        }
        do {
            return try Pipeline(stages: stages)
        } catch {
            for plugin in started { plugin.shutdown() }
            throw error
        }
    }
}

/// A plugin that does nothing: for measuring what the pipeline itself costs
/// (`tidingsd analyze --noop-plugins N`).
public struct NoopStage: PipelineStage {
    public let descriptor: PluginDescriptor
    public var kind: String { "noop" }
    /// Touch the shared tokens (so segmentation is part of the cost), or not.
    let segment: Bool

    public init(name: String, requires: [String] = [], segment: Bool = false) {
        descriptor = PluginDescriptor(name: name, version: "0", requires: requires, produces: [], summary: "does nothing")
        self.segment = segment
    }

    public func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        if segment { _ = document.tokens.count }
        return Extraction()
    }

    public func shutdown() {}
}
