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
        @Sendable func reply(_ result: Result<JSONValue, TidingsError>) {
            switch result {
            case .success(let value): connection.send(.success(id: id, result: value))
            case .failure(let error): connection.send(.failure(AdminFailure(id: id, code: error.code, message: error.message)))
            }
        }
        /// Runs `work` on the reader queue and replies on `control`.
        func read(_ work: @escaping @Sendable () throws -> JSONValue) {
            readerQueue.async { [control] in
                let result = Result { try work() }.mapError(Daemon.tidingsError)
                control.async { reply(result) }
            }
        }
        do {
            switch request.method {
            case "ping":
                reply(.success(.string("pong")))
            case "status":
                let base = statusSkeleton(access: connection.access)
                read { [reader] in
                    var status = base
                    status.jobs = try reader.queries.runningJobs().map(Daemon.jobInfo)
                    let counts = try reader.queries.counts()
                    let backlog = try reader.queries.articleBacklog()
                    status.articles = StatusResult.Articles(pending: backlog.pending, failed: backlog.failed)
                    status.counts = StatusResult.Counts(
                        sources: counts.sources, enabledSources: counts.enabledSources,
                        failingSources: counts.failingSources, documents: counts.documents, fetches: counts.fetches,
                        fetchErrors: counts.fetchErrors)
                    return try AdminJSON.value(status)
                }
            case "sources.list":
                read { [reader] in try AdminJSON.value(try reader.queries.sources()) }
            case "plugins.list":
                // The statistics are a GROUP BY over every extraction: read on the reader
                // queue, never on `control` (whose loop drives the watchdog pings).
                let plugins = pluginDescriptions()
                read { [reader] in try AdminJSON.value(Daemon.pluginInfos(plugins, stats: try reader.queries.pluginStatistics())) }
            case "plugins.enable", "plugins.disable":
                try switchPlugin(request.decodeParams(PluginNameParams.self), on: request.method == "plugins.enable", reply: reply)
            case "reprocess":
                try reprocess(request.decodeParams(ReprocessParams.self), reply: reply)
            case "jobs":
                read { [reader] in try AdminJSON.value(try reader.queries.jobs(limit: 50).map(Daemon.jobInfo)) }
            case "sources.add":
                try addSource(request.decodeParams(AddSourceParams.self), reply: reply)
            case "sources.import":
                importSources(try request.decodeParams(ImportSourcesParams.self), reply: reply)
            case "sources.remove", "sources.enable", "sources.disable":
                try changeSource(request.method, request.decodeParams(SourceRefParams.self), reply: reply)
            case "sources.fetch":
                try fetchNow(request.decodeParams(SourceRefParams.self), id: id, connection: connection, reply: reply)
            case "pause", "resume":
                paused = request.method == "pause"
                logger.info(paused ? "paused: no scheduled fetches until resume" : "resumed")
                notifier.status(paused ? "paused" : "running: \(sources.count) source(s)")
                reply(.success(.object(["paused": .bool(paused)])))
                pump()
            case "reload":
                reply(reload().map { changes in (try? AdminJSON.value(ReloadResult(changes: changes))) ?? .null })
            case "shutdown":
                reply(.success(.object(["stopping": .bool(true)])))
                control.async { [weak self] in self?.beginStop(reason: "shutdown requested over the admin socket") }
            case "tail":
                let params = try request.decodeParams(TailParams.self)
                let last = max(0, min(params.last ?? 10, 1000))
                // Subscribe first, then read the backlog: documents landing in between are held.
                tails[connection.id] = TailSubscriber(connection: connection, requestID: id)
                readerQueue.async { [reader, control] in
                    let recent = Result { try reader.queries.recentDocuments(limit: last) }
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
                            reply(.failure(Daemon.tidingsError(error)))
                        }
                    }
                }
            default:
                reply(.failure(TidingsError("unknown_method", "no handler for \(request.method)")))
            }
        } catch {
            reply(.failure(Daemon.tidingsError(error)))
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
            queue: StatusResult.Queue(due: dueCount, fetching: scheduler.transferCount, writing: writing,
                clients: server?.connectionCount ?? 0, tailing: tails.count),
            lastErrors: recentErrors, access: access)
        status.plugins = (pipeline?.names ?? []).filter(enabledPlugins.contains)
        status.analyzed = analyzedCount
        status.analyzing = analysisBusy
        return status
    }

    /// `plugins.enable|disable NAME`: at once, and remembered in the store.
    private func switchPlugin(_ params: PluginNameParams, on: Bool, reply: @escaping @Sendable (Result<JSONValue, TidingsError>) -> Void) throws {
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
                    var result: [String: JSONValue] = ["name": .string(name), "enabled": .bool(on)]
                    let blocked = on ? stage.descriptor.requires.filter { !enabledPlugins.contains($0) } : []
                    let dependents = on ? [] : (pipeline?.stages ?? []).filter { $0.descriptor.requires.contains(name) && enabledPlugins.contains($0.descriptor.name) }.map(\.descriptor.name)
                    if !blocked.isEmpty { result["warning"] = .string("it requires \(blocked.joined(separator: ", ")), which is disabled: it is skipped until that is enabled") }
                    let users = on ? [] : (pipeline?.stages ?? []).filter { $0.descriptor.uses.contains(name) && enabledPlugins.contains($0.descriptor.name) }.map(\.descriptor.name)
                    let notes =
                        (dependents.isEmpty ? [] : ["\(dependents.joined(separator: ", ")) require(s) it and are skipped until it is enabled again"])
                        + (users.isEmpty ? [] : ["\(users.joined(separator: ", ")) use(s) its results and run without them until it is enabled again"])
                    if !notes.isEmpty { result["warning"] = .string(notes.joined(separator: "; ")) }
                    if on {
                        // Stored documents lack its results: they are all waiting now.
                        resetAnalysisCursor()
                        kickAnalysis()
                    }
                    reply(.success(.object(result)))
                case .failure(let error):
                    reply(.failure(Daemon.tidingsError(error)))
                }
            }
        }
    }

    /// `reprocess --plugin NAME [--since DATE] [--source ID]`: a job that runs one plugin again
    /// over stored documents, in the background.
    private func reprocess(_ params: ReprocessParams, reply: @escaping @Sendable (Result<JSONValue, TidingsError>) -> Void) throws {
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
                    reply(Result { try AdminJSON.value(Daemon.jobInfo(job)) }.mapError(Daemon.tidingsError))
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
                throw TidingsError.invalid("bad interval \"\(text)\"; use \(Durations.allowed), from 1s to 365d")
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

    private func addSource(_ params: AddSourceParams, reply: @escaping @Sendable (Result<JSONValue, TidingsError>) -> Void) throws {
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
                    self.scheduler.add(.source(source.id), host: state.host, interval: state.interval, due: Date())
                    self.pump()
                    self.logger.info("added source \(source.id) (\(source.name)) \(source.url)")
                    reply(Result { try AdminJSON.value(source) }.mapError(Daemon.tidingsError))
                case .failure(let error):
                    reply(.failure(Daemon.tidingsError(error)))
                }
            }
        }
    }

    /// `sources.import`: every outline checked, the good ones added in one transaction, each
    /// new source handed to the scheduler.
    private func importSources(_ params: ImportSourcesParams, reply: @escaping @Sendable (Result<JSONValue, TidingsError>) -> Void) {
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
                    for (id, definition) in imported.added {
                        let state = SourceState(
                            id: id, name: definition.name, url: definition.url, enabled: definition.enabled, interval: definition.interval,
                            nextFetchAt: now, etag: nil, lastModified: nil, consecutiveErrors: 0, tlsVerify: definition.tlsVerify,
                            kind: definition.kind)
                        sources[id] = state
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
                    reply(Result { try AdminJSON.value(result) }.mapError(Daemon.tidingsError))
                    pump()
                case .failure(let error):
                    reply(.failure(Daemon.tidingsError(error)))
                }
            }
        }
    }

    private func changeSource(_ method: String, _ params: SourceRefParams, reply: @escaping @Sendable (Result<JSONValue, TidingsError>) -> Void) throws {
        let configFile = config.file
        store.transact({ db -> Source in
            guard let source = try db.source(idOrName: params.source) else {
                throw TidingsError.notFound("no source \"\(params.source)\"; see tidingsctl sources list")
            }
            // A config source follows its file: a runtime change would be undone by the next reload.
            guard source.origin == .admin else {
                let edit = method == "sources.remove" ? "remove it there" : "set enabled = \(method == "sources.enable") there"
                throw TidingsError.conflict("source \(source.id) (\(source.name)) is defined in \(configFile); \(edit) and reload")
            }
            switch method {
            case "sources.remove": try db.deleteSource(id: source.id)
            default: try db.setSourceEnabled(id: source.id, enabled: method == "sources.enable")
            }
            return source
        }) { [self] result in
            control.async {
                switch result {
                case .success(var source):
                    switch method {
                    case "sources.remove":
                        self.scheduler.remove(.source(source.id))
                        if let removed = self.sources.removeValue(forKey: source.id), removed.kind == .folder {
                            self.fetcher.forgetFolder(removed.url)
                        }
                        self.logger.info("removed source \(source.id) (\(source.name)); its documents are kept")
                    default:
                        source.enabled = method == "sources.enable"
                        self.sources[source.id]?.enabled = source.enabled
                        self.scheduler.setEnabled(.source(source.id), source.enabled, now: Date())
                        self.pump()
                        self.logger.info("\(source.enabled ? "enabled" : "disabled") source \(source.id) (\(source.name))")
                    }
                    reply(Result { try AdminJSON.value(source) }.mapError(Daemon.tidingsError))
                case .failure(let error):
                    reply(.failure(Daemon.tidingsError(error)))
                }
            }
        }
    }

    /// Fetches a source now (even when paused) and replies once its results are written.
    private func fetchNow(
        _ params: SourceRefParams, id: JSONValue?, connection: AdminConnection,
        reply: @escaping @Sendable (Result<JSONValue, TidingsError>) -> Void
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
