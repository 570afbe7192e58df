import Foundation
import TidingsCore
import TidingsFetch
import TidingsParse
import TidingsSchedule
import TidingsStore

/// The reader stage: what the fetcher brought becomes what the store records (documents, or
/// the error) and what the scheduler needs to know (how the fetch went). Pure functions on
/// values, run on the parse queue; no store, no clock but `now`.
enum FetchReading {
    /// What one fetch gives the next stages.
    struct Reading: Sendable {
        /// Its `nextFetchAt` is filled in by the scheduler on `control`.
        var record: FetchRecord
        var outcome: Scheduler.Outcome
    }

    /// The settings the reader stage uses (a copy of the config's, taken when the fetch starts).
    struct Settings: Sendable {
        var maxFreshness: Double = 86_400
        /// Adaptive interval bounds, or nil when the interval is fixed.
        var adaptive: ClosedRange<Double>?
        /// Read the article page behind items with less text than this; nil: never.
        var articleMinLength: Int?
        var allowPrivateNetworks = false
    }

    /// A folder source: every readable file becomes documents (feeds by their items, pages
    /// by their article, text files as they are).
    static func readFolder(state: SourceState, startedAt: Date, result: Result<FolderListing, FetchError>, now: Date = Date()) -> Reading {
        switch result {
        case .failure(let error):
            let record = FetchRecord(
                sourceID: state.id, url: state.url, startedAt: startedAt, duration: now.timeIntervalSince(startedAt), httpStatus: nil,
                bytes: 0, status: .error, error: error.message, nextFetchAt: now, documents: [])
            return Reading(record: record, outcome: .failure())
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
            let record = FetchRecord(
                sourceID: state.id, url: state.url, startedAt: startedAt, duration: now.timeIntervalSince(startedAt), httpStatus: nil,
                bytes: listing.files.reduce(0) { $0 + $1.bytes.count }, status: .ok,
                error: warnings.isEmpty ? nil : warnings.prefix(20).joined(separator: "; "), nextFetchAt: now,
                documents: documents.filter { $0.title != nil || !$0.text.isEmpty })
            // A folder read in parts comes back for the rest at once.
            return Reading(record: record, outcome: listing.more ? .at(now.addingTimeInterval(1)) : .success())
        }
    }

