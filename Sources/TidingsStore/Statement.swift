import CSQLite

/// A prepared statement, owned by the queue that owns its connection.
public final class Statement {
    let handle: OpaquePointer
    unowned let connection: SQLiteConnection
    let sql: String
    private lazy var columnNames: [String] = (0..<sqlite3_column_count(handle)).map {
        String(cString: sqlite3_column_name(handle, $0))
    }

    init(handle: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Resets the statement and binds positional parameters (`?`), starting at 1.
    public func bind(_ values: [SQLiteValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
            case .real(let v): rc = sqlite3_bind_double(handle, index, v)
            case .text(let v): rc = tidings_sqlite_bind_text(handle, index, v, -1)
            case .blob(let v): rc = v.withUnsafeBytes { tidings_sqlite_bind_blob(handle, index, $0.baseAddress, Int32($0.count)) }
            }
            guard rc == SQLITE_OK else { throw SQLiteError(code: rc, message: connection.lastMessage, sql: sql) }
        }
    }

    /// Advances to the next row; nil when done.
    public func step() throws -> Row? {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW:
            let values = (0..<Int32(columnNames.count)).map(value(at:))
            return Row(columns: columnNames, values: values)
        case SQLITE_DONE:
            return nil
        default:
            let error = SQLiteError(code: rc, message: connection.lastMessage, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Ends a run early (releases what the statement holds) and drops its bindings.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds, runs to completion and discards rows.
    public func run(_ values: [SQLiteValue]) throws {
        try bind(values)
        while try step() != nil {}
    }

    /// Binds and tells whether the statement gives a row (then resets it).
    public func exists(_ values: [SQLiteValue]) throws -> Bool {
        try bind(values)
        defer { reset() }
        return try step() != nil
    }

    private func value(at index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(handle, index)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, index))
            guard count > 0, let base = sqlite3_column_blob(handle, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: base, count: count)))
        default: return .null
        }
    }
}
