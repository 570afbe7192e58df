import Dispatch
import Foundation
import TidingsAdmin
import TidingsCore
import TidingsFetch
import TidingsSchedule
import TidingsStore

/// The ingest path: scheduler → fetcher → reader stage (parse queue) → scheduler (next time)
/// → store writer → back to `control`. Every hop hands values on; the scheduler's slots bound
/// the work between the first and the last step.
extension Daemon {
    /// Starts what the scheduler says may start now, and arms the timer for its next wakeup.
    /// On `control`; O(log n) per piece of work that moves.
    func pump() {
        dispatchPrecondition(condition: .onQueue(control))
        guard !stopping else { return }
        let now = Date()
        // Nothing new starts while the parse queue has a budget's worth of bodies to read:
        // fetching is faster than reading, and 181 article pages fetched ahead of their reading
        // were 27 MB held at once. 304s and small feeds never come near it.
        if unreadBytes < Daemon.unreadBudget {
            for work in scheduler.nextStarts(now: now) { start(work, now: now) }
        }
        if pages.count < Daemon.pageWindow / 2 { loadPages() }
        armWakeup(now: now)
    }

    /// Most bytes of fetched bodies waiting for (or in) the parse queue before new fetches wait
    /// (one body larger than this is read alone). In the end-to-end benchmark the daemon's
    /// peak went from 90 MB to 81 MB with 8 MB and to 76 MB with 4 MB, at the same speed:
    /// the parse queue has work for both cores either way.
    static let unreadBudget = 4 << 20

    /// Counts a body handed to the parse queue; returns the size to give `endReading`. On `control`.
    func beginReading(_ size: Int) -> Int {
        unreadBytes += size
        unreadBytesPeak = max(unreadBytesPeak, unreadBytes)
        return size
    }

    /// A body is read: its bytes leave the budget, and work held back by it may start. On `control`.
    func endReading(_ size: Int) {
        let wasOver = unreadBytes >= Daemon.unreadBudget
        unreadBytes -= size
        if wasOver && unreadBytes < Daemon.unreadBudget { pump() }
    }

    /// One timer for the scheduler's next wakeup, moved only when that comes earlier by more
    /// than the timer's grain: re-arming a timer for every fetch cost more than the fetch.
    /// While work is under way, each transfer's end and each stored result pump anyway, so
    /// the timer only has to catch what they do not (10 ms grain); when idle, 1 ms.
    func armWakeup(now: Date) {
        guard let wake = scheduler.nextWakeup else { return }
        let grain = scheduler.runningCount > 0 ? 0.010 : 0.001
        if let armed = armedWakeup, armed > now, armed.timeIntervalSince(wake) <= grain { return }
        let fire = max(wake, now.addingTimeInterval(grain))
        armedWakeup = fire
        pumpTimer?.schedule(deadline: .now() + fire.timeIntervalSince(now), repeating: .never, leeway: .milliseconds(1))
    }

    func start(_ work: Work, now: Date) {
        switch work {
        case .source(let id):
            guard let state = sources[id] else {
                scheduler.release(work, now: now)
                return
            }
            startFetch(state, now: now)
        case .page(let id):
            guard let page = pages[id] else {
                scheduler.release(work, now: now)
                return
            }
            startArticle(page)
        }
    }

    /// How many enabled sources are due now and wait for a slot or their host (for `status`).
    var dueCount: Int { scheduler.waitingSources }

    /// What the reader stage needs from the config, taken when a fetch starts.
    var readingSettings: FetchReading.Settings {
        let fetch = config.fetch  // one read of the shared config, not one per field
        return FetchReading.Settings(
            maxFreshness: fetch.maxFreshness, adaptive: fetch.adaptive ? fetch.adaptiveBounds : nil,
            articleMinLength: fetch.fetchArticles ? fetch.articleMinLength : nil,
            allowPrivateNetworks: fetch.allowPrivateNetworks)
    }

    /// The request for a source or a page, from the config.
    func request(url: String, etag: String? = nil, lastModified: String? = nil, tlsVerify: Bool) -> FetchRequest {
        let fetch = config.fetch
        return FetchRequest(
            url: url, etag: etag, lastModified: lastModified, userAgent: fetch.userAgent,
            timeout: fetch.timeout, maxBytes: fetch.maxBytes,
            allowPrivateNetworks: fetch.allowPrivateNetworks, tlsVerify: tlsVerify, proxy: fetch.proxy)
    }

