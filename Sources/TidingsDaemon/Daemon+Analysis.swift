import Dispatch
import Foundation
import TidingsAdmin
import TidingsCore
import TidingsPipeline
import TidingsStore

/// The analysis path: stored documents → plugins (in parallel, one worker per core) → their
/// results, one transaction per batch with every plugin's rows for a document together.
///
/// What needs doing is read from the store, not kept in memory: a document lacking a result
/// from an enabled plugin is waiting. A cursor (the last document id done) keeps each round
/// cheap; it goes back to the start when a plugin is switched on, when stored documents
/// change (their results were dropped), and at every start. Reprocess jobs run between batches of new documents, record their progress with
/// their results, and resume after a restart. Ingestion never waits for any of it.
extension Daemon {
    /// Documents per batch (per transaction).
    static let analysisBatch = 64

    /// Plugins switched on, by the config and then by `tidingsctl plugins enable|disable`.
    var enabledPlugins: Set<String> {
        Set((pipeline?.names ?? []).filter { pluginSwitches[$0] ?? config.plugins.enabledInConfig($0) })
    }

    /// Starts a round of analysis unless one is running. On `control`.
    func kickAnalysis() {
        guard let pipeline, !stopping else { return }
        guard !analysisBusy else {
            analysisDirty = true
            return
        }
        let enabled = enabledPlugins
        analysisBusy = true
        analysisDirty = false
        let after = analysisCursor
        analysisQueue.async { [self] in
            // New and changed documents first; reprocess jobs when there are none.
            let waiting = readerQueue.sync { [reader] in
                Result { try reader.connection.documentsNeedingAnalysis(plugins: Array(enabled), after: after, limit: Daemon.analysisBatch) }
            }
            switch waiting {
            case .failure(let error):
                control.async { [self] in
                    noteError("analysis: cannot read documents: \(error)")
                    analysisBusy = false
                }
            case .success(let documents) where !documents.isEmpty:
                analyze(documents, pipeline: pipeline, enabled: enabled, job: nil)
            case .success:
                // Caught up: the jobs get a turn.
                control.async { [self] in runJobBatch(pipeline: pipeline) }
            }
        }
    }

    /// One batch of a running reprocess job, if any. On `control`.
    func runJobBatch(pipeline: Pipeline) {
        guard !stopping else {
            analysisBusy = false
            return
        }
        analysisQueue.async { [self] in
            let next = readerQueue.sync { [reader] () -> Result<(JobRow, [DocumentForAnalysis])?, any Error> in
                Result {
                    guard let job = try reader.connection.runningJobs().first else { return nil }
                    return (job, try reader.connection.documentsForJob(job, limit: Daemon.analysisBatch))
                }
            }
            switch next {
            case .failure(let error):
                control.async { [self] in
                    noteError("reprocess: cannot read documents: \(error)")
                    analysisBusy = false
                }
            case .success(nil):
                control.async { [self] in
                    analysisBusy = false
                    if analysisDirty { kickAnalysis() }
                }
            case .success(let (job, documents)?):
                guard pipeline.stage(job.plugin) != nil else {
                    store.write({ db in try db.endJob(job.id, status: "failed", error: "plugin \(job.plugin) is not configured", now: Date()) }) {
                        [self] _ in
                        control.async { [self] in
                            analysisBusy = false
                            kickAnalysis()
                        }
                    }
                    return
                }
                if documents.isEmpty {
                    store.write({ db in try db.advanceJob(job.id, cursor: job.cursor, done: 0, failed: 0, finished: true, now: Date()) }) {
                        [self] _ in
                        control.async { [self] in
                            logger.info("reprocess job \(job.id) (\(job.plugin)) finished: \(job.done) document(s), \(job.failed) failed")
                            analysisBusy = false
                            kickAnalysis()
                        }
                    }
                    return
                }
                analyze(documents, pipeline: pipeline, enabled: pipeline.closure(of: [job.plugin]), job: job)
            }
        }
    }

