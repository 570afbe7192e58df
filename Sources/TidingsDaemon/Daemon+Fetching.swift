import Dispatch
import Foundation
import TidingsAdmin
import TidingsCore
import TidingsFetch
import TidingsParse
import TidingsStore

/// The ingest path: due source → fetcher → reader stage → store writer → back to `control`.
extension Daemon {
    /// Starts the fetches that are due, up to the concurrency limit. On `control`.
    func startDueFetches() {
        guard !paused, !stopping else { return }
        let now = Date()
        let free = config.fetch.maxConcurrent - inFlight.count
        guard free > 0 else { return }
        // Only (time, id) pairs are gathered and sorted: with thousands of sources this runs
        // after every fetch, and copying whole source states dominated the daemon's CPU.
        var due: [(at: Date, id: Int64)] = []
        for (id, state) in schedule where state.enabled && !inFlight.contains(id) {
            let at = state.nextFetchAt ?? .distantPast
            if at <= now { due.append((at, id)) }
        }
        guard !due.isEmpty else { return }
        due.sort { $0.at < $1.at }
        // Politeness: one request at a time per host (feeds and article pages alike), and
        // `host_delay` between two of them.
        let busyHosts = Set(activeHosts.keys)
        var started = 0
        var claimed = Set<String>()
        for entry in due where started < free {
            guard let state = schedule[entry.id] else { continue }
            if let host = state.host {
                if busyHosts.contains(host) || claimed.contains(host) { continue }
                if let last = lastRequest[host], now.timeIntervalSince(last) < config.fetch.hostDelay { continue }
                claimed.insert(host)
                lastRequest[host] = now
            }
            startFetch(state)
            started += 1
        }
    }


    /// How many enabled sources are due now (for `status`).
    var dueCount: Int {
        let now = Date()
        return schedule.values.filter { $0.enabled && !inFlight.contains($0.id) && ($0.nextFetchAt ?? .distantPast) <= now }.count
    }

    /// Fetches one source now. On `control`.
    func startFetch(_ state: SourceState) {
        inFlight.insert(state.id)
        let request = FetchRequest(
            url: state.url, etag: state.etag, lastModified: state.lastModified, userAgent: config.fetch.userAgent,
            timeout: config.fetch.timeout, maxBytes: config.fetch.maxBytes,
            allowPrivateNetworks: config.fetch.allowPrivateNetworks, tlsVerify: state.tlsVerify, proxy: config.fetch.proxy)
        let maxFreshness = config.fetch.maxFreshness
        let adaptive = config.fetch.adaptive ? config.fetch.adaptiveBounds : nil
        let articles = config.fetch.fetchArticles && state.kind == .feed
            ? ArticlePolicy(request: request, minLength: config.fetch.articleMinLength, maxPerFetch: config.fetch.maxArticlesPerFetch)
            : nil
        let startedAt = Date()
        logger.debug("fetching source \(state.id) (\(state.name), \(state.kind.rawValue)) \(state.url)")
        if state.kind == .folder {
            fetcher.readFolder(state.url, maxBytes: config.fetch.maxBytes) { [self] result in
                parseQueue.async { [self] in
                    let record = Daemon.makeFolderRecord(state: state, startedAt: startedAt, result: result)
                    // Files count as read once their documents are stored: a failed write reads
                    // them again next time.
                    write(record, for: state) { [fetcher] stored in
                        if stored, case .success(let listing) = result { fetcher.folderRead(state.url, stamps: listing.stamps) }
                    }
                }
            }
            return
        }
        let host = state.host
        claimHost(host)
        fetcher.fetch(request) { [self] result in
            control.async { [self] in releaseHost(host) }
            if case .failure(let error) = result, error.cancelled {
                // Cut off by a shutdown: not the source's fault, so nothing is recorded and the
                // source stays due for the next start.
                control.async { [self] in abandonFetch(state) }
                return
            }
            parseQueue.async { [self] in
                var record = Daemon.makeRecord(
                    state: state, startedAt: startedAt, result: result, maxFreshness: maxFreshness, adaptive: adaptive)
                let pages = articles.map { planArticles(&record, policy: $0) } ?? []
                if pages.isEmpty {
                    write(record, for: state)
                } else {
                    let job = ArticleJob(state: state, record: record, pending: pages)
                    control.async { [self] in readNextArticle(job) }
                }
            }
        }
    }

    /// A request to `host` is starting (politeness bookkeeping). On `control`.
    func claimHost(_ host: String?) {
        guard let host else { return }
        activeHosts[host, default: 0] += 1
        lastRequest[host] = Date()
    }

