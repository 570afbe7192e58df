import Dispatch
import Foundation
import TidingsAdmin
import TidingsCore
import TidingsPipeline
import TidingsPluginKit
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

    /// Sends the next round back to the first document. On `control`.
    func resetAnalysisCursor() {
        analysisCursor = 0
        analysisEpoch += 1
    }

    /// Starts a round of analysis unless one is running. On `control`.
    func kickAnalysis() {
        guard let pipeline, !stopping else { return }
        guard !analysisBusy, analysisStoring < 2 else {
            analysisDirty = true
            return
        }
        let enabled = enabledPlugins
        analysisBusy = true
        analysisDirty = false
        let after = analysisCursor
        let epoch = analysisEpoch
        let inFlight = analysisInFlight
        analysisQueue.async { [self] in
            // New and changed documents first; reprocess jobs when there are none. Documents
            // whose results are being stored are passed over.
            let waiting = readerQueue.sync { [reader] in
                Result { () -> ([DocumentForAnalysis], Int, Int64) in
                    let read = try reader.value.queries.documentsNeedingAnalysis(
                        plugins: Array(enabled), after: after, limit: Daemon.analysisBatch + inFlight.count)
                    let documents = Array(read.filter { !inFlight.contains($0.id) }.prefix(Daemon.analysisBatch))
                    return (documents, read.count, read.isEmpty ? try reader.value.queries.maxDocumentID() : 0)
                }
            }
            switch waiting {
            case .failure(let error):
                control.async { [self] in
                    noteError("analysis: cannot read documents: \(error)")
                    analysisBusy = false
                }
            case .success(let (documents, _, _)) where !documents.isEmpty:
                analyze(documents, pipeline: pipeline, enabled: enabled, job: nil, epoch: epoch)
            case .success(let (_, read, _)) where read > 0:
                // Only documents being stored wait: their commit starts the next round.
                control.async { [self] in analysisBusy = false }
            case .success(let (_, _, newest)):
                // Caught up: the cursor moves to the newest document (so the next round reads
                // only what is new), and the jobs get a turn.
                control.async { [self] in
                    if analysisEpoch == epoch { analysisCursor = max(analysisCursor, newest) }
                    runJobBatch(pipeline: pipeline)
                }
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
                    guard let job = try reader.value.queries.runningJobs().first else { return nil }
                    return (job, try reader.value.queries.documentsForJob(job, limit: Daemon.analysisBatch))
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
                    store.transact({ db in try db.endJob(job.id, status: "failed", error: "plugin \(job.plugin) is not configured", now: Date()) }) {
                        [self] _ in
                        control.async { [self] in
                            analysisBusy = false
                            kickAnalysis()
                        }
                    }
                    return
                }
                if documents.isEmpty {
                    store.transact({ db in try db.advanceJob(job.id, cursor: job.cursor, done: 0, failed: 0, finished: true, now: Date()) }) {
                        [self] _ in
                        control.async { [self] in
                            logger.info("reprocess job \(job.id) (\(job.plugin)) finished: \(job.done) document(s), \(job.failed) failed")
                            analysisBusy = false
                            kickAnalysis()
                        }
                    }
                    return
                }
                analyze(documents, pipeline: pipeline, enabled: Set(pipeline.names), job: job, epoch: nil)
            }
        }
    }

    /// Runs a batch through the plugins in parallel and stores it. On `analysisQueue`.
    ///
    /// A result that says nothing about its document (a plugin restarting, the daemon
    /// stopping) is not stored, and neither the cursor nor a job moves past that document, so
    /// it is tried again after a pause. A document whose text changed meanwhile is not stored
    /// either: it lost its results and waits again.
    func analyze(_ documents: [DocumentForAnalysis], pipeline: Pipeline, enabled: Set<String>, job: JobRow?, epoch: Int?) {
        // A job runs its plugin and, after it, the enabled plugins that build on it.
        let jobPlugins: Set<String> = job.map { job in
            Set(pipeline.names.filter { $0 == job.plugin || (enabled.contains($0) && pipeline.closure(of: [$0], using: enabled).contains(job.plugin)) })
        } ?? []
        // An enabled plugin that uses another runs again when that one runs: it may have run
        // while the other was off or failing ("tone" without entity tones).
        let users = pipeline.stages.filter { enabled.contains($0.descriptor.name) && !$0.descriptor.uses.isEmpty }.map(\.descriptor)
        let results = Slots<[StageResult]>(count: documents.count, empty: [])
        DispatchQueue.concurrentPerform(iterations: documents.count) { index in
            let row = documents[index]
            let document = AnalyzedDocument(id: row.id, text: row.text, title: row.title, date: row.date, language: row.language)
            // Plugins already done for this document only run again when a plugin that needs
            // them does, and are not stored again; a job stores only its plugins.
            var wanted = job == nil ? enabled.subtracting(row.done) : jobPlugins
            if job == nil { for user in users where user.uses.contains(where: wanted.contains) { wanted.insert(user.name) } }
            let run = job == nil ? pipeline.closure(of: wanted, using: enabled).intersection(enabled) : pipeline.closure(of: wanted, using: enabled)
            let stored = pipeline.run(document, enabled: run).filter { wanted.contains($0.plugin) }
            results.set(index, stored)
        }
        let all = results.all
        let firstTransient = all.firstIndex { $0.contains(where: \.transient) }
        // Documents up to the first transient failure are finished; the rest wait.
        let finished = firstTransient ?? documents.count
        let items = (0..<finished).map { index in
            (documentID: documents[index].id, contentHash: Optional(documents[index].contentHash),
             results: all[index].map { StoredExtraction(plugin: $0.plugin, version: $0.version, status: $0.status.rawValue, error: $0.error, durationMs: $0.durationMs, extraction: $0.extraction) })
        }
        let failures = items.reduce(0) { $0 + $1.results.filter { $0.status == "failed" }.count }
        let lastID = finished > 0 ? documents[finished - 1].id : (job?.cursor ?? documents[0].id - 1)
        let transientReason = firstTransient.flatMap { all[$0].first(where: \.transient)?.error }
        // New documents' results are stored while the next batch is computed (the store's
        // commit was a pause of every core at the end of a burst); jobs and pauses for a
        // restarting plugin keep the round until they are stored.
        let pipelined = job == nil && transientReason == nil
        let handedOver = Set(items.map(\.documentID))
        if pipelined {
            control.async { [self] in
                analysisInFlight.formUnion(handedOver)
                analysisStoring += 1
                analysisBusy = false
                kickAnalysis()
            }
        }
        store.transact({ db in
            let count = try db.saveExtractions(items, now: Date())
            if let job, finished > 0 {
                let failedDocuments = items.filter { $0.results.contains { $0.status != "ok" } }.count
                try db.advanceJob(job.id, cursor: lastID, done: items.count - failedDocuments, failed: failedDocuments, finished: false, now: Date())
            }
            return count
        }) { [self] outcome in
            control.async { [self] in
                if pipelined {
                    analysisInFlight.subtract(handedOver)
                    analysisStoring -= 1
                } else {
                    analysisBusy = false
                }
                switch outcome {
                case .success(let count):
                    analyzedCount += count
                    if job == nil, epoch == analysisEpoch, finished > 0 { analysisCursor = max(analysisCursor, lastID) }
                    if failures > 0 { logger.warning("analysis: \(failures) plugin failure(s) in a batch of \(items.count) document(s)") }
                    if let transientReason {
                        // A plugin is restarting: try these documents again in a moment.
                        logger.info("analysis: pausing: \(transientReason)")
                        control.asyncAfter(deadline: .now() + 2) { [weak self] in self?.kickAnalysis() }
                    } else {
                        kickAnalysis()
                    }
                case .failure(let error):
                    noteError("analysis: cannot store results: \(error)")
                    // A later batch may have moved the cursor past these documents.
                    if pipelined { resetAnalysisCursor() }
                    // Try again later rather than spin on the same error.
                    control.asyncAfter(deadline: .now() + 5) { [weak self] in self?.kickAnalysis() }
                }
            }
        }
    }

    /// What `plugins.list` says of each plugin apart from its counts. On `control`.
    func pluginDescriptions() -> [(stage: PluginStageInfo, enabled: Bool)] {
        guard let pipeline else { return [] }
        let enabled = enabledPlugins
        return pipeline.stages.map { stage in
            (PluginStageInfo(descriptor: stage.descriptor, kind: stage.kind), enabled.contains(stage.descriptor.name))
        }
    }

    /// `plugins.list`: every plugin with its switch and counts (read on the reader queue).
    static func pluginInfos(
        _ plugins: [(stage: PluginStageInfo, enabled: Bool)], stats: [String: (ok: Int, failed: Int, skipped: Int, meanMs: Double?)]
    ) -> [PluginInfo] {
        plugins.map { plugin in
            let descriptor = plugin.stage.descriptor
            let counts = stats[descriptor.name]
            return PluginInfo(
                name: descriptor.name, version: descriptor.version, enabled: plugin.enabled, kind: plugin.stage.kind,
                requires: descriptor.requires, uses: descriptor.uses, produces: descriptor.produces, summary: descriptor.summary, done: counts?.ok ?? 0,
                failed: counts?.failed ?? 0, skipped: counts?.skipped ?? 0, meanMs: counts?.meanMs)
        }
    }

    static func jobInfo(_ row: JobRow) -> JobInfo {
        JobInfo(
            id: row.id, kind: row.kind, plugin: row.plugin, since: row.since, sourceID: row.sourceID, status: row.status, total: row.total,
            done: row.done, failed: row.failed, error: row.error, createdAt: row.createdAt, updatedAt: row.updatedAt, finishedAt: row.finishedAt)
    }
}

/// A plugin's description and kind, copied off `control` for `plugins.list`.
struct PluginStageInfo: Sendable {
    var descriptor: PluginDescriptor
    var kind: String
}
