import CTidingsSys
import Dispatch
import Foundation
import Glibc
import Logging
import Synchronization
import TidingsAdmin
import TidingsCore
import TidingsFetch
import TidingsPipeline
import TidingsSchedule
import TidingsStore

/// The running daemon. All of its mutable state is owned by the `control` queue: the
/// schedule, the fetches in flight, the admin connections and their `tail` streams. Other
/// stages (fetcher, parser, store writer, reader) own their own queues and hand values back
/// to `control` when they finish. Timers, signals and sockets are Dispatch sources on it.
public final class Daemon: Sendable {
    let control: DispatchQueue
    let readerQueue: DispatchQueue
    let parseQueue = DispatchQueue(label: "tidings.parse", attributes: .concurrent)
    /// Where batches of documents go through the plugins (their work spreads over all cores).
    let analysisQueue = DispatchQueue(label: "tidings.analysis")

    /// Everything that changes while the daemon runs, owned by `control` (checked on every
    /// access; see `ControlState`). The properties below reach into it.
    let state: QueueConfined<ControlState>
    /// The running config and logger: read from any queue (a consistent copy), replaced on
    /// `control` by a reload.
    var config: DaemonConfig {
        get { settings.withLock { $0.config } }
        set { settings.withLock { $0.config = newValue } }
    }
    var logger: Logger {
        get { settings.withLock { $0.logger } }
        set { settings.withLock { $0.logger = newValue } }
    }
    let settings: Mutex<(config: DaemonConfig, logger: Logger)>
    var server: AdminServer? { get { state.value.server } _modify { yield &state.value.server } }
    var sources: IDTable<SourceState> { get { state.value.sources } _modify { yield &state.value.sources } }
    var scheduler: Scheduler { get { state.value.scheduler } _modify { yield &state.value.scheduler } }
    var pumpTimer: (any DispatchSourceTimer)? { get { state.value.pumpTimer } _modify { yield &state.value.pumpTimer } }
    var armedWakeup: Date? { get { state.value.armedWakeup } _modify { yield &state.value.armedWakeup } }
    var pages: [Int64: PendingArticle] { get { state.value.pages } _modify { yield &state.value.pages } }
    var pageCursor: Int64 { get { state.value.pageCursor } _modify { yield &state.value.pageCursor } }
    var pagesExhausted: Bool { get { state.value.pagesExhausted } _modify { yield &state.value.pagesExhausted } }
    var pageLoadBusy: Bool { get { state.value.pageLoadBusy } _modify { yield &state.value.pageLoadBusy } }
    var unreadBytes: Int { get { state.value.unreadBytes } _modify { yield &state.value.unreadBytes } }
    var unreadBytesPeak: Int { get { state.value.unreadBytesPeak } _modify { yield &state.value.unreadBytesPeak } }
    var writing: Int { get { state.value.writing } _modify { yield &state.value.writing } }
    var activity: FetchActivity { get { state.value.activity } _modify { yield &state.value.activity } }
    var pipeline: Pipeline? { get { state.value.pipeline } _modify { yield &state.value.pipeline } }
    var pluginSwitches: [String: Bool] { get { state.value.pluginSwitches } _modify { yield &state.value.pluginSwitches } }
    var analysisBusy: Bool { get { state.value.analysisBusy } _modify { yield &state.value.analysisBusy } }
    var analysisInFlight: Set<Int64> { get { state.value.analysisInFlight } _modify { yield &state.value.analysisInFlight } }
    var analysisStoring: Int { get { state.value.analysisStoring } _modify { yield &state.value.analysisStoring } }
    var analysisDirty: Bool { get { state.value.analysisDirty } _modify { yield &state.value.analysisDirty } }
    var analysisCursor: Int64 { get { state.value.analysisCursor } _modify { yield &state.value.analysisCursor } }
    var analysisEpoch: Int { get { state.value.analysisEpoch } _modify { yield &state.value.analysisEpoch } }
    var analyzedCount: Int { get { state.value.analyzedCount } _modify { yield &state.value.analyzedCount } }
    var fetchWaiters: [Int64: [(AdminConnection, JSON?)]] { get { state.value.fetchWaiters } _modify { yield &state.value.fetchWaiters } }
    var stopping: Bool { get { state.value.stopping } _modify { yield &state.value.stopping } }
    var stopped: Bool { get { state.value.stopped } _modify { yield &state.value.stopped } }
    var reloadWaiters: [@Sendable (Result<[String], TidingsError>) -> Void]? {
        get { state.value.reloadWaiters }
        _modify { yield &state.value.reloadWaiters }
    }
    var reloadTouched: Set<Int64> { get { state.value.reloadTouched } _modify { yield &state.value.reloadTouched } }

