import Foundation

/// What the daemon fetches: a source (polled again and again) or an article page behind a
/// feed item (fetched once, retried by the daemon after a failure).
public enum Work: Hashable, Sendable, CustomStringConvertible {
    case source(Int64)
    case page(Int64)

    public var description: String {
        switch self {
        case .source(let id): "source \(id)"
        case .page(let id): "article page \(id)"
        }
    }
}

/// When and in what order fetches start: a value-type state machine on a clock that the
/// caller passes in (`now`), so that every rule is tested without a daemon or real time.
///
/// - Due times sit in a min-heap; an event costs O(log n) and nothing scans every source.
/// - Work that is due waits in its host's queue (earliest due first). A host is *ready* when
///   nothing of it is running and its `hostDelay` since the last request has passed; ready
///   hosts go in the order of their earliest due work (a heap), and a host waiting out its
///   delay sits in a third heap until then.
/// - At most `maxConcurrent` requests are under way at once: a slot is held from the start
///   until ``transferEnded`` (the host is free again then too). At most `maxPending` pieces
///   of work are started and not yet released, that is not yet stored: that bounds
///   everything between the fetcher and the writer (back-pressure) without letting a slow
///   write hold a network slot.
/// - Work without a host (local folders) waits in its own FIFO and is bounded by the slots only.
///
/// Removed or rescheduled entries leave stale heap items behind; each item carries the
/// entry's generation and is dropped when popped if it no longer matches (lazy deletion).
public struct Scheduler: Sendable {
    public struct Policy: Sendable, Equatable {
        /// Most requests under way (between start and the end of the transfer).
        public var maxConcurrent: Int
        /// Seconds between the end of one request to a host and the start of the next.
        public var hostDelay: Double
        /// Most pieces of work between start and release (read, waiting to be stored).
        public var maxPending: Int

        public init(maxConcurrent: Int, hostDelay: Double, maxPending: Int? = nil) {
            self.maxConcurrent = max(1, maxConcurrent)
            self.hostDelay = max(0, hostDelay)
            self.maxPending = max(self.maxConcurrent, maxPending ?? 4 * self.maxConcurrent)
        }
    }

    /// How a source's fetch ended, as the reader saw it; ``complete(_:_:now:)`` turns it into
    /// the next due time with the rules of ``FetchSchedule``.
    public enum Outcome: Sendable, Equatable {
        /// Read (or not modified). `interval` is the interval in effect (adaptive or the
        /// source's own); `freshFor` is how long the server said its answer stays fresh
        /// (Cache-Control, Expires, RSS ttl), already capped by the caller.
        case success(interval: Double? = nil, freshFor: Double? = nil)
        /// Failed: exponential backoff with jitter; `retryAfter` is the server's Retry-After.
        case failure(retryAfter: Double? = nil)
        /// Come back at this time exactly (a folder read in parts, a feed found on a page).
        case at(Date)
        /// Cut off by a shutdown: due again at once, nothing counted.
        case cancelled
    }

    enum Phase: UInt8, Sendable {
        /// In the due heap, waiting for its time.
        case scheduled
        /// Due, waiting in its host's queue (or the host-less queue).
        case waiting
        /// Started; holds a slot until released.
        case running
        /// Disabled, or a page that has run: in no queue.
        case idle
    }

    /// One per source: the fields are ordered widest first, which makes it 32 bytes, not 40.
    struct Entry: Sendable {
        var interval: Double
        var due: Double
        var host: Int32
        var generation: UInt32 = 0
        var consecutiveErrors: Int32 = 0
        var phase: Phase = .idle
        var enabled = true
        /// A fetch was asked for while it ran: due again as soon as it is released.
        var again = false

        init(host: Int32, interval: Double, due: Double) {
            self.interval = interval
            self.due = due
            self.host = host
        }
    }

    struct HostState: Sendable {
        var name: String
        var active: Int32 = 0
        var readyAt: Double = -.infinity
        /// In `readyHosts`, or in `hostTimers` for its `readyAt`.
        var queued = false
        var waiting = Heap<Waiting>()
    }

