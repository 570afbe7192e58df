import Foundation
import TidingsCore

/// SQL for the `sources` table. Runs on whichever queue owns the connection.
extension SQLiteConnection {
    static let sourceColumns = """
        s.id, s.name, s.url, s.origin, s.enabled, s.interval_s, s.last_fetch_at, s.last_status,
        s.last_error, s.consecutive_errors, s.next_fetch_at, s.tls_verify, s.kind,
        (SELECT count(*) FROM documents d WHERE d.source_id = s.id) AS documents,
        (SELECT count(*) FROM article_queue a WHERE a.source_id = s.id AND a.status = 'pending') AS articles_pending
        """

    /// A `sources` row; a missing or mistyped column is a `RowError`, not a guessed value.
    static func source(from row: Row) throws -> Source {
        let originText = try row.text("origin")
        let kindText = try row.text("kind")
        guard let origin = Source.Origin(rawValue: originText) else { throw RowError(column: "origin", problem: "is \"\(originText)\"") }
        guard let kind = Source.Kind(rawValue: kindText) else { throw RowError(column: "kind", problem: "is \"\(kindText)\"") }
        var source = Source(
            id: try row.int("id"), name: try row.text("name"), url: try row.text("url"), origin: origin,
            enabled: try row.int("enabled") == 1, interval: try row.double("interval_s"),
            lastFetchAt: row["last_fetch_at"].string.flatMap(Timestamps.parse),
            lastStatus: row["last_status"].string, lastError: row["last_error"].string,
            consecutiveErrors: Int(try row.int("consecutive_errors")),
            nextFetchAt: row["next_fetch_at"].string.flatMap(Timestamps.parse),
            documents: Int(try row.int("documents")), tlsVerify: try row.int("tls_verify") != 0, kind: kind)
        source.articlesPending = Int(try row.int("articles_pending"))
        return source
    }

    public func sources() throws -> [Source] {
        try query("SELECT \(Self.sourceColumns) FROM sources s ORDER BY s.id").map { try Self.source(from: $0) }
    }

    /// Finds a source by numeric id or by name.
    public func source(idOrName: String) throws -> Source? {
        let rows =
            if let id = Int64(idOrName) {
                try query("SELECT \(Self.sourceColumns) FROM sources s WHERE s.id = ? OR s.name = ?", [.integer(id), .text(idOrName)])
            } else {
                try query("SELECT \(Self.sourceColumns) FROM sources s WHERE s.name = ?", [.text(idOrName)])
            }
        return try rows.first.map { try Self.source(from: $0) }
    }