    /// Runs a batch through the plugins in parallel and stores it. On `analysisQueue`.
    func analyze(_ documents: [DocumentForAnalysis], pipeline: Pipeline, enabled: Set<String>, job: JobRow?) {
        let results = AnalysisResults(count: documents.count)
        DispatchQueue.concurrentPerform(iterations: documents.count) { index in
            let row = documents[index]
            let document = AnalyzedDocument(id: row.id, text: row.text, title: row.title, date: row.date, language: row.language)
            // Plugins already done for this document only run again when a plugin that needs
            // them does, and are not stored again; a job stores only its plugin.
            let wanted: Set<String>
            if let job {
                wanted = [job.plugin]
            } else {
                wanted = enabled.subtracting(row.done)
            }
            let run = pipeline.closure(of: wanted).intersection(enabled)
            let stored = pipeline.run(document, enabled: run).filter { wanted.contains($0.plugin) }
            results.set(index, stored.map { StoredExtraction(plugin: $0.plugin, version: $0.version, status: $0.status.rawValue, error: $0.error, durationMs: $0.durationMs, extraction: $0.extraction) })
        }
        let items = zip(documents, results.all).map { (documentID: $0.id, results: $1) }
        let failures = items.reduce(0) { $0 + $1.results.filter { $0.status == "failed" }.count }
        let lastID = documents.last?.id ?? 0
        store.write({ db in
            let count = try db.saveExtractions(items, now: Date())
            if let job {
                let failedDocuments = items.filter { $0.results.contains { $0.status != "ok" } }.count
                try db.advanceJob(job.id, cursor: lastID, done: documents.count - failedDocuments, failed: failedDocuments, finished: false, now: Date())
            }
            return count
        }) { [self] outcome in
            control.async { [self] in
                analysisBusy = false
                switch outcome {
                case .success(let count):
                    analyzedCount += count
                    if job == nil { analysisCursor = max(analysisCursor, lastID) }
                    if failures > 0 { logger.warning("analysis: \(failures) plugin failure(s) in a batch of \(documents.count) document(s)") }
                    kickAnalysis()
                case .failure(let error):
                    noteError("analysis: cannot store results: \(error)")
                    // Try again later rather than spin on the same error.
                    control.asyncAfter(deadline: .now() + 5) { [weak self] in self?.kickAnalysis() }
                }
            }
        }
    }

    /// `plugins.list`: every plugin with its switch and counts.
    func pluginInfos() throws -> [PluginInfo] {
        guard let pipeline else { return [] }
        let enabled = enabledPlugins
        let stats = try readerQueue.sync { [reader] in try reader.connection.pluginStatistics() }
        return pipeline.stages.map { stage in
            let descriptor = stage.descriptor
            let counts = stats[descriptor.name]
            return PluginInfo(
                name: descriptor.name, version: descriptor.version, enabled: enabled.contains(descriptor.name), kind: stage.kind,
                requires: descriptor.requires, produces: descriptor.produces, summary: descriptor.summary, done: counts?.ok ?? 0,
                failed: counts?.failed ?? 0, skipped: counts?.skipped ?? 0, meanMs: counts?.meanMs)
        }
    }

    static func jobInfo(_ row: JobRow) -> JobInfo {
        JobInfo(
            id: row.id, kind: row.kind, plugin: row.plugin, since: row.since, sourceID: row.sourceID, status: row.status, total: row.total,
            done: row.done, failed: row.failed, error: row.error, createdAt: row.createdAt, updatedAt: row.updatedAt, finishedAt: row.finishedAt)
    }
}

/// Results written by the parallel workers, each to its own slot.
final class AnalysisResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[StoredExtraction]]
    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [StoredExtraction]) { lock.withLock { values[index] = value } }
    var all: [[StoredExtraction]] { lock.withLock { values } }
}
