import CTidingsSys
import Dispatch
import Foundation
import Glibc
import TidingsAdmin
import TidingsCore
import TidingsPipeline
import TidingsStore

/// Admin requests. Everything here runs on `control`; reads hop to the reader queue and
/// writes to the store's writer, and the reply comes back through `control`.
extension Daemon: AdminRequestHandler {
    func handle(_ request: AdminRequest, from connection: AdminConnection) {
        let id = request.id
        @Sendable func send(_ result: Result<[UInt8], TidingsError>) {
            switch result {
            case .success(let text): connection.send(.success(id: id, encoded: text))
            case .failure(let error): connection.send(.failure(AdminFailure(id: id, code: error.code, message: error.message)))
            }
        }
        /// Method M's reply: its typed result, encoded for the wire.
        func reply<M: AdminMethod>(_ method: M.Type) -> AdminReply<M> {
            AdminReply { result in send(result.flatMap { value in Result { try JSON.encodeText(value) }.mapError(Daemon.tidingsError) }) }
        }
        /// Runs `work` on the reader queue, encodes its result there, and replies on `control`.
        func read<M: AdminMethod>(_ method: M.Type, _ work: @escaping @Sendable () throws -> M.Result) {
            readerQueue.async { [control] in
                let result = Result { try JSON.encodeText(try work()) }.mapError(Daemon.tidingsError)
                control.async { send(result) }
            }
        }
        func params<M: AdminMethod>(_ method: M.Type) throws -> M.Params { try request.decodeParams(M.Params.self) }
        do {
            switch request.method {
            case AdminMethods.Ping.name:
                _ = try params(AdminMethods.Ping.self)
                reply(AdminMethods.Ping.self)(.success("pong"))
            case AdminMethods.Status.name:
                _ = try params(AdminMethods.Status.self)
                let base = statusSkeleton(access: connection.access)
                read(AdminMethods.Status.self) { [reader] in
                    var status = base
                    status.jobs = try reader.value.queries.runningJobs().map(Daemon.jobInfo)
                    let counts = try reader.value.queries.counts()
                    let backlog = try reader.value.queries.articleBacklog()
                    status.articles = StatusResult.Articles(pending: backlog.pending, failed: backlog.failed)
                    status.counts = StatusResult.Counts(
                        sources: counts.sources, enabledSources: counts.enabledSources,
                        failingSources: counts.failingSources, documents: counts.documents, fetches: counts.fetches,
                        fetchErrors: counts.fetchErrors)
                    return status
                }
            case AdminMethods.SourcesList.name:
                _ = try params(AdminMethods.SourcesList.self)
                read(AdminMethods.SourcesList.self) { [reader] in try reader.value.queries.sources() }
            case AdminMethods.PluginsList.name:
                _ = try params(AdminMethods.PluginsList.self)
                // The statistics are a GROUP BY over every extraction: read on the reader
                // queue, never on `control` (whose loop drives the watchdog pings).
                let plugins = pluginDescriptions()
                read(AdminMethods.PluginsList.self) { [reader] in Daemon.pluginInfos(plugins, stats: try reader.value.queries.pluginStatistics()) }
            case AdminMethods.PluginsEnable.name:
                try switchPlugin(params(AdminMethods.PluginsEnable.self), on: true, reply: reply(AdminMethods.PluginsEnable.self))
            case AdminMethods.PluginsDisable.name:
                try switchPlugin(params(AdminMethods.PluginsDisable.self), on: false, reply: reply(AdminMethods.PluginsDisable.self))
            case AdminMethods.Reprocess.name:
                try reprocess(params(AdminMethods.Reprocess.self), reply: reply(AdminMethods.Reprocess.self))
            case AdminMethods.Jobs.name:
                _ = try params(AdminMethods.Jobs.self)
                read(AdminMethods.Jobs.self) { [reader] in try reader.value.queries.jobs(limit: 50).map(Daemon.jobInfo) }
            case AdminMethods.SourcesAdd.name:
                try addSource(params(AdminMethods.SourcesAdd.self), reply: reply(AdminMethods.SourcesAdd.self))
            case AdminMethods.SourcesImport.name:
                importSources(try params(AdminMethods.SourcesImport.self), reply: reply(AdminMethods.SourcesImport.self))
            case AdminMethods.SourcesRemove.name:
                try changeSource(.remove, params(AdminMethods.SourcesRemove.self), reply: reply(AdminMethods.SourcesRemove.self))
            case AdminMethods.SourcesEnable.name:
                try changeSource(.enable, params(AdminMethods.SourcesEnable.self), reply: reply(AdminMethods.SourcesEnable.self))
            case AdminMethods.SourcesDisable.name:
                try changeSource(.disable, params(AdminMethods.SourcesDisable.self), reply: reply(AdminMethods.SourcesDisable.self))
            case AdminMethods.SourcesFetch.name:
                try fetchNow(params(AdminMethods.SourcesFetch.self), id: id, connection: connection)
            case AdminMethods.Pause.name, AdminMethods.Resume.name:
                _ = try params(AdminMethods.Pause.self)
                paused = request.method == AdminMethods.Pause.name
                logger.info(paused ? "paused: no scheduled fetches until resume" : "resumed")
                notifier.status(paused ? "paused" : "running: \(sources.count) source(s)")
                reply(AdminMethods.Pause.self)(.success(PauseResult(paused: paused)))
                pump()
            case AdminMethods.Reload.name:
                _ = try params(AdminMethods.Reload.self)
                let answer = reply(AdminMethods.Reload.self)
                reload { result in answer(result.map { ReloadResult(changes: $0) }) }
            case AdminMethods.Shutdown.name:
                _ = try params(AdminMethods.Shutdown.self)
                reply(AdminMethods.Shutdown.self)(.success(ShutdownResult(stopping: true)))
                control.async { [weak self] in self?.beginStop(reason: "shutdown requested over the admin socket") }
            case AdminMethods.Tail.name:
                let params = try params(AdminMethods.Tail.self)
                let last = max(0, min(params.last ?? 10, 1000))
                let failed = reply(AdminMethods.Tail.self)
                // Subscribe first, then read the backlog: documents landing in between are held.
                tails[connection.id] = TailSubscriber(connection: connection, requestID: id)
                readerQueue.async { [reader, control] in
                    let recent = Result { try reader.value.queries.recentDocuments(limit: last) }
                    control.async { [weak self] in
                        guard let self, var subscriber = self.tails[connection.id] else { return }
                        switch recent {
                        case .success(let documents):
                            self.send(documents, to: &subscriber)
                            self.send(subscriber.held, to: &subscriber)
                            subscriber.held = []
                            subscriber.ready = true
                            self.tails[connection.id] = connection.isClosed ? nil : subscriber
                        case .failure(let error):
                            self.tails[connection.id] = nil
                            failed(.failure(Daemon.tidingsError(error)))
                        }
                    }
                }
            default:
                send(.failure(TidingsError("unknown_method", "no handler for \(request.method)")))
            }
        } catch {
            send(.failure(Daemon.tidingsError(error)))
        }
    }

