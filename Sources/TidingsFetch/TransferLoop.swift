import CCurl
import Foundation

/// One curl multi handle driven by its own thread: transfers run concurrently, share one
/// connection cache (HTTP/2 multiplexing, keep-alive), and finish in any order. Submissions
/// cross into the thread through a small locked inbox and a `curl_multi_wakeup`; the multi
/// handle and the easy handles are touched by the loop's thread only.
final class TransferLoop: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var inbox: [Transfer] = []  // guarded by `lock`
    private var stopped = false  // guarded by `lock`
    private var running: [UnsafeMutableRawPointer: Transfer] = [:]  // loop thread only
    private let cancelled: CancelFlag

    /// Most idle connections kept open (one per host polled again and again).
    static let maxIdleConnections = 512

    init(cancelled: CancelFlag, index: Int = 0) {
        // The daemon refuses to start without libcurl (Fetcher.libraryError), so this holds.
        guard Fetcher.libraryError == nil, let handle = tidings_curl_multi_init() else {
            fatalError("libcurl could not create a multi handle: \(Fetcher.libraryError ?? "out of memory")")
        }
        multi = handle
        // Idle connections kept for reuse. libcurl's default is four per transfer running at
        // the moment, so a lull closed the connections that the next burst opened again
        // (6% of polls paid a new TCP connection on both ends).
        tidings_curl_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, TransferLoop.maxIdleConnections)
        self.cancelled = cancelled
        let thread = Thread { [self] in run() }
        thread.name = "tidings.fetch.\(index)"
        thread.start()
    }

    /// Hands a transfer to the loop.
    /// (The wakeups happen under the lock: the loop frees the multi handle only after it has
    /// taken the lock and seen `stopped`, so no wakeup can reach a freed handle.)
    func submit(_ transfer: Transfer) {
        let accepted = lock.withLock { () -> Bool in
            guard !stopped else { return false }
            // A non-empty inbox has its wakeup on the way already (the loop empties the
            // inbox whole): one wakeup for a burst of submissions.
            if inbox.isEmpty { tidings_curl_multi_wakeup(multi) }
            inbox.append(transfer)
            return true
        }
        if !accepted { transfer.completion(.failure(FetchError("cancelled: the fetcher was shut down", cancelled: true))) }
    }

    /// Wakes the loop so that it notices a cancellation at once.
    func wake() {
        lock.withLock { if !stopped { tidings_curl_multi_wakeup(multi) } }
    }

    /// Ends the loop: running transfers are dropped with a cancellation, the handles freed.
    func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            tidings_curl_multi_wakeup(multi)
        }
    }

    private func run() {
        while true {
            let (incoming, stop) = lock.withLock { () -> ([Transfer], Bool) in
                defer { inbox.removeAll() }
                return (inbox, stopped)
            }
            if stop {
                for transfer in incoming + Array(running.values) {
                    tidings_curl_multi_remove_handle(multi, transfer.handle)
                    transfer.completion(.failure(FetchError("cancelled: the fetcher was shut down", cancelled: true)))
                }
                running.removeAll()
                tidings_curl_multi_cleanup(multi)
                return
            }
            for transfer in incoming {
                if cancelled.isSet {
                    transfer.completion(.failure(FetchError("cancelled: the daemon is stopping", cancelled: true)))
                    continue
                }
                let added = tidings_curl_multi_add_handle(multi, transfer.handle)
                guard added == CURLM_OK else {
                    transfer.completion(.failure(FetchError("libcurl could not start the transfer (multi error \(added.rawValue))")))
                    continue
                }
                running[transfer.handle] = transfer
            }
            var active: Int32 = 0
            tidings_curl_multi_perform(multi, &active)
            var left: Int32 = 0
            var delivered: [ObjectIdentifier: (queue: DispatchQueue, calls: [@Sendable () -> Void])] = [:]
            while let message = tidings_curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                    let transfer = running.removeValue(forKey: easy)
                else { continue }
                let code = message.pointee.data.result
                tidings_curl_multi_remove_handle(multi, easy)
                let result = transfer.result(code: code)
                if let queue = transfer.deliveryQueue {
                    let completion = transfer.completion
                    delivered[ObjectIdentifier(queue), default: (queue, [])].calls.append { completion(result) }
                } else {
                    transfer.completion(result)
                }
            }
            // One block per queue for all the transfers that ended in this round.
            for (queue, calls) in delivered.values {
                queue.async { for call in calls { call() } }
            }
            // Sleeps until a socket is ready, a timeout is due, or `wakeup` (1 s at most).
            tidings_curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}