    /// Adds a source; a duplicate URL or name is a `conflict` error naming the existing one.
    public func insertSource(_ definition: SourceDefinition, origin: Source.Origin, now: Date) throws -> Source {
        if let existing = try query("SELECT id, name FROM sources WHERE url = ?", [.text(definition.url)]).first {
            throw TidingsError.conflict(
                "source \(existing["id"].int ?? 0) (\(existing["name"].string ?? "")) already has the URL \(definition.url)")
        }
        if let existing = try query("SELECT id FROM sources WHERE name = ?", [.text(definition.name)]).first {
            throw TidingsError.conflict(
                "source \(existing["id"].int ?? 0) is already named \"\(definition.name)\"; pick another name with --name")
        }
        try query(
            """
            INSERT INTO sources (name, url, origin, enabled, interval_s, created_at, next_fetch_at, tls_verify, kind)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(definition.name), .text(definition.url), .text(origin.rawValue), SQLiteValue(definition.enabled),
                .real(definition.interval), .text(Timestamps.iso(now)), .text(Timestamps.iso(now)), SQLiteValue(definition.tlsVerify),
                .text(definition.kind.rawValue),
            ])
        let id = lastInsertRowID
        guard let source = try source(idOrName: String(id)) else { throw TidingsError.internalError("source \(id) vanished") }
        return source
    }

    /// Adds many sources in the caller's transaction: a URL already stored is skipped, a
    /// taken name gets the URL's default name (then a number). One look-up of the names and
    /// URLs in use, one cached insert per source. Returns the sources added and how many were
    /// present or renamed.
    public func importSources(_ definitions: [SourceDefinition], now: Date) throws -> SourceImport {
        // Known URLs and names are looked up in their unique indexes, which see the rows this
        // transaction added too. Sets of every URL and name were 20 MB at 100,000 sources.
        let urlKnown = try cached("SELECT 1 FROM sources WHERE url = ?")
        let nameKnown = try cached("SELECT 1 FROM sources WHERE name = ?")
        let insert = try cached(
            """
            INSERT INTO sources (name, url, origin, enabled, interval_s, created_at, next_fetch_at, tls_verify, kind)
            VALUES (?, ?, 'admin', ?, ?, ?, ?, ?, ?)
            """)
        let stamp = Timestamps.iso(now)
        var result = SourceImport()
        result.added.reserveCapacity(definitions.count)
        for definition in definitions {
            guard try !urlKnown.exists([.text(definition.url)]) else {
                result.present += 1
                continue
            }
            var name = definition.name
            if try nameKnown.exists([.text(name)]) {
                result.renamed += 1
                name = SourceDefinition.defaultName(for: definition.url)
                var number = 2
                let base = name
                while try nameKnown.exists([.text(name)]) {
                    name = "\(base) (\(number))"
                    number += 1
                }
            }
            try insert.run([
                .text(name), .text(definition.url), SQLiteValue(definition.enabled), .real(definition.interval), .text(stamp),
                .text(stamp), SQLiteValue(definition.tlsVerify), .text(definition.kind.rawValue),
            ])
            var added = definition
            added.name = name
            result.added.append((lastInsertRowID, added))
        }
        return result
    }

    public func deleteSource(id: Int64) throws {
        try query("DELETE FROM sources WHERE id = ?", [.integer(id)])
    }

    public func setSourceEnabled(id: Int64, enabled: Bool) throws {
        try query("UPDATE sources SET enabled = ? WHERE id = ?", [SQLiteValue(enabled), .integer(id)])
    }

    public func setNextFetch(id: Int64, at date: Date) throws {
        try query("UPDATE sources SET next_fetch_at = ? WHERE id = ?", [.text(Timestamps.iso(date)), .integer(id)])
    }

    /// Makes the config-origin rows match the config file: adds new ones, updates changed
    /// ones (by URL) and deletes the ones no longer configured. Their documents stay.
    /// Returns a human summary of what changed.
    public func syncConfigSources(_ definitions: [SourceDefinition], now: Date) throws -> [String] {
        var changes: [String] = []
        let existing = try sources()
        var configured: [Int64: String] = [:]
        for row in try query("SELECT id, configured_url FROM sources WHERE configured_url IS NOT NULL") {
            if let id = row["id"].int, let url = row["configured_url"].string { configured[id] = url }
        }
        // Each stored source stands for one definition at most: by the URL the config gave it
        // first, then by its address.
        var matches: [Int: Source] = [:]
        var taken = Set<Int64>()
        for (index, definition) in definitions.enumerated() {
            if let source = existing.first(where: { configured[$0.id] == definition.url && !taken.contains($0.id) }) {
                matches[index] = source
                taken.insert(source.id)
            }
        }
        for (index, definition) in definitions.enumerated() where matches[index] == nil {
            if let source = existing.first(where: { $0.url == definition.url && !taken.contains($0.id) }) {
                matches[index] = source
                taken.insert(source.id)
            }
        }
        let kept = taken
        for source in existing where source.origin == .config && !kept.contains(source.id) {
            try deleteSource(id: source.id)
            changes.append("removed source \(source.id) (\(source.name)); its documents are kept")
        }
        // Names in use, kept current as sources are removed, renamed and added (one listing,
        // not one per definition).
        var names: [String: Int64] = [:]
        for source in existing where source.origin != .config || kept.contains(source.id) { names[source.name] = source.id }
        for (index, definition) in definitions.enumerated() {
            let current = matches[index]
            if let clashID = names[definition.name], clashID != current?.id, let clash = existing.first(where: { $0.id == clashID }) {
                throw TidingsError(
                    "config_conflict",
                    "the config's source \"\(definition.name)\" (\(definition.url)) has the name of source \(clash.id) (\(clash.url)); rename one of them (name = … in the config, or tidingsctl sources remove \(clash.id))")
            }
            if let current {
                if current.origin == .admin || configured[current.id] != definition.url {
                    try query(
                        "UPDATE sources SET origin = 'config', configured_url = ? WHERE id = ?", [.text(definition.url), .integer(current.id)])
                }
                if current.name != definition.name || current.interval != definition.interval || current.enabled != definition.enabled
                    || current.tlsVerify != definition.tlsVerify || current.kind != definition.kind
                {
                    try query(
                        "UPDATE sources SET name = ?, interval_s = ?, enabled = ?, tls_verify = ?, kind = ? WHERE id = ?",
                        [
                            .text(definition.name), .real(definition.interval), SQLiteValue(definition.enabled),
                            SQLiteValue(definition.tlsVerify), .text(definition.kind.rawValue), .integer(current.id),
                        ])
                    changes.append("updated source \(current.id) (\(definition.name))")
                }
                if current.name != definition.name { names[current.name] = nil }
                names[definition.name] = current.id
            } else {
                let added = try insertSource(definition, origin: .config, now: now)
                try query("UPDATE sources SET configured_url = ? WHERE id = ?", [.text(definition.url), .integer(added.id)])
                names[added.name] = added.id
                changes.append("added source \(added.id) (\(added.name))")
            }
        }
        return changes
    }
}

/// What ``SQLiteConnection/importSources(_:now:)`` did.
public struct SourceImport: Sendable {
    public var added: [(id: Int64, definition: SourceDefinition)] = []
    public var present = 0
    public var renamed = 0
}

/// What the daemon keeps in memory about a source, between polls: one of these per source, so
/// it is laid out to be small (112 bytes, and no heap but the URL's and a long ETag's).
/// Before, with its host kept and `Int`s and optionals for every field, it was 152 bytes and a
/// 64-byte `Last-Modified` string per source: 100,000 sources held 22 MB here.
public struct SourceState: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var url: String
    public var interval: Double
    public var etag: String?
    private var modified: HTTPDateText
    /// The time as seconds, NaN for none (a `Date?` takes 16 bytes in the layout, 8 here).
    private var nextFetch: Double
    private var errors: Int32
    private var hops: UInt8
    public var enabled: Bool
    public var tlsVerify: Bool
    public var kind: Source.Kind

    /// The politeness key: the URL's host, nil for local files. Parsed when asked (the
    /// scheduler keeps each source's host itself).
    public var host: String? { SourceState.host(of: url) }
    /// The server's `Last-Modified`, exactly as it was sent.
    public var lastModified: String? {
        get { modified.text }
        set { modified = HTTPDateText(newValue) }
    }
    public var nextFetchAt: Date? {
        get { nextFetch.isNaN ? nil : Date(timeIntervalSince1970: nextFetch) }
        set { nextFetch = newValue?.timeIntervalSince1970 ?? .nan }
    }
    public var consecutiveErrors: Int {
        get { Int(errors) }
        set { errors = Int32(clamping: newValue) }
    }
    /// Web pages followed in a row to find a feed (in memory only; bounded to stop loops).
    public var discoveryHops: Int {
        get { Int(hops) }
        set { hops = UInt8(clamping: newValue) }
    }

    public init(
        id: Int64, name: String, url: String, enabled: Bool, interval: Double, nextFetchAt: Date?, etag: String?,
        lastModified: String?, consecutiveErrors: Int, tlsVerify: Bool = true, kind: Source.Kind = .feed
    ) {
        self.id = id
        self.name = name
        self.url = url
        self.interval = interval
        self.etag = etag
        modified = HTTPDateText(lastModified)
        nextFetch = nextFetchAt?.timeIntervalSince1970 ?? .nan
        errors = Int32(clamping: consecutiveErrors)
        hops = 0
        self.enabled = enabled
        self.tlsVerify = tlsVerify
        self.kind = kind
    }

    public static func == (a: SourceState, b: SourceState) -> Bool {
        a.id == b.id && a.name == b.name && a.url == b.url && a.interval == b.interval && a.etag == b.etag
            && a.modified == b.modified && a.nextFetchAt == b.nextFetchAt && a.errors == b.errors && a.hops == b.hops
            && a.enabled == b.enabled && a.tlsVerify == b.tlsVerify && a.kind == b.kind
    }
}

extension SourceState {
    static func host(of url: String) -> String? {
        guard let parsed = URL(string: url), !parsed.isFileURL else { return nil }
        return parsed.host?.lowercased()
    }
}

extension SQLiteConnection {
    public func sourceStates() throws -> [SourceState] {
        var states: [SourceState] = []
        try forEachSourceState { states.append($0) }
        return states
    }

    /// Every source's state, one at a time (in id order), without an array of them all.
    public func forEachSourceState(_ body: (SourceState) throws -> Void) throws {
        // Read row by row: 100,000 sources as one array of rows first was 50 MB for a moment.
        let statement = try prepare(
            "SELECT id, name, url, enabled, interval_s, next_fetch_at, etag, last_modified, consecutive_errors, tls_verify, kind FROM sources ORDER BY id"
        )
        while let row = try statement.step() {
            try body(
                SourceState(
                    id: try row.int("id"), name: try row.text("name"), url: try row.text("url"),
                    enabled: try row.int("enabled") == 1, interval: try row.double("interval_s"),
                    nextFetchAt: row["next_fetch_at"].string.flatMap(Timestamps.parse), etag: row["etag"].string,
                    lastModified: row["last_modified"].string, consecutiveErrors: Int(try row.int("consecutive_errors")),
                    tlsVerify: try row.int("tls_verify") != 0, kind: Source.Kind(rawValue: try row.text("kind")) ?? .feed))
        }
    }
}