    func connectionClosed(_ connection: AdminConnection) {
        tails[connection.id] = nil
        for (source, waiters) in fetchWaiters {
            fetchWaiters[source] = waiters.filter { $0.0 !== connection }
        }
    }

    static func tidingsError(_ error: any Error) -> TidingsError {
        (error as? TidingsError) ?? TidingsError.internalError("\(error)")
    }

    private func statusSkeleton(access: AdminProtocol.Access) -> StatusResult {
        var status = StatusResult(
            version: TidingsVersion.string, pid: getpid(), uptime: uptime, startedAt: Timestamps.iso(startedAt),
            paused: paused, database: config.database, configFile: config.file,
            schemaVersion: store.schemaVersion,
            counts: StatusResult.Counts(sources: 0, enabledSources: 0, failingSources: 0, documents: 0, fetches: 0, fetchErrors: 0),
            queue: StatusResult.Queue(
                due: dueCount, fetching: scheduler.transferCount, writing: writing, readingBytes: unreadBytes, readingBytesPeak: unreadBytesPeak,
                clients: server?.connectionCount ?? 0, tailing: tails.count),
            lastErrors: recentErrors, access: access)
        status.plugins = (pipeline?.names ?? []).filter(enabledPlugins.contains)
        status.analyzed = analyzedCount
        status.analyzing = analysisBusy || analysisStoring > 0
        return status
    }