    /// An admin changed a source: a reload running now must not undo it. On `control`.
    func noteSourceChanged(_ id: Int64) {
        if reloadWaiters != nil { reloadTouched.insert(id) }
    }
    var recentErrors: [StatusResult.RecentError] { get { state.value.recentErrors } _modify { yield &state.value.recentErrors } }
    var tails: [Int: TailSubscriber] { get { state.value.tails } _modify { yield &state.value.tails } }
    var timers: [any DispatchSourceTimer] { get { state.value.timers } _modify { yield &state.value.timers } }
    var signalSources: [any DispatchSourceSignal] { get { state.value.signalSources } _modify { yield &state.value.signalSources } }
    let configPath: String
    let workingDirectory: String
    /// The store, through its protocols only: the daemon writes no SQL (see `StoreTransaction`).
    let store: any Storage
    /// The read connection, on `readerQueue` only (checked).
    let reader: QueueConfined<StoreReader>
    let fetcher = Fetcher()
    let notifier: SystemdNotifier
    /// No scheduled fetches (the scheduler's flag; `sources.fetch` still works).
    var paused: Bool {
        get { scheduler.paused }
        set { scheduler.paused = newValue }
    }
    let startedAt = Date()
    let startedUptime = DispatchTime.now()
    /// How long a graceful stop waits for fetches in flight before giving up on them.
    let stopGrace: Double = 8

    /// Opens the store and prepares everything; nothing runs until ``start()``.
    public init(config: DaemonConfig, configPath: String, workingDirectory: String, logger: Logger) throws {
        let control = DispatchQueue(label: "tidings.control")
        self.control = control
        state = QueueConfined(ControlState(scheduler: Scheduler(policy: Daemon.policy(config.fetch))), on: control)
        settings = Mutex((config: config, logger: logger))
        self.configPath = configPath
        self.workingDirectory = workingDirectory
        notifier = SystemdNotifier()
        lockFD = try Daemon.lock(database: config.database)
        store = try Store(path: config.database, commitWindow: Daemon.commitWindow)
        let readerQueue = DispatchQueue(label: "tidings.reader")
        self.readerQueue = readerQueue
        reader = QueueConfined(try StoreReader(path: config.database), on: readerQueue)
    }

    static func policy(_ fetch: DaemonConfig.FetchSettings) -> Scheduler.Policy {
        Scheduler.Policy(maxConcurrent: fetch.maxConcurrent, hostDelay: fetch.hostDelay)
    }

    /// Group commit: a write waits up to this long for others to share its transaction.
    static let commitWindow = 0.002

    /// Held for the process's life: one daemon per database, checked before anything is written.
    let lockFD: Int32