    /// Fetches one source; the scheduler has given it a slot (and its host's turn). On `control`.
    func startFetch(_ state: SourceState, now: Date) {
        let work = Work.source(state.id)
        let startedAt = now
        logger.debug("fetching source \(state.id) (\(state.name), \(state.kind.rawValue)) \(state.url)")
        if state.kind == .folder {
            fetcher.readFolder(state.url, maxBytes: config.fetch.maxBytes) { [self] result in
                parseQueue.async { [self] in
                    let reading = FetchReading.readFolder(state: state, startedAt: startedAt, result: result)
                    control.async { [self] in
                        // Files count as read once their documents are stored: a failed write
                        // reads them again next time.
                        write(reading, for: state) { [fetcher] stored in
                            if stored, case .success(let listing) = result { fetcher.folderRead(state.url, stamps: listing.stamps) }
                        }
                    }
                }
            }
            return
        }
        let settings = readingSettings
        let request = request(url: state.url, etag: state.etag, lastModified: state.lastModified, tlsVerify: state.tlsVerify)
        // Delivered on `control`, together with the other fetches that ended at the same time.
        fetcher.fetch(request, on: control) { [self] result in
            if case .failure(let error) = result, error.cancelled {
                // Cut off by a shutdown: not the source's fault, so nothing is recorded and the
                // source stays due for the next start.
                abandon(work)
                return
            }
            let now = Date()
            scheduler.transferEnded(work, now: now)
            var toRead: FetchResponse?
            if case .success(let response) = result, !response.notModified { toRead = response }
            let size = beginReading(toRead?.body.count ?? 0)
            // A slot is free, and the host may be asked again after its delay.
            pump()
            if toRead != nil {
                parseQueue.async { [self] in
                    let reading = FetchReading.read(state: state, startedAt: startedAt, result: result, settings: settings)
                    control.async { [self] in
                        endReading(size)
                        write(reading, for: state)
                    }
                }
            } else {
                // A 304 or an error has nothing to parse: no hop to the parse queue.
                write(FetchReading.read(state: state, startedAt: startedAt, result: result, settings: settings, now: now), for: state)
            }
        }
    }

    /// Asks the scheduler when the source is due again and hands the record to the store
    /// writer; `stored` learns whether it was written. On `control`.
    func write(_ reading: FetchReading.Reading, for state: SourceState, stored: (@Sendable (Bool) -> Void)? = nil) {
        var scheduled = reading.record
        scheduled.nextFetchAt = scheduler.complete(.source(state.id), reading.outcome, now: Date())
        let record = scheduled
        writing += 1
        let keep = config.history.perSource
        store.transact({ db in try db.record(record, now: Date(), keepFetches: keep) }, on: control) { [self] outcome in
            if let stored {
                if case .success = outcome { stored(true) } else { stored(false) }
            }
            finishFetch(state: state, record: record, outcome: outcome)
        }
    }

    /// Forgets a fetch that was cancelled before it produced anything. On `control`.
    func abandon(_ work: Work) {
        dispatchPrecondition(condition: .onQueue(control))
        let now = Date()
        scheduler.transferEnded(work, now: now)
        if case .source = work { _ = scheduler.complete(work, .cancelled, now: now) }
        scheduler.release(work, now: now)
        if case .source(let id) = work {
            for (connection, requestID) in fetchWaiters.removeValue(forKey: id) ?? [] {
                connection.send(.failure(AdminFailure(id: requestID, code: "stopping", message: "the daemon is stopping; the fetch was cancelled")))
            }
        }
        if stopping && scheduler.runningCount == 0 { finishStop() }
    }