    /// `plugins.enable|disable NAME`: at once, and remembered in the store.
    private func switchPlugin<M: AdminMethod>(_ params: PluginNameParams, on: Bool, reply: AdminReply<M>) throws where M.Result == PluginSwitchResult {
        guard let stage = pipeline?.stage(params.name) else {
            throw TidingsError.notFound("no plugin is called \(params.name); plugins: \((pipeline?.names ?? []).joined(separator: ", "))")
        }
        let name = stage.descriptor.name
        store.transact({ db in try db.setPluginSwitch(name, enabled: on, now: Date()) }) { [self] outcome in
            control.async { [self] in
                switch outcome {
                case .success:
                    pluginSwitches[name] = on
                    logger.info("plugin \(name) \(on ? "enabled" : "disabled")")
                    var result = PluginSwitchResult(name: name, enabled: on)
                    let blocked = on ? stage.descriptor.requires.filter { !enabledPlugins.contains($0) } : []
                    let dependents = on ? [] : (pipeline?.stages ?? []).filter { $0.descriptor.requires.contains(name) && enabledPlugins.contains($0.descriptor.name) }.map(\.descriptor.name)
                    if !blocked.isEmpty { result.warning = "it requires \(blocked.joined(separator: ", ")), which is disabled: it is skipped until that is enabled" }
                    let users = on ? [] : (pipeline?.stages ?? []).filter { $0.descriptor.uses.contains(name) && enabledPlugins.contains($0.descriptor.name) }.map(\.descriptor.name)
                    let notes =
                        (dependents.isEmpty ? [] : ["\(dependents.joined(separator: ", ")) require(s) it and are skipped until it is enabled again"])
                        + (users.isEmpty ? [] : ["\(users.joined(separator: ", ")) use(s) its results and run without them until it is enabled again"])
                    if !notes.isEmpty { result.warning = notes.joined(separator: "; ") }
                    if on {
                        // Stored documents lack its results: they are all waiting now.
                        resetAnalysisCursor()
                        kickAnalysis()
                    }
                    reply(.success(result))
                case .failure(let error):
                    reply(.failure(Daemon.tidingsError(error)))
                }
            }
        }
    }

    /// `reprocess --plugin NAME [--since DATE] [--source ID]`: a job that runs one plugin again
    /// over stored documents, in the background.
    private func reprocess(_ params: ReprocessParams, reply: AdminReply<AdminMethods.Reprocess>) throws {
        guard let stage = pipeline?.stage(params.plugin) else {
            throw TidingsError.notFound("no plugin is called \(params.plugin); plugins: \((pipeline?.names ?? []).joined(separator: ", "))")
        }
        var sinceDate: String?
        if let text = params.since {
            guard let date = Timestamps.parse(text) else { throw TidingsError.invalid("--since takes a date (YYYY-MM-DD) or an ISO 8601 time, not \"\(text)\"") }
            sinceDate = Timestamps.iso(date)
        }
        let since = sinceDate
        let name = stage.descriptor.name
        let sourceRef = params.source
        store.transact({ db -> JobRow in
            var sourceID: Int64?
            if let sourceRef {
                guard let source = try db.source(idOrName: sourceRef) else { throw TidingsError.notFound("no source \(sourceRef)") }
                sourceID = source.id
            }
            return try db.createReprocessJob(plugin: name, since: since, sourceID: sourceID, now: Date())
        }) { [self] outcome in
            control.async { [self] in
                switch outcome {
                case .success(let job):
                    logger.info("reprocess job \(job.id): plugin \(name) over \(job.total) document(s)")
                    kickAnalysis()
                    reply(.success(Daemon.jobInfo(job)))
                case .failure(let error):
                    reply(.failure(Daemon.tidingsError(error)))
                }
            }
        }
    }