    static func lock(database: String) throws -> Int32 {
        let directory = (database as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        var holder: Int32 = 0
        let fd = tidings_lock_file(database + ".lock", &holder)
        if fd == -EWOULDBLOCK {
            throw TidingsError("locked", "another tidingsd\(holder > 0 ? " (pid \(holder))" : "") is using \(database); stop it first")
        }
        guard fd >= 0 else { throw TidingsError("locked", "cannot lock \(database).lock: \(String(cString: strerror(-fd)))") }
        return fd
    }

    /// Syncs the configured sources, opens the admin socket, installs signal handlers and
    /// timers, and tells systemd it is ready. Returns; the caller runs `dispatchMain()`.
    public func start() throws {
        let changes = try store.transactSync { [config] db in try db.syncConfigSources(config.sources, now: Date()) }
        // The plugins: built-in ones made, exec programs started and their handshakes read.
        do {
            let made = try PluginSet.make(config.plugins, startExec: true, logger: logger)
            let switches = try readerQueue.sync { [reader] in try reader.value.queries.pluginSwitches() }
            control.sync {
                pipeline = made
                pluginSwitches = switches
            }
        } catch let error as PluginSetupError {
            throw TidingsError("config_conflict", "[plugins] \(error)")
        }
        for change in changes { logger.info("\(change)") }
        try control.sync {
            try loadSchedule(startup: true)
            // Signal sources first: once the socket accepts connections, a SIGTERM must stop us.
            installSignals()
            let server = try AdminServer(path: config.socket, mode: config.socketMode, queue: control, logger: logger)
            server.handler = self
            server.start()
            self.server = server
            installTimers()
            // Said on `control`, before any signal handler there can stop the daemon.
            let order = (pipeline?.names ?? []).filter(enabledPlugins.contains)
            logger.info(
                "tidingsd \(TidingsVersion.string) ready: \(sources.count) source(s), plugins \(order.isEmpty ? "none" : order.joined(separator: " → ")), database \(config.database), socket \(config.socket)"
            )
        }
        let count = control.sync { sources.count }
        control.async { [self] in
            kickAnalysis()
            loadPages()
            pump()
        }
        notifier.ready(status: "running: \(count) source(s)")
    }

    /// Re-reads the sources from the store into the scheduler. At start-up overdue sources
    /// are spread over a short window; afterwards known sources keep their due times. On
    /// `control`.
    func loadSchedule(startup: Bool = false) throws {
        dispatchPrecondition(condition: .onQueue(control))
        let loaded = try readerQueue.sync { [reader] in try Daemon.readSources(reader) }
        applySchedule(loaded, startup: startup)
    }

    /// Every source's state, straight into the table that replaces `sources` (no array of them
    /// all first: that was 20 MB more at 100,000 sources, for a moment). On the reader queue.
    static func readSources(_ reader: QueueConfined<StoreReader>) throws -> IDTable<SourceState> {
        var loaded = IDTable<SourceState>()
        try reader.value.queries.forEachSourceState { loaded[$0.id] = $0 }
        return loaded
    }

    /// Makes `loaded` the sources and brings the scheduler in line with it. On `control`.
    func applySchedule(_ loaded: IDTable<SourceState>, startup: Bool) {
        dispatchPrecondition(condition: .onQueue(control))
        var next = loaded
        // Sources an admin added, removed, enabled or disabled while the table was read keep
        // what `control` knows: the read may predate the change.
        for id in reloadTouched { next[id] = sources[id] }
        reloadTouched = []
        let now = Date()
        for id in Array(next.keys) {
            guard var state = next[id] else { continue }
            let work = Work.source(state.id)
            if startup || !scheduler.contains(work) {
                if startup {
                    state.nextFetchAt = FetchSchedule.atStartup(
                        persisted: state.nextFetchAt, now: now, interval: state.interval, random: Double.random(in: 0..<1))
                }
                scheduler.add(
                    work, host: state.host, interval: state.interval, due: state.nextFetchAt ?? now, enabled: state.enabled,
                    consecutiveErrors: state.consecutiveErrors)
            } else if let known = sources[state.id] {
                state.discoveryHops = known.discoveryHops
                scheduler.update(work, host: state.host, interval: state.interval)
                if known.enabled != state.enabled { scheduler.setEnabled(work, state.enabled, now: now) }
            }
            next[state.id] = state
        }
        for id in sources.keys where next[id] == nil { scheduler.remove(.source(id)) }
        // Folders no longer read (removed from the config, or pointed elsewhere) are forgotten.
        let folders = Set(next.values.filter { $0.kind == .folder }.map(\.url))
        for old in sources.values where old.kind == .folder && !folders.contains(old.url) { fetcher.forgetFolder(old.url) }
        sources = next
        // What reading them took for a moment goes back to the system.
        tidings_malloc_trim()
    }

    /// Process-wide setup, first thing in `main`: a closed pipe is an error, not death; large
    /// blocks (tables of 100,000 sources) go back to the system when freed, where glibc's
    /// rising threshold kept them in the heap. (Two arenas saved 5 MB more but cost a quarter
    /// of the polling throughput in lock contention, so glibc keeps its arenas.)
    public static func prepareProcess() {
        signal(SIGPIPE, SIG_IGN)
        tidings_tune_malloc(256 << 10, 1 << 20, 0)
    }

    private func installSignals() {
        let signals = [SIGTERM, SIGINT, SIGHUP]
        for signalNumber in signals {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: control)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if signalNumber == SIGHUP {
                    self.logger.info("SIGHUP: reloading \(self.configPath)")
                    self.reload()
                } else {
                    self.beginStop(reason: signalNumber == SIGTERM ? "SIGTERM" : "SIGINT")
                }
            }
            source.resume()
            signalSources.append(source)
        }
        // Dispatch registers signal sources asynchronously. Until it has, a SIGTERM would take
        // its default action; wait for its handlers, so that once the socket is up (and systemd
        // is told we are ready) every signal reaches the sources above.
        let deadline = DispatchTime.now() + .seconds(2)
        while !signals.allSatisfy({ tidings_signal_has_handler($0) != 0 }) && DispatchTime.now() < deadline {
            usleep(1000)
        }
    }

    private func installTimers() {
        // The scheduler's timer: armed for its next wakeup, and moved whenever that changes.
        let pumpTimer = DispatchSource.makeTimerSource(queue: control)
        pumpTimer.setEventHandler { [weak self] in
            guard let self else { return }
            self.armedWakeup = nil
            self.pump()
        }
        pumpTimer.resume()
        self.pumpTimer = pumpTimer
        timers.append(pumpTimer)
        // Analysis is kicked by every write; this catches what came another way (a job, a
        // plugin restarting after a crash).
        let analysis = DispatchSource.makeTimerSource(queue: control)
        analysis.schedule(deadline: .now() + 2, repeating: .seconds(2), leeway: .milliseconds(500))
        analysis.setEventHandler { [weak self] in self?.kickAnalysis() }
        analysis.resume()
        timers.append(analysis)
        // One line a minute at info says what the fetches did; each fetch's own line is debug.
        let summary = DispatchSource.makeTimerSource(queue: control)
        summary.schedule(deadline: .now() + Daemon.summaryInterval, repeating: Daemon.summaryInterval, leeway: .seconds(1))
        summary.setEventHandler { [weak self] in self?.logSummary() }
        summary.resume()
        timers.append(summary)
        // The fetch log's age limit, swept hourly (its per-source limit holds at every write).
        let retention = DispatchSource.makeTimerSource(queue: control)
        retention.schedule(deadline: .now() + 60, repeating: 3600, leeway: .seconds(60))
        retention.setEventHandler { [weak self] in self?.trimFetchLog() }
        retention.resume()
        timers.append(retention)
        // The watchdog ping runs on the control queue itself: if that queue is stuck, the
        // pings stop and systemd restarts the daemon.
        if let interval = notifier.watchdogInterval {
            let watchdog = DispatchSource.makeTimerSource(queue: control)
            watchdog.schedule(deadline: .now(), repeating: interval, leeway: .milliseconds(Int(interval * 100)))
            watchdog.setEventHandler { [notifier] in notifier.watchdog() }
            watchdog.resume()
            timers.append(watchdog)
        }
    }

    static let summaryInterval: Double = 60

    /// The periodic summary: polls, not-modified answers, errors, new documents, article
    /// pages read, and what waits. Silent when nothing happened. On `control`.
    func logSummary() {
        defer { activity = FetchActivity() }
        guard !activity.isEmpty else { return }
        let a = activity
        logger.info(
            "last \(Int(Daemon.summaryInterval))s: \(a.polls) poll(s) (\(a.notModified) not modified, \(a.errors) error(s)), \(a.newDocuments) new document(s), \(a.articlesRead) article page(s) read, \(a.articlesFailed) given up; \(scheduler.waitingSources) source(s) due, \(pages.count) article page(s) loaded")
    }

    /// Deletes fetch-log rows older than `keep_fetches_for`. On `control`.
    func trimFetchLog() {
        let maxAge = config.history.maxAge
        store.transact({ db in try db.trimFetchLog(olderThan: maxAge, now: Date()) }) { [self] outcome in
            control.async { [self] in
                switch outcome {
                case .success(let count): if count > 0 { logger.debug("fetch log: \(count) row(s) older than \(Durations.format(maxAge)) deleted") }
                case .failure(let error): noteError("fetch log: could not trim it: \(error)")
                }
            }
        }
    }

    /// Re-reads the config file. A bad file keeps the running config and says why. On
    /// `control`, which never waits: the sources are synced by the writer and read back by the
    /// reader, and `completion` runs on `control` when the new schedule is in place. A reload
    /// asked for while one runs starts when it ends (its callers get the second result).
    func reload(completion: @escaping @Sendable (Result<[String], TidingsError>) -> Void = { _ in }) {
        dispatchPrecondition(condition: .onQueue(control))
        guard !stopping else { return completion(.failure(TidingsError("stopping", "the daemon is stopping"))) }
        if reloadWaiters != nil {
            reloadWaiters?.append(completion)
            return
        }
        reloadWaiters = []
        notifier.reloading()
        let fresh: DaemonConfig
        do {
            fresh = try ConfigLoader.load(path: configPath, workingDirectory: workingDirectory)
        } catch {
            let message = "reload failed, keeping the running config: \(error)"
            noteError(message)
            return finishReload(.failure(TidingsError("bad_config", message)), completion)
        }
        var changes: [String] = []
        var applied = fresh
        if fresh.database != config.database {
            changes.append("database path change to \(fresh.database) needs a restart; still using \(config.database)")
            applied.database = config.database
        }
        if fresh.socket != config.socket || fresh.socketMode != config.socketMode {
            changes.append("socket change needs a restart; still listening on \(config.socket)")
            applied.socket = config.socket
            applied.socketMode = config.socketMode
        }
        if fresh.plugins != config.plugins {
            changes.append("[plugins] changes need a restart; the plugins keep their settings")
            applied.plugins = config.plugins
        }
        if fresh.logLevel != config.logLevel {
            logger.logLevel = Logger.Level(rawValue: fresh.logLevel) ?? .info
            changes.append("log level is now \(fresh.logLevel)")
        }
        let sources = applied.sources
        let before = changes
        let newConfig = applied
        // Synced by the writer, read back on the reader queue after the commit, applied on `control`.
        store.transact({ db in try db.syncConfigSources(sources, now: Date()) }, on: readerQueue) { [self, reader] synced in
            let loaded = synced.flatMap { changes in Result { (changes, try Daemon.readSources(reader)) } }
            control.async { [self] in
                switch loaded {
                case .success(let (synced, table)):
                    config = newConfig
                    scheduler.setPolicy(Daemon.policy(newConfig.fetch))
                    applySchedule(table, startup: false)
                    pump()
                    let all = before + synced
                    for change in all { logger.info("reload: \(change)") }
                    logger.info("reloaded \(configPath): \(all.isEmpty ? "no changes" : "\(all.count) change(s)")")
                    finishReload(.success(all), completion)
                case .failure(let error):
                    let message = "reload failed while syncing sources: \(error)"
                    noteError(message)
                    finishReload(.failure(TidingsError("reload_failed", message)), completion)
                }
            }
        }
    }

    /// Answers a reload, then runs the one asked for meanwhile, if any. On `control`.
    private func finishReload(_ result: Result<[String], TidingsError>, _ completion: @Sendable (Result<[String], TidingsError>) -> Void) {
        reloadTouched = []  // applied, or the reload failed: memory and store agree on them
        notifier.ready(status: "running: \(sources.count) source(s)")
        completion(result)
        let waiting = reloadWaiters ?? []
        reloadWaiters = nil
        guard !waiting.isEmpty else { return }
        reload { result in for waiter in waiting { waiter(result) } }
    }

    /// Keeps the last errors for `status`, and logs them.
    func noteError(_ message: String) {
        logger.error("\(message)")
        recentErrors.append(StatusResult.RecentError(at: Timestamps.iso(Date()), message: message))
        if recentErrors.count > 20 { recentErrors.removeFirst(recentErrors.count - 20) }
    }

    /// Graceful stop: no new work, in-flight fetches finish and are committed (or are cut off
    /// after a grace period), the store is closed, the socket removed, and the process exits 0.
    func beginStop(reason: String) {
        guard !stopping else { return }
        stopping = true
        logger.info("\(reason): stopping (\(scheduler.runningCount) fetch(es) in flight)")
        notifier.stopping()
        for timer in timers { timer.cancel() }
        timers.removeAll()
        // Streams end with a final line without "more", so clients know why they ended.
        for subscriber in tails.values {
            subscriber.connection.send(.success(id: subscriber.requestID, result: (try? JSON.encode(TailEnd(end: "the daemon is stopping"))) ?? .null))
        }
        tails.removeAll()
        for (connection, id) in fetchWaiters.values.joined() {
            connection.send(.failure(AdminFailure(id: id, code: "stopping", message: "the daemon is stopping; the fetch was cancelled")))
        }
        fetchWaiters.removeAll()
        server?.stop()
        fetcher.cancelAll()
        if scheduler.runningCount == 0 {
            finishStop()
        } else {
            control.asyncAfter(deadline: .now() + stopGrace) { [weak self] in
                guard let self, !self.stopped else { return }
                self.logger.warning("gave up waiting for \(self.scheduler.runningCount) fetch(es); they run again after restart")
                self.finishStop()
            }
        }
    }

    func finishStop() {
        guard !stopped else { return }
        stopped = true
        // The store first: results still being computed are then not written (they would be
        // the failures of plugins being stopped), and are redone after the restart.
        store.close()
        pipeline?.shutdown()
        logger.info("stopped")
        exit(0)
    }

    var uptime: Double { Double(DispatchTime.now().uptimeNanoseconds - startedUptime.uptimeNanoseconds) / 1e9 }
}

