import CSQLite
import TidingsCore
import Foundation

/// A SQLite result code turned into a Swift error, with the statement that failed.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let sql: String?

    public var description: String {
        sql.map { "SQLite error \(code): \(message) (in: \($0.prefix(120)))" } ?? "SQLite error \(code): \(message)"
    }

    /// True for SQLITE_BUSY / SQLITE_LOCKED, which a caller may retry.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
}

/// One SQLite connection. Not thread-safe by design: exactly one queue owns each connection
/// (the store's writer queue, or a reader's), and nothing else touches the handle.
public final class SQLiteConnection {
    let handle: OpaquePointer
    public let path: String
    /// Statements of the hot paths, prepared once (see ``cached(_:)``).
    private var statementCache: [String: Statement] = [:]

    /// Opens `path`. Read-only connections use `mode=ro` and never create the file.
    public init(path: String, readOnly: Bool = false, busyTimeout: Double = 5) throws {
        var db: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
            | SQLITE_OPEN_URI
        let rc = sqlite3_open_v2(SQLiteConnection.uri(for: path, readOnly: readOnly), &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "\(message): \(path)", sql: nil)
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Int32(busyTimeout * 1000))
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    static func uri(for path: String, readOnly: Bool) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let escaped = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        return "file:\(escaped)" + (readOnly ? "?mode=ro" : "")
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    /// Prepares one statement.
    public func prepare(_ sql: String) throws -> Statement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw SQLiteError(code: rc, message: lastMessage, sql: sql) }
        return Statement(handle: statement, connection: self, sql: sql)
    }

    /// A statement prepared once per connection and kept: for SQL that runs on every fetch or
    /// document, where preparing cost more than running. Only for fixed SQL text (a text built
    /// per call would grow the cache without bound). Like the connection, used by one queue.
    public func cached(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql] { return statement }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs a cached statement with parameters and returns all rows.
    @discardableResult
    public func queryCached(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [Row] {
        let statement = try cached(sql)
        try statement.bind(parameters)
        defer { statement.reset() }
        var rows: [Row] = []
        while let row = try statement.step() { rows.append(row) }
        return rows
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Convenience: runs a statement with parameters and returns all rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [Row] {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        var rows: [Row] = []
        while let row = try statement.step() { rows.append(row) }
        return rows
    }

    /// The first column of the first row, if any.
    public func scalar(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> SQLiteValue? {
        try query(sql, parameters).first?.values.first
    }

    /// True outside a transaction. Inside a batch this means SQLite rolled the whole
    /// transaction back on its own (disk full, I/O error, out of memory).
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    public var changes: Int { Int(sqlite3_changes(handle)) }
    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A value SQLite stores.
public enum SQLiteValue: Sendable, Equatable {
    case null, integer(Int64), real(Double), text(String), blob([UInt8])

    public var int: Int64? {
        switch self {
        case .integer(let v): v
        case .real(let v): Int64(v)
        default: nil
        }
    }
    public var double: Double? {
        switch self {
        case .integer(let v): Double(v)
        case .real(let v): v
        default: nil
        }
    }
    public var string: String? {
        if case .text(let v) = self { return v }
        return nil
    }
}

extension SQLiteValue {
    public init(_ value: String?) { self = value.map(SQLiteValue.text) ?? .null }
    public init(_ value: Int64?) { self = value.map(SQLiteValue.integer) ?? .null }
    public init(_ value: Int) { self = .integer(Int64(value)) }
    public init(_ value: Double?) { self = value.map(SQLiteValue.real) ?? .null }
    public init(_ value: Bool) { self = .integer(value ? 1 : 0) }
}

/// One result row, by column position and by name.
public struct Row: Sendable {
    public let columns: [String]
    public let values: [SQLiteValue]
    public subscript(_ name: String) -> SQLiteValue {
        guard let index = columns.firstIndex(of: name) else { return .null }
        return values[index]
    }

    /// Typed reads that fail on a missing or mistyped column instead of guessing a value.
    private func required(_ name: String) throws -> SQLiteValue {
        guard let index = columns.firstIndex(of: name) else { throw RowError(column: name, problem: "is not in the result") }
        return values[index]
    }

    public func int(_ name: String) throws -> Int64 {
        guard case .integer(let value) = try required(name) else { throw RowError(column: name, problem: "is not an integer") }
        return value
    }

    public func double(_ name: String) throws -> Double {
        guard let value = try required(name).double else { throw RowError(column: name, problem: "is not a number") }
        return value
    }

    public func text(_ name: String) throws -> String {
        guard case .text(let value) = try required(name) else { throw RowError(column: name, problem: "is not text") }
        return value
    }

    public func date(_ name: String) throws -> Date {
        guard let value = Timestamps.parse(try text(name)) else { throw RowError(column: name, problem: "is not a timestamp") }
        return value
    }
}

/// A row that does not have the shape the code expects (a schema mismatch, a corrupt value).
public struct RowError: Error, Sendable, CustomStringConvertible {
    public var column: String
    public var problem: String
    public var description: String { "column \(column) \(problem)" }
}