    /// A source definition from `sources.add` params (also each outline of `sources.import`).
    func definition(from params: AddSourceParams) throws -> SourceDefinition {
        guard params.url.contains(":") || params.url.hasPrefix("/") else {
            throw TidingsError.invalid("\"\(params.url)\" is neither a URL nor an absolute path")
        }
        guard let url = SourceURL.normalize(params.url, workingDirectory: "/") else {
            throw TidingsError.invalid("\"\(params.url)\" is not an http://, https:// or file:// URL or an absolute path")
        }
        var interval = config.fetch.interval
        if let text = params.interval {
            guard let seconds = Durations.seconds(text), ConfigLoader.intervalRange.contains(seconds) else {
                throw TidingsError.invalid("bad interval \"\(text)\"; use \(Durations.allowed), from 100ms to 365d")
            }
            interval = seconds
        }
        let name = params.name.flatMap { $0.isEmpty ? nil : $0 } ?? SourceDefinition.defaultName(for: url)
        var kind = SourceDefinition.defaultKind(for: url)
        if let text = params.kind {
            guard let value = Source.Kind(rawValue: text) else { throw TidingsError.invalid("kind must be feed, page or folder, not \"\(text)\"") }
            guard value != .folder || url.hasPrefix("file:") else { throw TidingsError.invalid("a folder source must be a local directory") }
            kind = value
        }
        return SourceDefinition(name: name, url: url, interval: interval, kind: kind)
    }

    private func addSource(_ params: AddSourceParams, reply: AdminReply<AdminMethods.SourcesAdd>) throws {
        let definition = try definition(from: params)
        store.transact({ db in try db.insertSource(definition, origin: .admin, now: Date()) }) { [self] result in
            control.async {
                switch result {
                case .success(let source):
                    let state = SourceState(
                        id: source.id, name: source.name, url: source.url, enabled: true, interval: source.interval,
                        nextFetchAt: Date(), etag: nil, lastModified: nil, consecutiveErrors: 0, tlsVerify: source.tlsVerify,
                        kind: source.kind)
                    self.sources[source.id] = state
                    self.noteSourceChanged(source.id)
                    self.scheduler.add(.source(source.id), host: state.host, interval: state.interval, due: Date())
                    self.pump()
                    self.logger.info("added source \(source.id) (\(source.name)) \(source.url)")
                    reply(.success(source))
                case .failure(let error):
                    reply(.failure(Daemon.tidingsError(error)))
                }
            }
        }
    }

    /// `sources.import`: every outline checked, the good ones added in one transaction, each
    /// new source handed to the scheduler.
    private func importSources(_ params: ImportSourcesParams, reply: AdminReply<AdminMethods.SourcesImport>) {
        var definitions: [SourceDefinition] = []
        var refused: [ImportSourcesResult.Refusal] = []
        for outline in params.sources {
            do {
                definitions.append(try definition(from: outline))
            } catch {
                refused.append(.init(url: outline.url, reason: Daemon.tidingsError(error).message))
            }
        }
        let rejected = refused
        let accepted = definitions
        store.transact({ db in try db.importSources(accepted, now: Date()) }) { [self] outcome in
            control.async { [self] in
                switch outcome {
                case .success(let imported):
                    let now = Date()
                    scheduler.reserveSources(adding: imported.added.count)
                    for (id, definition) in imported.added {
                        let state = SourceState(
                            id: id, name: definition.name, url: definition.url, enabled: definition.enabled, interval: definition.interval,
                            nextFetchAt: now, etag: nil, lastModified: nil, consecutiveErrors: 0, tlsVerify: definition.tlsVerify,
                            kind: definition.kind)
                        sources[id] = state
                        noteSourceChanged(id)
                        // A large import is spread out (about 1,000 new sources a second, within a
                        // tenth of the interval and a minute); a few sources start at once.
                        let window = min(Double(imported.added.count) / 1000, definition.interval / 10, 60)
                        let spread = window * Double.random(in: 0..<1)
                        scheduler.add(.source(id), host: state.host, interval: state.interval, due: now.addingTimeInterval(spread))
                    }
                    logger.info("imported \(imported.added.count) source(s); \(imported.present) already present, \(rejected.count) refused")
                    tidings_malloc_trim()  // the request's parsed outlines were large and are gone
                    let result = ImportSourcesResult(
                        added: imported.added.count, present: imported.present, renamed: imported.renamed,
                        refused: Array(rejected.prefix(100)), refusedCount: rejected.count)
                    reply(.success(result))
                    pump()
                case .failure(let error):
                    reply(.failure(Daemon.tidingsError(error)))
                }
            }
        }
    }