    /// Books a stored fetch: the slot is freed, the in-memory state follows the store, and
    /// `tail` streams and waiting admin requests hear of it. On `control`.
    func finishFetch(state: SourceState, record: FetchRecord, outcome: Result<FetchOutcome, any Error>) {
        let work = Work.source(state.id)
        writing -= 1
        let waiters = fetchWaiters.isEmpty ? [] : fetchWaiters.removeValue(forKey: state.id) ?? []
        activity.count(record.status)
        switch outcome {
        case .success(let written):
            activity.newDocuments += written.newDocuments.count
            // The in-memory state follows the store; a plain 304 changes nothing here.
            let changed = record.movedTo != nil || record.etag != nil || record.lastModified != nil
                || record.status == .error || state.consecutiveErrors > 0 || state.discoveryHops > 0
            if changed, var current = sources[state.id] {
                if let moved = record.movedTo {
                    if written.moved {
                        logger.notice("source \(state.id) (\(state.name)) now reads \(moved) (\(record.error ?? "moved permanently"))")
                        current.url = moved
                        current.discoveryHops = record.discovered ? current.discoveryHops + 1 : 0
                        scheduler.update(work, host: current.host, interval: current.interval)
                    } else {
                        logger.warning("source \(state.id) (\(state.name)) moved to \(moved), which another source already reads; keeping \(state.url)")
                    }
                } else if record.status == .ok {
                    current.discoveryHops = 0
                }
                current.consecutiveErrors = record.status == .error ? current.consecutiveErrors + 1 : 0
                current.etag = record.etag ?? current.etag
                current.lastModified = record.lastModified ?? current.lastModified
                sources[state.id] = current
            }
            if record.status == .error {
                noteError("source \(state.id) (\(state.name)): \(record.error ?? "error"); next attempt \(Timestamps.iso(record.nextFetchAt))")
            } else if !written.newDocuments.isEmpty || written.updated > 0 {
                // State changes are news; a fetch that brought nothing new is a debug line.
                var summary = "\(record.documents.count) item(s), \(written.newDocuments.count) new"
                if written.updated > 0 { summary += ", \(written.updated) updated" }
                if written.seenElsewhere > 0 { summary += ", \(written.seenElsewhere) already known from elsewhere" }
                if written.articlesQueued > 0 { summary += ", \(written.articlesQueued) article page(s) queued" }
                logger.info("source \(state.id) (\(state.name)): \(summary)")
            } else {
                logger.debug("source \(state.id) (\(state.name)): \(record.status.rawValue), \(record.documents.count) item(s), nothing new")
            }
            if state.consecutiveErrors > 0 && record.status != .error {
                logger.info("source \(state.id) (\(state.name)) recovered after \(state.consecutiveErrors) error(s)")
            }
            broadcast(written.newDocuments)
            // Changed documents lost their results: the next round starts from the beginning.
            if written.updated > 0 { resetAnalysisCursor() }
            if !written.newDocuments.isEmpty || written.updated > 0 { kickAnalysis() }
            if written.articlesQueued > 0 { pagesExhausted = false }
            if !waiters.isEmpty {
                let answer = FetchNowResult(
                    sourceID: state.id, status: record.status.rawValue, items: record.documents.count, new: written.newDocuments.count,
                    updated: written.updated, seenElsewhere: written.seenElsewhere, articlesQueued: written.articlesQueued, error: record.error)
                let result = (try? JSON.encodeText(answer)) ?? Array("null".utf8)
                for (connection, id) in waiters { connection.send(.success(id: id, encoded: result)) }
            }
        case .failure(let error):
            // The write failed (e.g. the source was removed meanwhile): the scheduler keeps
            // the time it gave, so the source is fetched again then.
            if let error = error as? TidingsError, error.code == "not_found" {
                logger.info("\(error.message)")  // removed by the user mid-fetch: not a fault
            } else {
                noteError("source \(state.id) (\(state.name)): could not store the fetch: \(error)")
            }
            for (connection, id) in waiters {
                connection.send(.failure(AdminFailure(id: id, code: "store_failed", message: "\(error)")))
            }
        }
        scheduler.release(work, now: Date())
        if stopping && scheduler.runningCount == 0 { finishStop() }
        // A slot is free: start what is due now rather than at the next wakeup.
        pump()
    }

    /// Streams new documents to `tail` subscribers. On `control`.
    func broadcast(_ documents: [StoredDocument]) {
        guard !tails.isEmpty, !documents.isEmpty else { return }
        for key in Array(tails.keys) {
            guard var subscriber = tails[key] else { continue }
            if subscriber.ready {
                send(documents, to: &subscriber)
            } else {
                subscriber.held += documents
            }
            // Sending may have cut off a client that stopped reading; it must not come back.
            tails[key] = subscriber.connection.isClosed ? nil : subscriber
        }
    }

    /// Sends the documents newer than what the subscriber already has. On `control`.
    func send(_ documents: [StoredDocument], to subscriber: inout TailSubscriber) {
        for document in documents where document.id > subscriber.lastSent {
            guard let item = try? JSON.encodeText(TailItem(document)) else { continue }
            subscriber.connection.send(.success(id: subscriber.requestID, encoded: item, more: true))
            subscriber.lastSent = document.id
        }
    }
}

/// Counts for the periodic one-line summary at info level (per-fetch lines are debug).
struct FetchActivity {
    var polls = 0
    var notModified = 0
    var errors = 0
    var newDocuments = 0
    var articlesRead = 0
    var articlesFailed = 0

    mutating func count(_ status: FetchRecord.Status) {
        polls += 1
        if status == .notModified { notModified += 1 }
        if status == .error { errors += 1 }
    }

    var isEmpty: Bool { polls == 0 && articlesRead == 0 && articlesFailed == 0 }
}