    /// A request to `host` has ended. On `control`.
    func releaseHost(_ host: String?) {
        guard let host, let count = activeHosts[host] else { return }
        activeHosts[host] = count > 1 ? count - 1 : nil
    }

    /// Hands a record to the store writer; `stored` learns whether it was written. On the
    /// parse queue.
    func write(_ record: FetchRecord, for state: SourceState, stored: (@Sendable (Bool) -> Void)? = nil) {
        // Enqueued before the write is submitted, so it runs before `finishFetch`.
        control.async { [self] in _ = writing.insert(state.id) }
        store.write({ db in try db.record(record, now: Date()) }) { [self] outcome in
            if let stored {
                if case .success = outcome { stored(true) } else { stored(false) }
            }
            control.async { [self] in self.finishFetch(state: state, record: record, outcome: outcome) }
        }
    }

    /// A folder source: every readable file becomes documents (feeds by their items, pages
    /// by their article, text files as they are).
    static func makeFolderRecord(
        state: SourceState, startedAt: Date, result: Result<FolderListing, FetchError>
    ) -> FetchRecord {
        let now = Date()
        switch result {
        case .failure(let error):
            return FetchRecord(
                sourceID: state.id, url: state.url, startedAt: startedAt, duration: now.timeIntervalSince(startedAt), httpStatus: nil,
                bytes: 0, status: .error, error: error.message,
                nextFetchAt: FetchSchedule.afterError(
                    now: now, interval: state.interval, consecutiveErrors: state.consecutiveErrors + 1, random: .random(in: 0..<1)),
                documents: [])
        case .success(let listing):
            var documents: [Document] = []
            var warnings = listing.skipped
            for file in listing.files {
                do {
                    documents += try SourceReading.documents(fromFile: file, sourceID: state.id)
                } catch {
                    warnings.append("\((file.url as NSString).lastPathComponent): \(error.message)")
                }
            }
            return FetchRecord(
                sourceID: state.id, url: state.url, startedAt: startedAt, duration: now.timeIntervalSince(startedAt), httpStatus: nil,
                bytes: listing.files.reduce(0) { $0 + $1.bytes.count }, status: .ok,
                error: warnings.isEmpty ? nil : warnings.prefix(20).joined(separator: "; "),
                // A folder read in parts comes back for the rest at once.
                nextFetchAt: listing.more
                    ? now.addingTimeInterval(1) : FetchSchedule.afterSuccess(now: now, interval: state.interval, random: .random(in: 0..<1)),
                documents: documents.filter { $0.title != nil || !$0.text.isEmpty })
        }
    }