    /// A feed or page fetch: documents on success, the error otherwise, and for the scheduler
    /// the interval in effect, the server's freshness hints or its Retry-After.
    static func read(
        state: SourceState, startedAt: Date, result: Result<FetchResponse, FetchError>, settings: Settings = Settings(),
        now: Date = Date()
    ) -> Reading {
        func failure(_ message: String, status: Int?, bytes: Int, duration: Double, retryAfter: Double? = nil) -> Reading {
            let record = FetchRecord(
                sourceID: state.id, url: state.url, startedAt: startedAt, duration: duration, httpStatus: status, bytes: bytes,
                status: .error, error: message, nextFetchAt: now, documents: [])
            return Reading(record: record, outcome: .failure(retryAfter: retryAfter))
        }
        switch result {
        case .failure(let error):
            var reading = failure(error.message, status: error.status, bytes: 0, duration: now.timeIntervalSince(startedAt), retryAfter: error.retryAfter)
            if let asked = error.retryAfter {
                // The server said when to come back (429/503 Retry-After): not sooner, but at
                // most a day away.
                let wait = min(max(asked, 1), FetchSchedule.maxRetryAfter)
                reading.record.error = (reading.record.error ?? "") + "; the server asked to wait \(Durations.format(wait))"
            }
            return reading
        case .success(let response):
            if response.notModified {
                let record = FetchRecord(
                    sourceID: state.id, url: state.url, startedAt: startedAt, duration: response.duration, httpStatus: 304,
                    bytes: 0, status: .notModified, error: nil, nextFetchAt: now, documents: [])
                return Reading(record: record, outcome: .success())
            }
            var freshFor = response.freshness(now: now).map { min(max($0, 0), settings.maxFreshness) }
            if state.kind == .page {
                do {
                    let document = try SourceReading.document(fromPage: response.body, url: state.url, headers: response.headers, sourceID: state.id)
                    let record = FetchRecord(
                        sourceID: state.id, url: state.url, startedAt: startedAt, duration: response.duration,
                        httpStatus: response.status, bytes: response.body.count, status: .ok, error: nil,
                        etag: response.headers["etag"], lastModified: response.headers["last-modified"], nextFetchAt: now,
                        documents: [document])
                    return Reading(record: record, outcome: .success(freshFor: freshFor))
                } catch {
                    return failure(error.message, status: response.status, bytes: response.body.count, duration: response.duration)
                }
            }
            do {
                let feed = try FeedParser.parse(response.body, url: response.effectiveURL, headers: response.headers)
                var interval: Double?
                if let adaptive = settings.adaptive {
                    let dates = feed.items.compactMap { $0.published ?? $0.updated }
                    interval = FetchSchedule.adaptiveInterval(itemDates: dates, configured: state.interval, bounds: adaptive)
                }
                if let ttl = feed.ttl { freshFor = max(freshFor ?? 0, min(max(ttl * 60, 0), settings.maxFreshness)) }
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
                    etag: response.headers["etag"], lastModified: response.headers["last-modified"], nextFetchAt: now,
                    documents: documents)
                record.movedTo = response.permanentRedirect
                if let minLength = settings.articleMinLength {
                    planArticles(&record, minLength: minLength, allowPrivateNetworks: settings.allowPrivateNetworks, sourceTLSVerify: state.tlsVerify)
                }
                return Reading(record: record, outcome: .success(interval: interval, freshFor: freshFor))
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
                    return Reading(record: record, outcome: .at(now))
                }
                return failure(
                    "cannot read the feed: \(error.message)", status: response.status, bytes: response.body.count,
                    duration: response.duration)
            }
        }
    }

    /// Marks the feed items whose text is short and whose link is a web page: a new one has
    /// its article page queued by the store (read later, under the host's politeness), and a
    /// known one keeps the text stored before (a teaser must not replace an article). Links
    /// are untrusted input: private address literals are refused here, and a source's TLS
    /// opt-out covers its own host only.
    static func planArticles(_ record: inout FetchRecord, minLength: Int, allowPrivateNetworks: Bool, sourceTLSVerify: Bool) {
        let sourceHost = URL(string: record.url)?.host?.lowercased()
        var refused = 0
        for index in record.documents.indices {
            let document = record.documents[index]
            guard let link = document.url, document.text.unicodeScalars.count < minLength else { continue }
            let lowered = link.lowercased()
            guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else { continue }
            record.documents[index].keepStoredText = true
            let host = URL(string: link)?.host?.lowercased()
            if !allowPrivateNetworks, let host, AddressPolicy.isNonPublicLiteral(host: host) {
                refused += 1
                continue
            }
            record.documents[index].article = ArticleLink(url: link, host: host, tlsVerify: host == sourceHost ? sourceTLSVerify : true)
        }
        if refused > 0 {
            let note = "\(refused) article link(s) to private addresses not followed"
            record.error = record.error.map { $0 + "; " + note } ?? note
        }
    }

    /// An article page's text, if the page gave one.
    static func article(from result: Result<FetchResponse, FetchError>) -> Result<ArticleContent, ArticleFailure> {
        switch result {
        case .failure(let error):
            // Worth another try: the network, the server's own trouble, or "too many requests".
            let transient = error.status == nil || error.status == 429 || (error.status ?? 0) >= 500
            return .failure(ArticleFailure(message: error.message, transient: transient && !error.message.hasPrefix("robots.txt")))
        case .success(let response):
            guard let article = try? ArticleExtractor.extract(response.body, url: response.effectiveURL, headers: response.headers),
                !article.text.isEmpty
            else { return .failure(ArticleFailure(message: "no article found on the page", transient: false)) }
            return .success(
                ArticleContent(
                    title: article.title, author: article.author, published: article.published, language: article.language,
                    text: article.text))
        }
    }

    struct ArticleFailure: Error, Sendable {
        var message: String
        /// A later try may succeed.
        var transient: Bool
    }
}
