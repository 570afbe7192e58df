import Foundation
import TidingsCore
import TidingsPluginKit

/// What one plugin made of one document, as the store keeps it.
public struct StoredExtraction: Sendable {
    public var plugin: String
    public var version: String
    /// "ok", "failed" or "skipped".
    public var status: String
    public var error: String?
    public var durationMs: Double
    public var extraction: Extraction

    public init(plugin: String, version: String, status: String, error: String?, durationMs: Double, extraction: Extraction) {
        self.plugin = plugin
        self.version = version
        self.status = status
        self.error = error
        self.durationMs = durationMs
        self.extraction = extraction
    }
}

/// A document waiting for plugins.
public struct DocumentForAnalysis: Sendable {
    public var id: Int64
    public var text: String
    public var title: String?
    /// YYYY-MM-DD of publication (or fetch).
    public var date: String?
    public var language: String?
    /// Hash of the text the results are for: results are only stored if it is unchanged.
    public var contentHash: String
    /// Plugins that have a result for it already (ok or failed; skipped ones are redone).
    public var done: Set<String>
}

/// A background job (`tidingsctl reprocess`).
public struct JobRow: Sendable, Codable, Equatable {
    public var id: Int64
    public var kind: String
    public var plugin: String
    public var since: String?
    public var sourceID: Int64?
    public var status: String
    public var total: Int
    public var done: Int
    public var failed: Int
    public var cursor: Int64
    public var error: String?
    public var createdAt: String
    public var updatedAt: String
    public var finishedAt: String?

    /// A `jobs` row; a missing or mistyped column is a `RowError`.
    init(_ row: Row) throws {
        id = try row.int("id")
        kind = try row.text("kind")
        plugin = try row.text("plugin")
        since = row["since"].string
        sourceID = row["source_id"].int
        status = try row.text("status")
        total = Int(try row.int("total"))
        done = Int(try row.int("done"))
        failed = Int(try row.int("failed"))
        cursor = try row.int("cursor")
        error = row["error"].string
        createdAt = try row.text("created_at")
        updatedAt = try row.text("updated_at")
        finishedAt = row["finished_at"].string
    }
}

extension SQLiteConnection {
    static let analysisColumns = "d.id, d.text, d.title, substr(coalesce(d.published_at, d.fetched_at), 1, 10) AS date, d.language, d.content_hash"

    func documentsForAnalysis(_ rows: [Row]) throws -> [DocumentForAnalysis] {
        guard !rows.isEmpty else { return [] }
        let ids = rows.compactMap { $0["id"].int }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        var done: [Int64: Set<String>] = [:]
        for row in try query("SELECT document_id, plugin FROM extractions WHERE status <> 'skipped' AND document_id IN (\(marks))", ids.map { .integer($0) }) {
            if let id = row["document_id"].int, let plugin = row["plugin"].string { done[id, default: []].insert(plugin) }
        }
        return try rows.map { row in
            let id = try row.int("id")
            return DocumentForAnalysis(
                id: id, text: try row.text("text"), title: row["title"].string, date: row["date"].string, language: row["language"].string,
                contentHash: try row.text("content_hash"), done: done[id] ?? [])
        }
    }

    /// The newest document id (0 when there is none).
    public func maxDocumentID() throws -> Int64 { try scalar("SELECT max(id) FROM documents")?.int ?? 0 }