    /// Turns a fetch result into what the store records: documents on success, the error
    /// otherwise, and the time of the next attempt either way.
    static func makeRecord(
        state: SourceState, startedAt: Date, result: Result<FetchResponse, FetchError>, maxFreshness: Double = 86_400,
        adaptive: ClosedRange<Double>? = nil
    ) -> FetchRecord {
        let now = Date()
        let random = Double.random(in: 0..<1)
        func failure(_ message: String, status: Int?, bytes: Int, duration: Double) -> FetchRecord {
            FetchRecord(
                sourceID: state.id, url: state.url, startedAt: startedAt, duration: duration, httpStatus: status, bytes: bytes,
                status: .error, error: message,
                nextFetchAt: FetchSchedule.afterError(
                    now: now, interval: state.interval, consecutiveErrors: state.consecutiveErrors + 1, random: random),
                documents: [])
        }
        switch result {
        case .failure(let error):
            var record = failure(error.message, status: error.status, bytes: 0, duration: now.timeIntervalSince(startedAt))
            if let asked = error.retryAfter {
                let wait = min(asked, 86_400)
                // The server said when to come back (429/503 Retry-After): not sooner, but at
                // most a day away.
                record.nextFetchAt = max(record.nextFetchAt, now.addingTimeInterval(min(wait, 86_400)))
                record.error = (record.error ?? "") + "; the server asked to wait \(Durations.format(max(wait, 1)))"
            }
            return record
        case .success(let response):
            var next = FetchSchedule.afterSuccess(now: now, interval: state.interval, random: random)
            if response.notModified {
                return FetchRecord(
                    sourceID: state.id, url: state.url, startedAt: startedAt, duration: response.duration, httpStatus: 304,
                    bytes: 0, status: .notModified, error: nil, nextFetchAt: next, documents: [])
            }
            if let fresh = response.freshness(now: now) {
                next = FetchSchedule.honouringFreshness(next, now: now, freshFor: fresh, cap: maxFreshness)
            }
            if state.kind == .page {
                do {
                    let document = try SourceReading.document(fromPage: response.body, url: state.url, headers: response.headers, sourceID: state.id)
                    return FetchRecord(
                        sourceID: state.id, url: state.url, startedAt: startedAt, duration: response.duration,
                        httpStatus: response.status, bytes: response.body.count, status: .ok, error: nil,
                        etag: response.headers["etag"], lastModified: response.headers["last-modified"], nextFetchAt: next,
                        documents: [document])
                } catch {
                    return failure(error.message, status: response.status, bytes: response.body.count, duration: response.duration)
                }
            }
            do {
                let feed = try FeedParser.parse(response.body, url: response.effectiveURL, headers: response.headers)
                if let adaptive {
                    let dates = feed.items.compactMap { $0.published ?? $0.updated }
                    let interval = FetchSchedule.adaptiveInterval(itemDates: dates, configured: state.interval, bounds: adaptive)
                    next = FetchSchedule.afterSuccess(now: now, interval: interval, random: random)
                    if let fresh = response.freshness(now: now) {
                        next = FetchSchedule.honouringFreshness(next, now: now, freshFor: fresh, cap: maxFreshness)
                    }
                }
                if let ttl = feed.ttl { next = FetchSchedule.honouringFreshness(next, now: now, freshFor: ttl * 60, cap: maxFreshness) }
                // An entry with neither a title nor any text is no document. Items that share one
                // link (a podcast's home page) are told apart by their GUIDs.
                var documents = feed.items.map { $0.document(sourceID: state.id) }.filter { $0.title != nil || !$0.text.isEmpty }
                var seenURLs: [String: Int] = [:]
                for document in documents { if let url = document.url { seenURLs[url, default: 0] += 1 } }
                for index in documents.indices where (documents[index].url.flatMap { seenURLs[$0] } ?? 0) > 1 {
                    documents[index].keyByGUID()
                }
                var warnings = feed.warnings
                if documents.count < feed.items.count {
                    warnings.append("skipped \(feed.items.count - documents.count) entr(ies) with neither title nor text")
                }
                var record = FetchRecord(
                    sourceID: state.id, url: state.url, startedAt: startedAt, duration: response.duration,
                    httpStatus: response.status, bytes: response.body.count, status: .ok,
                    error: warnings.isEmpty ? nil : warnings.joined(separator: "; "),
                    etag: response.headers["etag"], lastModified: response.headers["last-modified"], nextFetchAt: next,
                    documents: documents)
                record.movedTo = response.permanentRedirect
                return record
            } catch {
                // A web page instead of a feed: follow the feed it advertises, as if it had moved.
                // Only web addresses: a page must not point the daemon at local files. And only
                // twice in a row: pages that advertise each other must not loop.
                if state.discoveryHops < 2,
                    let feedURL = FeedDiscovery.feeds(in: response.body, url: response.effectiveURL).first(where: {
                        $0.lowercased().hasPrefix("http://") || $0.lowercased().hasPrefix("https://")
                    }), feedURL != state.url
                {
                    var record = FetchRecord(
                        sourceID: state.id, url: state.url, startedAt: startedAt, duration: response.duration,
                        httpStatus: response.status, bytes: response.body.count, status: .ok,
                        error: "a web page, not a feed; it advertises \(feedURL), which the source now follows", nextFetchAt: now,
                        documents: [])
                    record.movedTo = feedURL
                    record.discovered = true
                    return record
                }
                return failure(
                    "cannot read the feed: \(error.message)", status: response.status, bytes: response.body.count,
                    duration: response.duration)
            }
        }
    }

    /// Forgets a fetch that was cancelled before it produced anything. On `control`.
    func abandonFetch(_ state: SourceState) {
        inFlight.remove(state.id)
        for (connection, id) in fetchWaiters.removeValue(forKey: state.id) ?? [] {
            connection.send(.failure(AdminFailure(id: id, code: "stopping", message: "the daemon is stopping; the fetch was cancelled")))
        }
        if stopping && inFlight.isEmpty { finishStop() }
    }