/// A `tail` stream. Until its backlog (the last N documents) has been read and sent, new
/// documents are held back, so that none is lost or sent twice in between.
struct TailSubscriber {
    let connection: AdminConnection
    let requestID: JSON?
    var ready = false
    var held: [StoredDocument] = []
    /// The highest document id sent so far.
    var lastSent: Int64 = 0
}

/// What `control` owns: everything of the daemon that changes while it runs. Only code on
/// `control` reaches it (`QueueConfined` checks each access); other stages get values.
struct ControlState {
    var server: AdminServer?
    /// A reload is running (nil when none); the completions of those asked for meanwhile.
    var reloadWaiters: [@Sendable (Result<[String], TidingsError>) -> Void]?
    /// Sources an admin changed while a reload runs (see `applySchedule`).
    var reloadTouched: Set<Int64> = []
    /// What each source's fetch needs (address, validators, kind), by id. The scheduler
    /// decides when; this says what.
    var sources = IDTable<SourceState>()
    /// When and in what order sources and article pages are fetched (see `Scheduler`).
    var scheduler: Scheduler
    /// The scheduler's one timer, and the time it is armed for.
    var pumpTimer: (any DispatchSourceTimer)?
    var armedWakeup: Date?
    /// The window of pending article pages in memory, by queue id; the rest wait in the store.
    var pages: [Int64: PendingArticle] = [:]
    /// The highest queue id loaded so far, and whether the store had no more then.
    var pageCursor: Int64 = 0
    var pagesExhausted: Bool = false
    var pageLoadBusy: Bool = false
    /// Bytes of fetched bodies handed to the parse queue and not read yet (see `unreadBudget`).
    var unreadBytes: Int = 0
    var unreadBytesPeak: Int = 0
    /// Fetches read and waiting for the store writer.
    var writing: Int = 0
    /// Counts since the last summary line.
    var activity: FetchActivity = FetchActivity()
    /// The plugins, made at start (exec plugins started); nil before.
    var pipeline: Pipeline?
    /// Run-time plugin switches from the store (they win over the config).
    var pluginSwitches: [String: Bool] = [:]
    var analysisBusy: Bool = false
    /// Documents whose results were handed to the store and are not committed yet: the next
    /// batch is computed meanwhile and must not read them again.
    var analysisInFlight: Set<Int64> = []
    /// Batches handed to the store and not committed yet (at most two: the results held in
    /// memory stay bounded).
    var analysisStoring: Int = 0
    /// New work arrived while a round was running.
    var analysisDirty: Bool = false
    /// Documents up to this id have every enabled plugin's result (as of the last round).
    var analysisCursor: Int64 = 0
    /// Bumped whenever the cursor goes back to the start, so that a round that began before
    /// cannot move it forward again.
    var analysisEpoch: Int = 0
    var analyzedCount: Int = 0
    /// Admin `sources.fetch` requests waiting for their fetch to be written.
    var fetchWaiters: [Int64: [(AdminConnection, JSON?)]] = [:]
    var stopping: Bool = false
    var stopped: Bool = false
    var recentErrors: [StatusResult.RecentError] = []
    /// `tail` subscribers by connection id.
    var tails: [Int: TailSubscriber] = [:]
    var timers: [any DispatchSourceTimer] = []
    var signalSources: [any DispatchSourceSignal] = []
}