    /// An entry's due time in the due heap (ties in the order they were pushed).
    struct Timed: Comparable, Sendable {
        var time: Double
        var sequence: UInt64
        var work: Work
        var generation: UInt32
        static func < (a: Timed, b: Timed) -> Bool { a.time < b.time || (a.time == b.time && a.sequence < b.sequence) }
        static func == (a: Timed, b: Timed) -> Bool { a.sequence == b.sequence }
    }

    /// Due work in a host's queue: earliest due first.
    struct Waiting: Comparable, Sendable {
        var due: Double
        var sequence: UInt64
        var work: Work
        var generation: UInt32
        static func < (a: Waiting, b: Waiting) -> Bool { a.due < b.due || (a.due == b.due && a.sequence < b.sequence) }
        static func == (a: Waiting, b: Waiting) -> Bool { a.sequence == b.sequence }
    }

    /// A host that may be asked now, keyed by its earliest due work: across hosts, what has
    /// waited longest goes first.
    struct ReadyHost: Comparable, Sendable {
        var due: Double
        var sequence: UInt64
        var host: Int32
        static func < (a: ReadyHost, b: ReadyHost) -> Bool { a.due < b.due || (a.due == b.due && a.sequence < b.sequence) }
        static func == (a: ReadyHost, b: ReadyHost) -> Bool { a.sequence == b.sequence }
    }

    /// A host waiting out its delay.
    struct HostTimer: Comparable, Sendable {
        var time: Double
        var host: Int32
        static func < (a: HostTimer, b: HostTimer) -> Bool { a.time < b.time || (a.time == b.time && a.host < b.host) }
    }

    public private(set) var policy: Policy
    public var paused = false
    private var entries = WorkTable<Entry>()
    private var due = Heap<Timed>()
    private var hosts: [HostState] = []
    private var hostIndex: [String: Int32] = [:]
    private var readyHosts = Heap<ReadyHost>()
    private var hostTimers = Heap<HostTimer>()
    private var hostless = Queue<Waiting>()
    private var running: Set<Work> = []
    /// The running work whose request is still under way (each holds a slot), with the host it
    /// counts against (its index, -1 for none): the one it started on, though the source may
    /// have moved since.
    private var transferring: [Work: Int32] = [:]
    private var sequence: UInt64 = 0
    private var random: SplitMix64
    /// Sources and pages due and waiting for a host or a slot.
    public private(set) var waitingSources = 0
    public private(set) var waitingPages = 0

    public init(policy: Policy, seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        self.policy = policy
        random = SplitMix64(seed: seed)
    }

    // MARK: - What is known

    /// Sources known (enabled or not).
    public private(set) var sourceCount = 0
    /// Article pages known (waiting or running).
    public var pageCount: Int { entries.count - sourceCount }
    /// Work started and not yet released.
    public var runningCount: Int { running.count }
    /// Requests under way.
    public var transferCount: Int { transferring.count }

    public func isRunning(_ work: Work) -> Bool { running.contains(work) }
    public func contains(_ work: Work) -> Bool { entries[work] != nil }

    /// When the entry is due next (nil when unknown, disabled or running).
    public func dueTime(_ work: Work) -> Date? {
        guard let entry = entries[work], entry.enabled, entry.phase == .scheduled || entry.phase == .waiting else { return nil }
        return Date(timeIntervalSince1970: entry.due)
    }

    public func consecutiveErrors(_ work: Work) -> Int { Int(entries[work]?.consecutiveErrors ?? 0) }

    /// The earliest time at which ``nextStarts(now:)`` may have something new to start: the
    /// first due time or the first host coming out of its delay. Nil when nothing waits on
    /// the clock.
    public var nextWakeup: Date? {
        var earliest = Double.infinity
        if let top = due.top { earliest = top.time }
        if let top = hostTimers.top { earliest = min(earliest, top.time) }
        return earliest.isFinite ? Date(timeIntervalSince1970: earliest) : nil
    }

    // MARK: - Changes

