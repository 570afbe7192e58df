import Dispatch
import Foundation
import TidingsCore
import TidingsFetch
import TidingsSchedule
import TidingsStore

/// Article pages: a durable queue in the store (`article_queue`), read in windows into the
/// scheduler, where they share the per-host gate with the feeds. A page read replaces its
/// item's teaser; a page that fails is tried again with backoff, and given up after
/// `articleAttempts` tries or at once when a retry cannot help (robots.txt, no article).
extension Daemon {
    /// Most pages held in memory (and in the scheduler) at once; the rest wait in the store.
    static let pageWindow = 2000

    /// Reads the next window of pending pages from the store, unless a read is under way or
    /// the store has no more. On `control`; the read runs on the reader queue.
    func loadPages() {
        guard !pageLoadBusy, !pagesExhausted, !stopping else { return }
        pageLoadBusy = true
        let after = pageCursor
        let limit = Daemon.pageWindow - pages.count
        readerQueue.async { [self] in
            let loaded = Result { try reader.value.queries.pendingArticles(after: after, limit: limit) }
            control.async { [self] in
                pageLoadBusy = false
                switch loaded {
                case .failure(let error):
                    noteError("article queue: cannot read it: \(error)")
                case .success(let rows):
                    pagesExhausted = rows.count < limit
                    for page in rows where pages[page.id] == nil {
                        pages[page.id] = page
                        scheduler.add(.page(page.id), host: page.host, due: page.nextAttemptAt)
                    }
                    if let last = rows.last { pageCursor = max(pageCursor, last.id) }
                    if !rows.isEmpty { pump() }
                }
            }
        }
    }

    /// Fetches one article page (robots.txt first, through the fetcher). On `control`.
    func startArticle(_ page: PendingArticle) {
        let work = Work.page(page.id)
        logger.debug("reading article page \(page.id) of document \(page.documentID): \(page.url)")
        fetcher.fetchArticle(request(url: page.url, tlsVerify: page.tlsVerify), on: control) { [self] result in
            if case .failure(let error) = result, error.cancelled {
                abandon(work)
                return
            }
            let now = Date()
            scheduler.transferEnded(work, now: now)
            let size = beginReading((try? result.get())?.body.count ?? 0)
            pump()
            parseQueue.async { [self] in
                let article = FetchReading.article(from: result)
                control.async { [self] in
                    endReading(size)
                    finishArticle(page, article)
                }
            }
        }
    }

    /// Stores what the page gave, or the failure, and frees the slot. On `control`.
    func finishArticle(_ page: PendingArticle, _ article: Result<ArticleContent, FetchReading.ArticleFailure>) {
        let now = Date()
        let work = Work.page(page.id)
        switch article {
        case .success(let content):
            store.transact({ db in try db.finishArticle(id: page.id, content: content, now: now) }) { [self] outcome in
                control.async { [self] in
                    switch outcome {
                    case .success(let done):
                        activity.articlesRead += 1
                        pages[page.id] = nil
                        if let done { analysisMayRevisit(done.documentID) }
                    case .failure(let error):
                        // Kept in the store: read again after a restart.
                        noteError("article page \(page.id) (\(page.url)): could not store it: \(error)")
                        pages[page.id] = nil
                    }
                    scheduler.release(work, now: Date())
                    afterPage()
                }
            }
        case .failure(let failure):
            let attempts = page.attempts + 1
            let giveUp = !failure.transient || attempts >= config.fetch.articleAttempts
            let next = FetchSchedule.afterError(now: now, interval: 3600, consecutiveErrors: attempts, random: .random(in: 0..<1))
            store.transact({ db -> Int64? in
                if giveUp { return try db.failArticle(id: page.id, error: failure.message) }
                try db.retryArticle(id: page.id, error: failure.message, next: next)
                return nil
            }) { [self] outcome in
                control.async { [self] in
                    scheduler.release(work, now: Date())
                    switch outcome {
                    case .success(let documentID):
                        if giveUp {
                            activity.articlesFailed += 1
                            pages[page.id] = nil
                            logger.debug("article page \(page.id) given up after \(attempts) attempt(s): \(failure.message)")
                            // Its document goes to analysis with the feed's text.
                            if let documentID { analysisMayRevisit(documentID) }
                        } else {
                            var retry = page
                            retry.attempts = attempts
                            retry.nextAttemptAt = next
                            pages[page.id] = retry
                            scheduler.add(work, host: page.host, due: next)
                        }
                    case .failure(let error):
                        noteError("article page \(page.id) (\(page.url)): could not record the failure: \(error)")
                        pages[page.id] = nil
                    }
                    afterPage()
                }
            }
        }
    }

    private func afterPage() {
        if stopping && scheduler.runningCount == 0 { finishStop() }
        pump()
    }

    /// A document waited for its page (or its text changed): analysis looks at it again.
    /// The epoch moves on even when the cursor is behind the document: a round under way
    /// (which read before this document was ready) must not move the cursor past it.
    func analysisMayRevisit(_ documentID: Int64) {
        analysisCursor = min(analysisCursor, documentID - 1)
        analysisEpoch += 1
        kickAnalysis()
    }
}