    /// Books a finished fetch: schedule, errors, `tail` streams, waiting admin requests. On `control`.
    func finishFetch(state: SourceState, record: FetchRecord, outcome: Result<FetchOutcome, any Error>) {
        inFlight.remove(state.id)
        writing.remove(state.id)
        let waiters = fetchWaiters.removeValue(forKey: state.id) ?? []
        switch outcome {
        case .success(let written):
            if var current = schedule[state.id] {
                current.nextFetchAt = record.nextFetchAt
                if let moved = record.movedTo {
                    if written.moved {
                        logger.notice("source \(state.id) (\(state.name)) now reads \(moved) (\(record.error ?? "moved permanently"))")
                        current.url = moved
                        current.discoveryHops = record.discovered ? current.discoveryHops + 1 : 0
                    } else {
                        logger.warning("source \(state.id) (\(state.name)) moved to \(moved), which another source already reads; keeping \(state.url)")
                    }
                } else if record.status == .ok {
                    current.discoveryHops = 0
                }
                current.consecutiveErrors = record.status == .error ? current.consecutiveErrors + 1 : 0
                current.etag = record.etag ?? current.etag
                current.lastModified = record.lastModified ?? current.lastModified
                schedule[state.id] = current
            }
            if record.status == .error {
                noteError("source \(state.id) (\(state.name)): \(record.error ?? "error"); next attempt \(Timestamps.iso(record.nextFetchAt))")
            } else {
                var summary = "\(record.documents.count) item(s), \(written.newDocuments.count) new"
                if written.updated > 0 { summary += ", \(written.updated) updated" }
                if written.seenElsewhere > 0 { summary += ", \(written.seenElsewhere) already known from elsewhere" }
                logger.info("source \(state.id) (\(state.name)): \(record.status.rawValue), \(summary)")
            }
            broadcast(written.newDocuments)
            // Changed documents lost their results: the next round starts from the beginning.
            if written.updated > 0 { resetAnalysisCursor() }
            if !written.newDocuments.isEmpty || written.updated > 0 { kickAnalysis() }
            let result: JSONValue = .object([
                "source": .number(Double(state.id)), "status": .string(record.status.rawValue),
                "items": .number(Double(record.documents.count)), "new": .number(Double(written.newDocuments.count)),
                "updated": .number(Double(written.updated)), "seen_elsewhere": .number(Double(written.seenElsewhere)),
                "error": record.error.map(JSONValue.string) ?? .null,
            ])
            for (connection, id) in waiters { connection.send(.success(id: id, result: result)) }
        case .failure(let error):
            // The write failed (e.g. the source was removed meanwhile): retry later.
            if var current = schedule[state.id] {
                current.nextFetchAt = record.nextFetchAt
                schedule[state.id] = current
            }
            if let error = error as? TidingsError, error.code == "not_found" {
                logger.info("\(error.message)")  // removed by the user mid-fetch: not a fault
            } else {
                noteError("source \(state.id) (\(state.name)): could not store the fetch: \(error)")
            }
            for (connection, id) in waiters {
                connection.send(.failure(AdminFailure(id: id, code: "store_failed", message: "\(error)")))
            }
        }
        if stopping && inFlight.isEmpty { finishStop() }
        // A slot is free: start what is due now rather than at the next tick.
        startDueFetches()
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
            guard let item = try? AdminJSON.value(TailItem(document)) else { continue }
            subscriber.connection.send(.success(id: subscriber.requestID, result: item, more: true))
            subscriber.lastSent = document.id
        }
    }

    /// Picks the new feed items whose text is short and whose link is a web page: their
    /// articles are read in full (robots.txt and the private-network rule apply; links are
    /// untrusted input). Items stored before keep what was read then. On the parse queue.
    func planArticles(_ record: inout FetchRecord, policy: ArticlePolicy) -> [ArticleJob.Page] {
        guard record.status == .ok, !record.documents.isEmpty else { return [] }
        let candidates = record.documents.indices.filter { index in
            let document = record.documents[index]
            guard let url = document.url?.lowercased(), url.hasPrefix("http://") || url.hasPrefix("https://") else { return false }
            return document.text.unicodeScalars.count < policy.minLength
        }
        guard !candidates.isEmpty else { return [] }
        let keys = candidates.map { record.documents[$0].key }
        let sourceID = record.sourceID
        // Known: stored under its key, or seen from this source before and merged into another
        // document with the same text.
        let known: Set<String> = readerQueue.sync { [reader] in
            let marks = Array(repeating: "?", count: keys.count).joined(separator: ",")
            let rows = (try? reader.connection.query(
                """
                SELECT doc_key FROM documents WHERE doc_key IN (\(marks))
                UNION SELECT doc_key FROM sightings WHERE source_id = ? AND doc_key IN (\(marks))
                """, keys.map { .text($0) } + [.integer(sourceID)] + keys.map { .text($0) })) ?? []
            return Set(rows.compactMap { $0["doc_key"].string })
        }
        // Items already stored keep the article read before; their teaser must not replace it.
        for index in candidates where known.contains(record.documents[index].key) { record.documents[index].keepStoredText = true }
        let sourceHost = URL(string: policy.request.url)?.host?.lowercased()
        var refused = 0
        var pages: [ArticleJob.Page] = []
        for index in candidates.filter({ !known.contains(record.documents[$0].key) }).prefix(policy.maxPerFetch) {
            var request = policy.request
            request.url = record.documents[index].url ?? ""
            request.etag = nil
            request.lastModified = nil
            let host = URL(string: request.url)?.host?.lowercased()
            // Links to private address literals are refused here, without queueing at the host.
            if !request.allowPrivateNetworks, let host, AddressPolicy.isNonPublicLiteral(host: host) {
                refused += 1
                continue
            }
            // A source's TLS opt-out covers its own host, not every site it links to.
            if host != sourceHost { request.tlsVerify = true }
            pages.append(ArticleJob.Page(index: index, request: request, host: host))
        }
        if refused > 0 {
            let note = "\(refused) article link(s) to private addresses not followed"
            record.error = record.error.map { $0 + "; " + note } ?? note
        }
        return pages
    }

    /// Reads a feed fetch's article pages one after another, each through the same per-host
    /// gate and `host_delay` as feeds (robots.txt, when it must be fetched, goes with its page),
    /// then hands the record to the writer. Nothing blocks a thread while waiting. On `control`.
    func readNextArticle(_ job: ArticleJob) {
        guard !stopping, let page = job.pending.first else {
            job.skipped += job.pending.count
            job.pending = []
            parseQueue.async { [self] in
                job.noteOutcome()
                write(job.record, for: job.state)
            }
            return
        }
        if let host = page.host {
            var wait = 0.0
            if activeHosts[host] != nil {
                wait = 0.2
            } else if let last = lastRequest[host] {
                wait = config.fetch.hostDelay - Date().timeIntervalSince(last)
            }
            if wait > 0 {
                control.asyncAfter(deadline: .now() + max(wait, 0.01)) { [self] in readNextArticle(job) }
                return
            }
        }
        job.pending.removeFirst()
        claimHost(page.host)
        fetcher.fetchArticle(page.request) { [self] result in
            control.async { [self] in releaseHost(page.host) }
            parseQueue.async { [self] in
                job.apply(result, to: page.index)
                control.async { [self] in readNextArticle(job) }
            }
        }
    }
}