    /// New limits (a reload): they apply to the next starts and the next host delays.
    public mutating func setPolicy(_ policy: Policy) { self.policy = policy }

    /// Makes room for `adding` more sources, before a bulk add.
    public mutating func reserveSources(adding: Int) {
        due.reserveCapacity(due.count + adding)
    }

    /// Adds a source or page (or replaces what is known of it), due at `due`.
    public mutating func add(_ work: Work, host: String?, interval: Double = 0, due: Date, enabled: Bool = true, consecutiveErrors: Int = 0) {
        let hostID = host.map { internHost($0) } ?? -1
        var entry = entries[work] ?? Entry(host: hostID, interval: interval, due: due.timeIntervalSince1970)
        if entries[work] == nil, case .source = work { sourceCount += 1 }
        let wasRunning = entry.phase == .running
        if entry.phase == .waiting { leaveWaiting(work) }
        entry.host = hostID
        entry.interval = interval
        entry.due = due.timeIntervalSince1970
        entry.enabled = enabled
        entry.consecutiveErrors = Int32(clamping: consecutiveErrors)
        entry.generation &+= 1
        if wasRunning {
            entry.phase = .running  // scheduled again when released
        } else if enabled {
            entry.phase = .scheduled
            pushDue(work, entry)
        } else {
            entry.phase = .idle
        }
        entries[work] = entry
    }

    /// Changes a source's address (its host) or interval; its due time stays.
    public mutating func update(_ work: Work, host: String?, interval: Double) {
        guard var entry = entries[work] else { return }
        let hostID = host.map { internHost($0) } ?? -1
        entry.interval = interval
        if hostID != entry.host {
            if entry.phase == .waiting {
                // Re-queued at the new host with its due time.
                leaveWaiting(work)
                entry.host = hostID
                entry.generation &+= 1
                entry.phase = .scheduled
                pushDue(work, entry)
            } else {
                entry.host = hostID
            }
        }
        entries[work] = entry
    }

    /// Forgets a source or page. If it is running, its slot stays taken until released.
    public mutating func remove(_ work: Work) {
        guard let entry = entries.removeValue(forKey: work) else { return }
        if case .source = work { sourceCount -= 1 }
        if entry.phase == .waiting { leaveWaiting(work) }
    }

    public mutating func setEnabled(_ work: Work, _ enabled: Bool, now: Date) {
        guard var entry = entries[work], entry.enabled != enabled else { return }
        entry.enabled = enabled
        entry.generation &+= 1
        if entry.phase == .waiting { leaveWaiting(work) }
        if entry.phase != .running {
            if enabled {
                entry.due = now.timeIntervalSince1970
                entry.phase = .scheduled
                pushDue(work, entry)
            } else {
                entry.phase = .idle
            }
        }
        entries[work] = entry
    }

    /// Moves an entry's due time (to now for "fetch soon"); a running one comes back right
    /// after it is released.
    public mutating func reschedule(_ work: Work, at time: Date) {
        guard var entry = entries[work], entry.enabled else { return }
        if entry.phase == .running {
            entry.again = true
            entries[work] = entry
            return
        }
        if entry.phase == .waiting { leaveWaiting(work) }
        entry.generation &+= 1
        entry.due = time.timeIntervalSince1970
        entry.phase = .scheduled
        pushDue(work, entry)
        entries[work] = entry
    }

    // MARK: - Running