    /// Documents after `after` (by id) that lack a result from any of `plugins`, oldest first.
    public func documentsNeedingAnalysis(plugins: [String], after: Int64, limit: Int) throws -> [DocumentForAnalysis] {
        guard !plugins.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: plugins.count).joined(separator: ",")
        let rows = try query(
            """
            SELECT \(Self.analysisColumns) FROM documents d
            WHERE d.id > ? AND (SELECT count(*) FROM extractions x WHERE x.document_id = d.id AND x.status <> 'skipped' AND x.plugin IN (\(marks))) < ?
              AND NOT EXISTS (SELECT 1 FROM article_queue a WHERE a.document_id = d.id AND a.status = 'pending')
            ORDER BY d.id LIMIT ?
            """, [.integer(after)] + plugins.map { .text($0) } + [.integer(Int64(plugins.count)), .integer(Int64(limit))])
        return try documentsForAnalysis(rows)
    }

    /// The filter of a reprocess job, as SQL.
    static func jobFilter(since: String?, sourceID: Int64?) -> (sql: String, parameters: [SQLiteValue]) {
        var sql = ""
        var parameters: [SQLiteValue] = []
        if let since {
            sql += " AND coalesce(d.published_at, d.fetched_at) >= ?"
            parameters.append(.text(since))
        }
        if let sourceID {
            sql += " AND d.source_id = ?"
            parameters.append(.integer(sourceID))
        }
        return (sql, parameters)
    }

    public func documentsForJob(_ job: JobRow, limit: Int) throws -> [DocumentForAnalysis] {
        let filter = Self.jobFilter(since: job.since, sourceID: job.sourceID)
        let rows = try query(
            "SELECT \(Self.analysisColumns) FROM documents d WHERE d.id > ?\(filter.sql) ORDER BY d.id LIMIT ?",
            [.integer(job.cursor)] + filter.parameters + [.integer(Int64(limit))])
        return try documentsForAnalysis(rows)
    }

    /// Stores plugin results for documents: for each document and plugin, the old extraction
    /// and everything that hangs off it are replaced by the new one, atomically (the caller's
    /// transaction). Documents removed meanwhile are skipped. Returns how many were stored.
    @discardableResult
    public func saveExtractions(_ items: [(documentID: Int64, results: [StoredExtraction])], now: Date) throws -> Int {
        try saveExtractions(items.map { (documentID: $0.documentID, contentHash: nil, results: $0.results) }, now: now)
    }

    /// As above; with a `contentHash`, a document whose text changed since it was read is
    /// skipped (its old results are gone, and it waits for the plugins again).
    @discardableResult
    public func saveExtractions(_ items: [(documentID: Int64, contentHash: String?, results: [StoredExtraction])], now: Date) throws -> Int {
        let exists = try cached("SELECT 1 FROM documents WHERE id = ? AND (? IS NULL OR content_hash = ?)")
        let drop = try cached("DELETE FROM extractions WHERE document_id = ? AND plugin = ?")
        let insert = try cached(
            "INSERT INTO extractions (document_id, plugin, plugin_version, status, error, duration_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        let findEntity = try cached(
            "SELECT id, country IS NOT NULL AS has_country, actor_code IS NOT NULL AS has_actor FROM entities WHERE canonical = ? AND kind = ?")
        let insertEntity = try cached("INSERT INTO entities (canonical, kind, country, actor_code) VALUES (?, ?, ?, ?)")
        let fillEntity = try cached("UPDATE entities SET country = coalesce(country, ?), actor_code = coalesce(actor_code, ?) WHERE id = ?")
        // The rows of one extraction go in by multi-row INSERTs: a statement per row cost more
        // in SQLite's per-statement work (statement journal, a savepoint on the full-text
        // index) than in writing the row.
        let mentions = RowBatch(self, "INSERT INTO mentions (document_id, extraction_id, entity_id, sentence, start, \"end\", text, label, role)", columns: 9)
        let event = try cached(
            """
            INSERT INTO events (document_id, extraction_id, event_date, source_actor, source_name, target_actor, target_name,
                                code, root, quad_class, goldstein, sentence, start, "end")
            VALUES (?, ?, (SELECT substr(coalesce(published_at, fetched_at), 1, 10) FROM documents WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let tone = try cached(
            """
            INSERT INTO tones (document_id, extraction_id, score, tone, positive, negative, polarity, activity, self_group, words)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let entityTones = RowBatch(self, "INSERT OR REPLACE INTO entity_tones (document_id, extraction_id, entity_id, score, mentions)", columns: 5)
        let annotations = RowBatch(self, "INSERT INTO annotations (document_id, extraction_id, plugin, kind, start, \"end\", label, value)", columns: 8)
        let created = Timestamps.iso(now)
        var stored = 0
        // Entities met before in this call, with whether their row has a country and an actor
        // code: an upsert that could change nothing is not run (a batch names the same
        // entities again and again: 14,449 look-ups for the 181 benchmark documents). Kept
        // for this call only, so a rolled-back savepoint never leaves a stale id behind.
        var known: [EntityKey: (id: Int64, country: Bool, actor: Bool)] = [:]
        func entityID(_ canonical: String, _ label: String, _ country: String?, _ actor: String?) throws -> Int64 {
            let key = EntityKey(canonical: canonical, kind: label)
            let before = known[key]
            if let before, country == nil || before.country, actor == nil || before.actor { return before.id }
            // What the upsert "coalesce what is missing" does, without RETURNING (whose
            // temporary table cost more than the look-up).
            try findEntity.bind([.text(canonical), .text(label)])
            let row = try findEntity.step()
            findEntity.reset()
            let id: Int64
            var hasCountry = false, hasActor = false
            if let row {
                id = try row.int("id")
                hasCountry = try row.int("has_country") != 0
                hasActor = try row.int("has_actor") != 0
                if (country != nil && !hasCountry) || (actor != nil && !hasActor) {
                    try fillEntity.run([SQLiteValue(country), SQLiteValue(actor), .integer(id)])
                    fillEntity.reset()
                }
            } else {
                try insertEntity.run([.text(canonical), .text(label), SQLiteValue(country), SQLiteValue(actor)])
                insertEntity.reset()
                id = lastInsertRowID
            }
            known[key] = (id, hasCountry || country != nil, hasActor || actor != nil)
            return id
        }
        for item in items {
            try exists.bind([.integer(item.documentID), SQLiteValue(item.contentHash), SQLiteValue(item.contentHash)])
            let present = try exists.step() != nil
            try exists.bind([])
            guard present else { continue }
            stored += 1
            let document = SQLiteValue.integer(item.documentID)
            for result in item.results {
                try drop.run([document, .text(result.plugin)])
                try insert.run([
                    document, .text(result.plugin), .text(result.version), .text(result.status), SQLiteValue(result.error),
                    .real(result.durationMs), .text(created),
                ])
                let extraction = SQLiteValue.integer(lastInsertRowID)
                let found = result.extraction
                for m in found.entities {
                    let id = try entityID(m.canonical, m.label, m.country, m.actorCode)
                    try mentions.add([
                        document, extraction, .integer(id), SQLiteValue(m.sentence), SQLiteValue(m.start), SQLiteValue(m.end), .text(m.text),
                        .text(m.label), SQLiteValue(m.role),
                    ])
                }
                for e in found.events {
                    try event.run([
                        document, extraction, document, SQLiteValue(e.source), SQLiteValue(e.sourceName), SQLiteValue(e.target),
                        SQLiteValue(e.targetName), .text(e.code), .text(e.root), SQLiteValue(e.quadClass), .real(e.goldstein),
                        SQLiteValue(e.sentence), SQLiteValue(e.start), SQLiteValue(e.end),
                    ])
                }
                if let t = found.tone {
                    try tone.run([
                        document, extraction, .real(t.score), .real(t.tone), .real(t.positive), .real(t.negative), .real(t.polarity),
                        .real(t.activity), .real(t.selfGroup), SQLiteValue(t.words),
                    ])
                }
                for t in found.entityTones {
                    let id = try entityID(t.canonical, t.label, nil, nil)
                    try entityTones.add([document, extraction, .integer(id), .real(t.score), SQLiteValue(t.mentions)])
                }
                for a in found.annotations {
                    try annotations.add([
                        document, extraction, .text(result.plugin), .text(a.kind), SQLiteValue(a.start), SQLiteValue(a.end),
                        SQLiteValue(a.label), SQLiteValue(a.value),
                    ])
                }
                // Before the next extraction (whose drop could cascade to these rows).
                try mentions.flush()
                try entityTones.flush()
                try annotations.flush()
            }
        }
        return stored
    }

    // MARK: plugin switches

    /// Switches set at run time, by plugin name.
    public func pluginSwitches() throws -> [String: Bool] {
        var out: [String: Bool] = [:]
        for row in try query("SELECT name, enabled FROM plugin_state") {
            if let name = row["name"].string { out[name] = row["enabled"].int == 1 }
        }
        return out
    }

    public func setPluginSwitch(_ name: String, enabled: Bool, now: Date) throws {
        try query(
            "INSERT INTO plugin_state (name, enabled, changed_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at",
            [.text(name), SQLiteValue(enabled), .text(Timestamps.iso(now))])
    }

    /// Per plugin (all versions): results ok, failed, skipped, and mean time in ms.
    public func pluginStatistics() throws -> [String: (ok: Int, failed: Int, skipped: Int, meanMs: Double?)] {
        var out: [String: (ok: Int, failed: Int, skipped: Int, meanMs: Double?)] = [:]
        for row in try query(
            "SELECT plugin, sum(status = 'ok') AS ok, sum(status = 'failed') AS failed, sum(status = 'skipped') AS skipped, avg(CASE WHEN status = 'ok' THEN duration_ms END) AS mean FROM extractions GROUP BY plugin")
        {
            guard let name = row["plugin"].string else { continue }
            out[name] = (Int(try row.int("ok")), Int(try row.int("failed")), Int(try row.int("skipped")), row["mean"].double)
        }
        return out
    }

    // MARK: jobs

    public func createReprocessJob(plugin: String, since: String?, sourceID: Int64?, now: Date) throws -> JobRow {
        let filter = Self.jobFilter(since: since, sourceID: sourceID)
        let total = try scalar("SELECT count(*) FROM documents d WHERE 1\(filter.sql)", filter.parameters)?.int ?? 0
        let stamp = Timestamps.iso(now)
        try query(
            "INSERT INTO jobs (kind, plugin, since, source_id, status, total, created_at, updated_at) VALUES ('reprocess', ?, ?, ?, 'running', ?, ?, ?)",
            [.text(plugin), SQLiteValue(since), SQLiteValue(sourceID), .integer(total), .text(stamp), .text(stamp)])
        return try job(lastInsertRowID)!
    }

    public func job(_ id: Int64) throws -> JobRow? {
        try query("SELECT * FROM jobs WHERE id = ?", [.integer(id)]).first.map(JobRow.init)
    }

    public func jobs(limit: Int = 50) throws -> [JobRow] {
        try query("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", [.integer(Int64(limit))]).map(JobRow.init)
    }

    public func runningJobs() throws -> [JobRow] {
        try query("SELECT * FROM jobs WHERE status = 'running' ORDER BY id").map(JobRow.init)
    }

    /// Records progress: the last document handled and the counts, in the same transaction as
    /// the results, so a restart resumes exactly after what was stored.
    public func advanceJob(_ id: Int64, cursor: Int64, done: Int, failed: Int, finished: Bool, now: Date) throws {
        let stamp = Timestamps.iso(now)
        try query(
            """
            UPDATE jobs SET cursor = max(cursor, ?), done = done + ?, failed = failed + ?, updated_at = ?,
                status = CASE WHEN ? THEN 'done' ELSE status END, finished_at = CASE WHEN ? THEN ? ELSE finished_at END
            WHERE id = ? AND status = 'running'
            """,
            [.integer(cursor), SQLiteValue(done), SQLiteValue(failed), .text(stamp), SQLiteValue(finished), SQLiteValue(finished), .text(stamp), .integer(id)])
    }

    public func endJob(_ id: Int64, status: String, error: String?, now: Date) throws {
        let stamp = Timestamps.iso(now)
        try query(
            "UPDATE jobs SET status = ?, error = ?, updated_at = ?, finished_at = ? WHERE id = ? AND status = 'running'",
            [.text(status), SQLiteValue(error), .text(stamp), .text(stamp), .integer(id)])
    }
}

