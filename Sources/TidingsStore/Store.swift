import CSQLite
import Dispatch
import Foundation
import Synchronization
import TidingsCore

/// The only owner of the database's write connection. Writes are jobs submitted to one serial
/// writer queue; jobs that arrive while a transaction is being prepared are batched into the
/// same transaction (each inside its own savepoint, so one failing job rolls back alone).
/// Reads go through ``StoreReader`` connections and never block the writer (WAL).
public final class Store: Sendable {
    private let queue: DispatchQueue
    /// The writer's connection and the jobs waiting for it, on `queue` only (checked).
    private let writer: QueueConfined<WriterState>
    private var connection: SQLiteConnection? { get { writer.value.connection } _modify { yield &writer.value.connection } }
    private var pending: [PendingJob] { get { writer.value.pending } _modify { yield &writer.value.pending } }
    private var flushScheduled: Bool { get { writer.value.flushScheduled } _modify { yield &writer.value.flushScheduled } }
    /// Most jobs folded into one transaction.
    public let maxBatch: Int
    /// How long the first job of a transaction waits for others to join it (group commit).
    /// Each commit writes every page it touched to the WAL; at thousands of fetches a second,
    /// one commit per few jobs wrote most of the same pages again and again.
    public let commitWindow: Double

    public let path: String

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String, maxBatch: Int = 256, commitWindow: Double = 0) throws {
        self.path = path
        self.maxBatch = maxBatch
        self.commitWindow = commitWindow
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let db = try SQLiteConnection(path: path)
        try Store.configure(db)
        try Store.migrate(db)
        schemaVersion = Int(try db.scalar("PRAGMA user_version")?.int ?? 0)
        let queue = DispatchQueue(label: "tidings.store.writer")
        self.queue = queue
        writer = QueueConfined(WriterState(connection: db), on: queue)
    }

    /// WAL with synchronous=NORMAL (Debian's default is FULL): a crash of the process never
    /// loses a commit and never corrupts the file; only power loss can lose the last commits.
    static func configure(_ db: SQLiteConnection) throws {
        let mode = try db.scalar("PRAGMA journal_mode=WAL")?.string
        guard mode?.lowercased() == "wal" else {
            throw TidingsError.internalError("could not switch \(db.path) to WAL mode (got \(mode ?? "nothing"))")
        }
        try db.execute("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;")
        // Checkpoint every 4,000 pages (16 MB of WAL) instead of 1,000: pages written again and
        // again (a source's row, the fetch log's last leaf) reach the database file once per
        // checkpoint, and each checkpoint syncs.
        try db.execute("PRAGMA wal_autocheckpoint=4000;")
        // 4 MB of page cache for the writer (SQLite's default is 2 MB): the sources table and
        // the fetch log's index at 10,000 sources did not fit in 2, and each miss was a pread.
        // 8 MB polled 4% faster at 10,000 sources (11,655 against 11,183 polls/s, three runs
        // each, alternated), but the cache is always full, and those 4 MB were what kept a
        // daemon with 100,000 sources above 100 MB.
        try db.execute("PRAGMA cache_size=-4096;")
        // Each job runs in a savepoint, and SQLite keeps a savepoint's original pages in a
        // statement journal, which past 64 KB spilled to a file in /var/tmp: 211 MB of writes
        // for the 181 documents of the end-to-end benchmark (FTS5 flushes its terms at every
        // savepoint), a third of the daemon's CPU in the kernel. In memory, the journal is
        // at most the pages one transaction touches.
        try db.execute("PRAGMA temp_store=MEMORY;")
        // Keep the -wal and -shm files after close, so that read-only readers (tidingsctl
        // search as a member of the tidings group) can open the database while the daemon is
        // stopped; they cannot create those files in a directory they may not write.
        var persist: Int32 = 1
        sqlite3_file_control(db.handle, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
    }

    /// Applies the numbered migrations the database lacks, each in its own transaction.
    /// A database from a newer tidingsd is refused rather than misread.
    static func migrate(_ db: SQLiteConnection) throws {
        let current = Int(try db.scalar("PRAGMA user_version")?.int ?? 0)
        guard current <= Migrations.latest else {
            throw TidingsError(
                "schema_too_new",
                "\(db.path) has schema version \(current), but this tidingsd knows only up to \(Migrations.latest); use a newer tidingsd"
            )
        }
        for migration in Migrations.all where migration.version > current {
            try db.transaction {
                try db.execute(migration.sql)
                try db.execute("PRAGMA user_version=\(migration.version)")
            }
        }
    }

    /// The schema version of the open database (fixed once migrated; read without the writer).
    public let schemaVersion: Int

    /// Submits a write job. It runs in a batched transaction on the writer queue; `completion`
    /// is called on the writer queue after the commit (or with the job's error).
    ///
    /// With `target`, the completion runs on that queue instead, in one block with the other
    /// jobs of the same transaction that asked for it (one wake-up for a batch).
    public func write<T: Sendable>(
        _ job: @escaping @Sendable (SQLiteConnection) throws -> T, on target: DispatchQueue? = nil,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        queue.async {
            guard self.connection != nil else {
                let failure: Result<T, any Error> = .failure(TidingsError.internalError("store is closed"))
                if let target { target.async { completion(failure) } } else { completion(failure) }
                return
            }
            self.pending.append(PendingJob(job: job, target: target, completion: completion))
            if !self.flushScheduled {
                self.flushScheduled = true
                if self.commitWindow > 0 {
                    self.queue.asyncAfter(deadline: .now() + self.commitWindow) { self.flush() }
                } else {
                    self.queue.async { self.flush() }
                }
            } else if self.pending.count == self.maxBatch {
                self.queue.async { self.flush() }  // a full batch need not wait for the window
            }
        }
    }

    /// Runs a write job on its own and waits for it. For admin requests, which are rare.
    public func writeSync<T: Sendable>(_ job: @escaping @Sendable (SQLiteConnection) throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        write(job) { result in
            box.result = result
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    private func flush() {
        flushScheduled = false
        guard let db = connection, !pending.isEmpty else { return }
        let count = min(pending.count, maxBatch)
        let jobs = pending.prefix(count)
        pending.removeFirst(count)
        var commitError: (any Error)?
        var ran = 0
        do {
            try db.execute("BEGIN IMMEDIATE")
            for job in jobs {
                job.run(db)
                ran += 1
                if db.isAutocommit {
                    // SQLite rolled back the whole transaction: every job run so far is lost,
                    // and none may be reported as written. The rest run in a later batch.
                    throw SQLiteError(code: SQLITE_ABORT, message: "the transaction was rolled back: \(db.lastMessage)", sql: nil)
                }
            }
            try db.execute("COMMIT")
        } catch {
            if !db.isAutocommit { try? db.execute("ROLLBACK") }
            commitError = error
        }
        let notRun = jobs.dropFirst(ran)
        if commitError != nil && ran > 0 && !notRun.isEmpty { pending.insert(contentsOf: notRun, at: 0) }
        var delivered: [ObjectIdentifier: (queue: DispatchQueue, calls: [@Sendable () -> Void])] = [:]
        for job in jobs.prefix(commitError != nil && ran > 0 ? ran : jobs.count) {
            let finish = job.finish(commitError)
            if let target = job.target {
                delivered[ObjectIdentifier(target), default: (target, [])].calls.append(finish)
            } else {
                finish()
            }
        }
        for (target, calls) in delivered.values { target.async { for call in calls { call() } } }
        if !pending.isEmpty && !flushScheduled {
            flushScheduled = true
            queue.async { self.flush() }
        }
    }

    /// Finishes every submitted job, checkpoints the WAL and closes the connection.
    public func close() {
        queue.sync {
            while !pending.isEmpty { flush() }
            if let db = connection { try? db.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
            connection = nil
        }
    }
}

/// Carries a result out of a queue for the synchronous helpers.
final class ResultBox<T: Sendable>: Sendable {
    private let value = Mutex<Result<T, any Error>?>(nil)
    var result: Result<T, any Error>? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// One submitted job: its body runs inside a savepoint, its completion after the commit.
private final class PendingJob {
    let run: (SQLiteConnection) -> Void
    /// The completion, bound to the commit's outcome, ready to run where it must.
    let finish: ((any Error)?) -> @Sendable () -> Void
    let target: DispatchQueue?

    init<T: Sendable>(
        job: @escaping @Sendable (SQLiteConnection) throws -> T, target: DispatchQueue?,
        completion: @escaping @Sendable (Result<T, any Error>) -> Void
    ) {
        self.target = target
        let box = ResultBox<T>()
        run = { db in
            box.result = Result {
                // Prepared once per connection: sqlite3_exec parsed these twice per job.
                try db.queryCached("SAVEPOINT job")
                do {
                    let value = try job(db)
                    try db.queryCached("RELEASE job")
                    return value
                } catch {
                    try? db.execute("ROLLBACK TO job; RELEASE job")
                    throw error
                }
            }
        }
        finish = { commitError in
            let result: Result<T, any Error> =
                if let commitError { .failure(commitError) } else { box.result ?? .failure(TidingsError.internalError("job did not run")) }
            return { completion(result) }
        }
    }
}

/// What the writer queue owns: the connection, and the jobs that wait for the next transaction.
private struct WriterState {
    var connection: SQLiteConnection?
    var pending: [PendingJob] = []
    var flushScheduled = false
}