    /// Moves what is due into its host's queue, then starts work while slots are free: one
    /// request at a time per host, `hostDelay` apart, hosts taking turns. Nothing starts
    /// while paused. Costs O(log n) per entry that moves.
    public mutating func nextStarts(now date: Date) -> [Work] {
        let now = date.timeIntervalSince1970
        while let top = due.top, top.time <= now {
            due.pop()
            guard var entry = entries[top.work], entry.generation == top.generation, entry.phase == .scheduled else { continue }
            entry.phase = .waiting
            entries[top.work] = entry
            let item = Waiting(due: entry.due, sequence: nextSequence(), work: top.work, generation: entry.generation)
            if case .source = top.work { waitingSources += 1 } else { waitingPages += 1 }
            if entry.host < 0 {
                hostless.append(item)
            } else {
                hosts[Int(entry.host)].waiting.push(item)
                offer(host: entry.host, now: now)
            }
        }
        while let top = hostTimers.top, top.time <= now {
            hostTimers.pop()
            hosts[Int(top.host)].queued = false
            offer(host: top.host, now: now)
        }
        guard !paused else { return [] }
        var started: [Work] = []
        var preferHostless = false
        while transferring.count < policy.maxConcurrent && running.count < policy.maxPending {
            if (preferHostless || readyHosts.isEmpty), let item = hostless.popFirst() {
                if let entry = current(item) {
                    begin(item.work, entry, now: now)
                    started.append(item.work)
                }
                preferHostless = false
                continue
            }
            guard let hostID = readyHosts.pop()?.host else { break }
            preferHostless = true
            hosts[Int(hostID)].queued = false
            guard hosts[Int(hostID)].active == 0 else { continue }
            while let item = hosts[Int(hostID)].waiting.pop() {
                guard let entry = current(item) else { continue }
                begin(item.work, entry, now: now)
                started.append(item.work)
                break
            }
        }
        return started
    }

    /// Starts `work` now, whatever the pause, the slots and the host's turn (an admin's
    /// "fetch now"). False when it is already running (it then runs again after release)
    /// or unknown.
    public mutating func startNow(_ work: Work, now date: Date) -> Bool {
        guard var entry = entries[work] else { return false }
        if entry.phase == .running {
            entry.again = true
            entries[work] = entry
            return false
        }
        begin(work, entry, now: date.timeIntervalSince1970)
        return true
    }

    /// The request of `work` is over: its slot is free, and its host may be asked again after
    /// `hostDelay`. The work counts against `maxPending` until ``release(_:now:)``.
    public mutating func transferEnded(_ work: Work, now date: Date) {
        guard let hostID = transferring.removeValue(forKey: work), hostID >= 0 else { return }
        let index = Int(hostID)
        hosts[index].active = max(0, hosts[index].active - 1)
        hosts[index].readyAt = date.timeIntervalSince1970 + policy.hostDelay
        offer(host: hostID, now: date.timeIntervalSince1970)
    }

    /// Decides when a source is due again after `outcome`, and keeps its error count.
    /// Returns the time, which the caller stores with the fetch. The entry is scheduled
    /// when released.
    public mutating func complete(_ work: Work, _ outcome: Outcome, now date: Date) -> Date {
        let now = date.timeIntervalSince1970
        guard var entry = entries[work] else { return date }
        let interval = entry.interval
        var next: Double
        switch outcome {
        case .success(let effective, let freshFor):
            entry.consecutiveErrors = 0
            next = FetchSchedule.afterSuccess(now: date, interval: effective ?? interval, random: random.unit()).timeIntervalSince1970
            if let freshFor { next = max(next, now + max(0, freshFor)) }
        case .failure(let retryAfter):
            entry.consecutiveErrors &+= 1
            next = FetchSchedule.afterError(
                now: date, interval: interval, consecutiveErrors: Int(entry.consecutiveErrors), random: random.unit()
            ).timeIntervalSince1970
            if let retryAfter { next = max(next, now + min(max(retryAfter, 0), FetchSchedule.maxRetryAfter)) }
        case .at(let time):
            next = time.timeIntervalSince1970
        case .cancelled:
            next = now
        }
        entry.due = next
        entries[work] = entry
        return Date(timeIntervalSince1970: next)
    }