/// The article pages of one feed fetch, read one at a time. Touched by one queue at a time
/// (control, then the parse queue, then control again), never by two at once.
final class ArticleJob: @unchecked Sendable {
    struct Page: Sendable {
        var index: Int
        var request: FetchRequest
        var host: String?
    }

    let state: SourceState
    var record: FetchRecord
    var pending: [Page]
    var refused = 0
    var skipped = 0

    init(state: SourceState, record: FetchRecord, pending: [Page]) {
        self.state = state
        self.record = record
        self.pending = pending
    }

    /// Puts the article in place of the item's short text, if one was read and is longer.
    func apply(_ result: Result<FetchResponse, FetchError>, to index: Int) {
        let item = record.documents[index]
        guard case .success(let response) = result,
            let article = try? ArticleExtractor.extract(response.body, url: response.effectiveURL, headers: response.headers),
            article.text.unicodeScalars.count > item.text.unicodeScalars.count
        else {
            refused += 1
            return
        }
        var enriched = Document(
            sourceID: item.sourceID, url: item.url, guid: item.guid, title: item.title ?? article.title,
            author: item.author ?? article.author, published: item.published ?? article.published,
            language: item.language ?? article.language, text: article.text)
        enriched.enclosures = item.enclosures
        enriched.key = item.key
        record.documents[index] = enriched
    }

    /// Says in the fetch's record which pages were not read.
    func noteOutcome() {
        var notes: [String] = []
        if refused > 0 { notes.append("\(refused) article page(s) not read (robots.txt, errors or no article); their feed text is kept") }
        if skipped > 0 { notes.append("\(skipped) article page(s) not read: the daemon was stopping; their feed text is kept") }
        guard !notes.isEmpty else { return }
        let note = notes.joined(separator: "; ")
        record.error = record.error.map { $0 + "; " + note } ?? note
    }
}

/// How a feed fetch reads the article pages behind short items.
struct ArticlePolicy: Sendable {
    var request: FetchRequest
    var minLength: Int
    var maxPerFetch: Int
}

