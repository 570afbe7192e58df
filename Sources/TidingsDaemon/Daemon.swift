import CTidingsSys
import Dispatch
import Foundation
import Glibc
import Logging
import TidingsAdmin
import TidingsCore
import TidingsFetch
import TidingsPipeline
import TidingsStore

/// The running daemon. All of its mutable state is owned by the `control` queue: the
/// schedule, the fetches in flight, the admin connections and their `tail` streams. Other
/// stages (fetcher, parser, store writer, reader) own their own queues and hand values back
/// to `control` when they finish. Timers, signals and sockets are Dispatch sources on it.
public final class Daemon: @unchecked Sendable {
    let control = DispatchQueue(label: "tidings.control")
    let readerQueue = DispatchQueue(label: "tidings.reader")
    let parseQueue = DispatchQueue(label: "tidings.parse", attributes: .concurrent)
    /// Where batches of documents go through the plugins (their work spreads over all cores).
    let analysisQueue = DispatchQueue(label: "tidings.analysis")

    var config: DaemonConfig
    let configPath: String
    let workingDirectory: String
    let store: Store
    let reader: StoreReader
    let fetcher = Fetcher()
    let notifier: SystemdNotifier
    var logger: Logger
    var server: AdminServer?

    var schedule: [Int64: SourceState] = [:]
    /// The plugins, made at start (exec plugins started); nil before.
    var pipeline: Pipeline?
    /// Run-time plugin switches from the store (they win over the config).
    var pluginSwitches: [String: Bool] = [:]
    var analysisBusy = false
    /// New work arrived while a round was running.
    var analysisDirty = false
    /// Documents up to this id have every enabled plugin's result (as of the last round).
    var analysisCursor: Int64 = 0
    /// Bumped whenever the cursor goes back to the start, so that a round that began before
    /// cannot move it forward again.
    var analysisEpoch = 0
    var analyzedCount = 0
    /// When each host was last asked for something (politeness).
    var lastRequest: [String: Date] = [:]
    /// Requests under way per host: feeds, pages and article pages (politeness).
    var activeHosts: [String: Int] = [:]
    var inFlight: Set<Int64> = []
    /// The subset of `inFlight` whose results are parsed and waiting for the store writer.
    var writing: Set<Int64> = []
    /// Admin `sources.fetch` requests waiting for their fetch to be written.
    var fetchWaiters: [Int64: [(AdminConnection, JSONValue?)]] = [:]
    var paused = false
    var stopping = false
    var stopped = false
    var recentErrors: [StatusResult.RecentError] = []
    /// `tail` subscribers by connection id.
    var tails: [Int: TailSubscriber] = [:]
    var timers: [any DispatchSourceTimer] = []
    var signalSources: [any DispatchSourceSignal] = []
    let startedAt = Date()
    let startedUptime = DispatchTime.now()
    /// How long a graceful stop waits for fetches in flight before giving up on them.
    let stopGrace: Double = 8