    /// Frees the slot of `work` (its result is stored, or it was dropped). A source is
    /// scheduled at the time ``complete(_:_:now:)`` gave (or at once if a fetch was asked for
    /// meanwhile); a page is forgotten, and the caller adds it again to retry it.
    public mutating func release(_ work: Work, now date: Date) {
        guard running.remove(work) != nil else { return }
        // Released without a word on its transfer (local work, or dropped): the slot and the
        // host go too.
        transferEnded(work, now: date)
        guard var entry = entries[work], entry.phase == .running else { return }
        if case .page = work {
            remove(work)
            return
        }
        entry.generation &+= 1
        if entry.again {
            entry.again = false
            entry.due = min(entry.due, date.timeIntervalSince1970)
        }
        if entry.enabled {
            entry.phase = .scheduled
            pushDue(work, entry)
        } else {
            entry.phase = .idle
        }
        entries[work] = entry
    }

    // MARK: - Inside

    private mutating func internHost(_ name: String) -> Int32 {
        if let id = hostIndex[name] { return id }
        let id = Int32(hosts.count)
        hosts.append(HostState(name: name))
        hostIndex[name] = id
        return id
    }

    private mutating func pushDue(_ work: Work, _ entry: Entry) {
        sequence &+= 1
        due.push(Timed(time: entry.due, sequence: sequence, work: work, generation: entry.generation))
    }

    private mutating func nextSequence() -> UInt64 {
        sequence &+= 1
        return sequence
    }

    /// Puts a host with waiting work in line: ready now, or when its delay is over.
    private mutating func offer(host hostID: Int32, now: Double) {
        let index = Int(hostID)
        guard !hosts[index].queued, hosts[index].active == 0, !hosts[index].waiting.isEmpty else { return }
        hosts[index].queued = true
        if hosts[index].readyAt <= now {
            let sequence = nextSequence()
            readyHosts.push(ReadyHost(due: hosts[index].waiting.top?.due ?? now, sequence: sequence, host: hostID))
        } else {
            hostTimers.push(HostTimer(time: hosts[index].readyAt, host: hostID))
        }
    }

    /// The entry a queued item stands for, unless it was removed, rescheduled or started
    /// since (lazy deletion: such an item is skipped).
    private func current(_ item: Waiting) -> Entry? {
        guard let entry = entries[item.work], entry.generation == item.generation, entry.phase == .waiting else { return nil }
        return entry
    }

    /// `work` starts: it leaves its queue (its item there, if any, goes stale), holds a slot,
    /// and its host is busy.
    private mutating func begin(_ work: Work, _ entry: Entry, now: Double) {
        var entry = entry
        if entry.phase == .waiting { leaveWaiting(work) }
        entry.generation &+= 1
        entry.phase = .running
        entries[work] = entry
        running.insert(work)
        transferring[work] = entry.host
        if entry.host >= 0 {
            hosts[Int(entry.host)].active += 1
            hosts[Int(entry.host)].readyAt = now
        }
    }

    /// An entry leaves a waiting queue (its stale item is skipped when reached).
    private mutating func leaveWaiting(_ work: Work) {
        if case .source = work { waitingSources -= 1 } else { waitingPages -= 1 }
    }
}

/// A FIFO with amortised O(1) operations.
struct Queue<Element: Sendable>: Sendable {
    private var items: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }

    mutating func append(_ element: Element) { items.append(element) }

    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        let element = items[head]
        head += 1
        if head >= 1024 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return element
    }
}

/// A small, fast, seedable generator for jitter (tests seed it; the daemon seeds it at random).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<1.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Per-work values: sources in an `IDTable` (their ids are dense rowids; a dictionary took
/// 2.6× the memory at 100,000 sources), article pages in a dictionary (a window of them).
struct WorkTable<Value: Sendable>: Sendable {
    private var sources = IDTable<Value>()
    private var pages: [Int64: Value] = [:]

    var count: Int { sources.count + pages.count }

    subscript(work: Work) -> Value? {
        get {
            switch work {
            case .source(let id): sources[id]
            case .page(let id): pages[id]
            }
        }
        _modify {
            switch work {
            case .source(let id): yield &sources[id]
            case .page(let id): yield &pages[id]
            }
        }
    }

    @discardableResult
    mutating func removeValue(forKey work: Work) -> Value? {
        switch work {
        case .source(let id): sources.removeValue(forKey: id)
        case .page(let id): pages.removeValue(forKey: id)
        }
    }
}
