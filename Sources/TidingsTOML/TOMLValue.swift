/// A place in a TOML document: 1-based line and 1-based column, where columns count
/// Unicode scalars (a tab is one column).
public struct TOMLPosition: Sendable, Equatable, Hashable {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// A TOML value. Containers hold `TOMLNode`s so that every element and key keeps the
/// position where it was written.
public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    /// The literal text of an offset date-time, local date-time, local date or local time,
    /// exactly as written (after its shape and ranges were checked).
    case datetime(String)
    case array([TOMLNode])
    case table(TOMLTable)

    /// The TOML name of the value's type, for messages: "string", "integer", "float",
    /// "boolean", "datetime", "array" or "table".
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .bool: return "boolean"
        case .datetime: return "datetime"
        case .array: return "array"
        case .table: return "table"
        }
    }
}

/// A value together with where it was written. For a key/value pair that is where the key
/// starts; for an array element, where the element starts; for a `[table]` or `[[table]]`
/// element, where its header starts.
public struct TOMLNode: Sendable, Equatable {
    public var value: TOMLValue
    public var position: TOMLPosition

    public init(value: TOMLValue, position: TOMLPosition) {
        self.value = value
        self.position = position
    }
}

/// A table whose keys keep their document order.
public struct TOMLTable: Sendable, Equatable {
    /// Where the table was defined: its `[header]`, `[[header]]` or `{`; the first segment
    /// of the dotted key that created it; (1,1) for the root table.
    public var position: TOMLPosition
    private var order: [String] = []
    private var nodes: [String: TOMLNode] = [:]

    public init(position: TOMLPosition) {
        self.position = position
    }

    /// The table's keys, in document order.
    public var keys: [String] { order }

    /// The node stored under `key`, if any.
    public subscript(key: String) -> TOMLNode? { nodes[key] }

    /// Stores `node` under `key`. A new key goes after the existing ones; an existing key
    /// keeps its place and gets the new node.
    public mutating func set(_ key: String, _ node: TOMLNode) {
        if nodes.updateValue(node, forKey: key) == nil {
            order.append(key)
        }
    }
}

/// Why a document is not valid TOML, and where: `line 4, column 10: expected '=' after key
/// "interval"`.
public struct TOMLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