    enum SourceChange: Sendable { case remove, enable, disable }

    private func changeSource<M: AdminMethod>(_ change: SourceChange, _ params: SourceRefParams, reply: AdminReply<M>) throws where M.Result == Source {
        let configFile = config.file
        store.transact({ db -> Source in
            guard let source = try db.source(idOrName: params.source) else {
                throw TidingsError.notFound("no source \"\(params.source)\"; see tidingsctl sources list")
            }
            // A config source follows its file: a runtime change would be undone by the next reload.
            guard source.origin == .admin else {
                let edit = change == .remove ? "remove it there" : "set enabled = \(change == .enable) there"
                throw TidingsError.conflict("source \(source.id) (\(source.name)) is defined in \(configFile); \(edit) and reload")
            }
            switch change {
            case .remove: try db.deleteSource(id: source.id)
            case .enable, .disable: try db.setSourceEnabled(id: source.id, enabled: change == .enable)
            }
            return source
        }) { [self] result in
            control.async {
                switch result {
                case .success(var source):
                    self.noteSourceChanged(source.id)
                    switch change {
                    case .remove:
                        self.scheduler.remove(.source(source.id))
                        if let removed = self.sources.removeValue(forKey: source.id), removed.kind == .folder {
                            self.fetcher.forgetFolder(removed.url)
                        }
                        self.logger.info("removed source \(source.id) (\(source.name)); its documents are kept")
                    case .enable, .disable:
                        source.enabled = change == .enable
                        self.sources[source.id]?.enabled = source.enabled
                        self.scheduler.setEnabled(.source(source.id), source.enabled, now: Date())
                        self.pump()
                        self.logger.info("\(source.enabled ? "enabled" : "disabled") source \(source.id) (\(source.name))")
                    }
                    reply(.success(source))
                case .failure(let error):
                    reply(.failure(Daemon.tidingsError(error)))
                }
            }
        }
    }

    /// Fetches a source now (even when paused) and replies once its results are written.
    private func fetchNow(
        _ params: SourceRefParams, id: JSON?, connection: AdminConnection
    ) throws {
        guard !stopping else { throw TidingsError("stopping", "the daemon is stopping") }
        let match = Int64(params.source).flatMap { sources[$0] } ?? sources.values.first { $0.name == params.source }
        guard let state = match else {
            throw TidingsError.notFound("no source \"\(params.source)\"; see tidingsctl sources list")
        }
        fetchWaiters[state.id, default: []].append((connection, id))
        // Now, whatever the pause, the slots and the host's turn; if it is running, once more
        // right after.
        let now = Date()
        if scheduler.startNow(.source(state.id), now: now) { startFetch(state, now: now) }
    }
}

/// Sends one method's typed result (or its error) as the reply to one request.
struct AdminReply<M: AdminMethod>: Sendable {
    let send: @Sendable (Result<M.Result, TidingsError>) -> Void
    init(_ send: @escaping @Sendable (Result<M.Result, TidingsError>) -> Void) { self.send = send }
    func callAsFunction(_ result: Result<M.Result, TidingsError>) { send(result) }
}