/// An entity's unique key in the `entities` table.
struct EntityKey: Hashable {
    var canonical: String
    var kind: String
}

/// Rows for one table, written by multi-row INSERTs of 64, 16, 4 or 1 rows (statements
/// prepared once per connection and size), in the order they were added: the same rows and
/// row ids as one statement per row.
final class RowBatch {
    static let sizes = [64, 16, 4, 1]
    let connection: SQLiteConnection
    let columns: Int
    /// The statement's text for each size.
    private let sql: [String]
    private var values: [SQLiteValue] = []
    private var rows = 0

    init(_ connection: SQLiteConnection, _ head: String, columns: Int) {
        self.connection = connection
        self.columns = columns
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        sql = RowBatch.sizes.map { head + " VALUES " + Array(repeating: row, count: $0).joined(separator: ", ") }
    }

    func add(_ row: [SQLiteValue]) throws {
        precondition(row.count == columns, "a row of \(row.count) values for \(columns) columns")
        values.append(contentsOf: row)
        rows += 1
        if rows == RowBatch.sizes[0] { try flush() }
    }

    func flush() throws {
        var done = 0
        for (index, size) in RowBatch.sizes.enumerated() {
            while rows - done >= size {
                let statement = try connection.cached(sql[index])
                try statement.run(Array(values[(done * columns)..<((done + size) * columns)]))
                statement.reset()
                done += size
            }
        }
        values.removeAll(keepingCapacity: true)
        rows = 0
    }
}