    /// Opens the store and prepares everything; nothing runs until ``start()``.
    public init(config: DaemonConfig, configPath: String, workingDirectory: String, logger: Logger) throws {
        self.config = config
        self.configPath = configPath
        self.workingDirectory = workingDirectory
        self.logger = logger
        notifier = SystemdNotifier()
        lockFD = try Daemon.lock(database: config.database)
        store = try Store(path: config.database)
        reader = try StoreReader(path: config.database)
    }

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
        let changes = try store.writeSync { [config] db in try db.syncConfigSources(config.sources, now: Date()) }
        // The plugins: built-in ones made, exec programs started and their handshakes read.
        do {
            let made = try PluginSet.make(config.plugins, startExec: true, logger: logger)
            let switches = try readerQueue.sync { [reader] in try reader.connection.pluginSwitches() }
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
        }
        let (count, database, socket, plugins) = control.sync { (schedule.count, config.database, config.socket, enabledPlugins) }
        let order = control.sync { pipeline?.names ?? [] }.filter(plugins.contains)
        logger.info("tidingsd \(TidingsVersion.string) ready: \(count) source(s), plugins \(order.isEmpty ? "none" : order.joined(separator: " → ")), database \(database), socket \(socket)")
        control.async { [self] in kickAnalysis() }
        notifier.ready(status: "running: \(count) source(s)")
    }

    /// Re-reads the schedule from the store. On `control`.
    func loadSchedule(startup: Bool = false) throws {
        let states = try readerQueue.sync { try reader.connection.sourceStates() }
        let now = Date()
        var next: [Int64: SourceState] = [:]
        for var state in states {
            if startup {
                state.nextFetchAt = FetchSchedule.atStartup(
                    persisted: state.nextFetchAt, now: now, interval: state.interval, random: Double.random(in: 0..<1))
            } else if let known = schedule[state.id] {
                state.nextFetchAt = known.nextFetchAt ?? state.nextFetchAt
            }
            next[state.id] = state
        }
        // Folders no longer read (removed from the config, or pointed elsewhere) are forgotten.
        let folders = Set(next.values.filter { $0.kind == .folder }.map(\.url))
        for old in schedule.values where old.kind == .folder && !folders.contains(old.url) { fetcher.forgetFolder(old.url) }
        schedule = next
    }

    /// Process-wide signal setup, first thing in `main`: a closed pipe is an error, not death.
    public static func prepareSignals() {
        signal(SIGPIPE, SIG_IGN)
    }

    private func installSignals() {
        let signals = [SIGTERM, SIGINT, SIGHUP]
        for signalNumber in signals {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: control)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if signalNumber == SIGHUP {
                    self.logger.info("SIGHUP: reloading \(self.configPath)")
                    _ = self.reload()
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
        let tick = DispatchSource.makeTimerSource(queue: control)
        tick.schedule(deadline: .now(), repeating: .milliseconds(250), leeway: .milliseconds(50))
        tick.setEventHandler { [weak self] in self?.startDueFetches() }
        tick.resume()
        timers.append(tick)
        // Analysis is kicked by every write; this catches what came another way (a job, a
        // plugin restarting after a crash).
        let analysis = DispatchSource.makeTimerSource(queue: control)
        analysis.schedule(deadline: .now() + 2, repeating: .seconds(2), leeway: .milliseconds(500))
        analysis.setEventHandler { [weak self] in self?.kickAnalysis() }
        analysis.resume()
        timers.append(analysis)
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

    /// Re-reads the config file. A bad file keeps the running config and says why. On `control`.
    func reload() -> Result<[String], TidingsError> {
        guard !stopping else { return .failure(TidingsError("stopping", "the daemon is stopping")) }
        notifier.reloading()
        defer { notifier.ready(status: "running: \(schedule.count) source(s)") }
        let fresh: DaemonConfig
        do {
            fresh = try ConfigLoader.load(path: configPath, workingDirectory: workingDirectory)
        } catch {
            let message = "reload failed, keeping the running config: \(error)"
            noteError(message)
            return .failure(TidingsError("bad_config", message))
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
        do {
            let sources = applied.sources
            changes += try store.writeSync { db in try db.syncConfigSources(sources, now: Date()) }
            config = applied
            try loadSchedule()
        } catch {
            let message = "reload failed while syncing sources: \(error)"
            noteError(message)
            return .failure(TidingsError("reload_failed", message))
        }
        for change in changes { logger.info("reload: \(change)") }
        logger.info("reloaded \(configPath): \(changes.isEmpty ? "no changes" : "\(changes.count) change(s)")")
        return .success(changes)
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
        logger.info("\(reason): stopping (\(inFlight.count) fetch(es) in flight)")
        notifier.stopping()
        for timer in timers { timer.cancel() }
        timers.removeAll()
        // Streams end with a final line without "more", so clients know why they ended.
        for subscriber in tails.values {
            subscriber.connection.send(.success(id: subscriber.requestID, result: .object(["end": .string("the daemon is stopping")])))
        }
        tails.removeAll()
        for (connection, id) in fetchWaiters.values.joined() {
            connection.send(.failure(AdminFailure(id: id, code: "stopping", message: "the daemon is stopping; the fetch was cancelled")))
        }
        fetchWaiters.removeAll()
        server?.stop()
        fetcher.cancelAll()
        if inFlight.isEmpty {
            finishStop()
        } else {
            control.asyncAfter(deadline: .now() + stopGrace) { [weak self] in
                guard let self, !self.stopped else { return }
                self.logger.warning("gave up waiting for \(self.inFlight.count) fetch(es); they run again after restart")
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
    let requestID: JSONValue?
    var ready = false
    var held: [StoredDocument] = []
    /// The highest document id sent so far.
    var lastSent: Int64 = 0
}
