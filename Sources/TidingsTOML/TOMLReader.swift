import TidingsCore

/// Typed, located reads of one TOML table: how Tidings reads all of its TOML (the daemon's
/// config, `[plugins]` and its `[[plugins.exec]]` entries, each plugin's `[plugins.<name>]`).
///
/// A getter returns nil when its key is absent, the value when it has the type and range
/// asked for, and otherwise throws a ``TOMLReadError`` with the file, the line, the key's
/// dotted path (`sources[1].interval`) and what is allowed. The reader remembers the keys it
/// was asked for, so that ``checkKeys(allowed:)`` can refuse the others with their line: a
/// typo must not be silently ignored.
public struct TOMLReader: Sendable {
    /// The table read.
    public let contents: TOMLTable
    /// The file the document came from, for messages; nil when the caller adds it.
    public let file: String?
    /// The table's dotted path from the document's root: "" for the root, "fetch",
    /// "sources[2]", "plugins.tone".
    public let path: String
    /// The keys asked for so far, in the order first asked (whether the table has them or not).
    public private(set) var keysRead: [String] = []

    public init(_ table: TOMLTable, file: String? = nil, path: String = "") {
        contents = table
        self.file = file
        self.path = path
    }

    /// The table's keys, in document order.
    public var keys: [String] { contents.keys }

    /// The dotted path of `key` in this table: `fetch.interval`, `sources[0].url`.
    public func path(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The line `key` is written on, when the table has it.
    public func line(of key: String) -> Int? { contents[key]?.position.line }

    /// An error about `key`: on its line, or on the table's when the key is absent (a required
    /// key that is missing).
    public func error(_ key: String, _ message: String) -> TOMLReadError {
        TOMLReadError(file: file, line: line(of: key) ?? contents.position.line, key: path(of: key), message: message)
    }

    /// An error about the table as a whole, on its first line.
    public func error(_ message: String) -> TOMLReadError {
        TOMLReadError(file: file, line: contents.position.line, key: path.isEmpty ? nil : path, message: message)
    }

    /// Counts `key` as known without reading it: a key another reader is responsible for.
    public mutating func skip(_ key: String) { _ = node(key) }

    // MARK: Getters

    public mutating func string(_ key: String) throws(TOMLReadError) -> String? {
        guard let node = node(key) else { return nil }
        guard case .string(let value) = node.value else { throw typeError(key, node, expected: "a string") }
        return value
    }

    public mutating func bool(_ key: String) throws(TOMLReadError) -> Bool? {
        guard let node = node(key) else { return nil }
        guard case .bool(let value) = node.value else { throw typeError(key, node, expected: "true or false") }
        return value
    }

    /// An integer within `range`. `expected` says what it is, for the message when it is not
    /// an integer ("a number of sources from 1 to 256").
    public mutating func int(_ key: String, range: ClosedRange<Int>, expected: String = "an integer") throws(TOMLReadError) -> Int? {
        guard let node = node(key) else { return nil }
        guard case .integer(let number) = node.value else { throw typeError(key, node, expected: expected) }
        guard let value = Int(exactly: number), range.contains(value) else {
            throw error(key, node, "\(number) is out of range; use \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// A number (an integer or a float) within `range`.
    public mutating func double(_ key: String, range: ClosedRange<Double>) throws(TOMLReadError) -> Double? {
        guard let node = node(key) else { return nil }
        let value: Double
        switch node.value {
        case .integer(let number): value = Double(number)
        case .float(let number): value = number
        default: throw typeError(key, node, expected: "a number")
        }
        guard range.contains(value) else {
            throw error(key, node, "\(value) is out of range; use \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// An array of strings. A wrong element is reported on its own line.
    public mutating func strings(_ key: String) throws(TOMLReadError) -> [String]? {
        guard let node = node(key) else { return nil }
        guard case .array(let items) = node.value else { throw typeError(key, node, expected: "an array of strings") }
        var values: [String] = []
        for item in items {
            guard case .string(let value) = item.value else {
                throw error(key, item, "must be an array of strings; found \(Self.described(item.value))")
            }
            values.append(value)
        }
        return values
    }

    /// A duration string such as "30s", "15m" or "1h30m" (see `Durations`), in seconds,
    /// within `range`.
    public mutating func duration(_ key: String, range: ClosedRange<Double>) throws(TOMLReadError) -> Double? {
        guard let node = node(key) else { return nil }
        guard case .string(let text) = node.value else {
            throw typeError(key, node, expected: "a duration string (\(Durations.allowed))")
        }
        guard let seconds = Durations.seconds(text) else { throw error(key, node, "bad duration \"\(text)\"; use \(Durations.allowed)") }
        guard range.contains(seconds) else {
            throw error(
                key, node,
                "\"\(text)\" is out of range; use between \(Durations.format(range.lowerBound)) and \(Durations.format(range.upperBound))")
        }
        return seconds
    }

    /// A size in bytes: a positive integer, or a string such as "512KiB", "16MiB" or "2MB"
    /// (see `Sizes`), at most `Sizes.max`.
    public mutating func size(_ key: String) throws(TOMLReadError) -> Int? {
        guard let node = node(key) else { return nil }
        let tooBig = "use \(Sizes.allowed), at most \(Sizes.maxText)"
        switch node.value {
        case .integer(let bytes):
            guard bytes > 0 && bytes <= Sizes.max else { throw error(key, node, "bad size \(bytes); \(tooBig)") }
            return Int(bytes)
        case .string(let text):
            guard let bytes = Sizes.bytes(text), bytes <= Sizes.max else { throw error(key, node, "bad size \"\(text)\"; \(tooBig)") }
            return bytes
        default:
            throw typeError(key, node, expected: Sizes.allowed)
        }
    }

    /// A sub-table (`[fetch]`, `[plugins.tone]`, or inline `{ … }`), to read with its own
    /// reader. `expected` says what it is when it is not a table.
    public mutating func table(_ key: String, expected: String? = nil) throws(TOMLReadError) -> TOMLReader? {
        guard let node = node(key) else { return nil }
        guard case .table(let table) = node.value else {
            throw typeError(key, node, expected: expected ?? "a table ([\(path(of: key))])")
        }
        return TOMLReader(table, file: file, path: path(of: key))
    }

    /// An array of tables (`[[sources]]`), one reader per element; element `i`'s path is
    /// `key[i]`.
    public mutating func tables(_ key: String) throws(TOMLReadError) -> [TOMLReader]? {
        guard let node = node(key) else { return nil }
        let name = path(of: key)
        guard case .array(let items) = node.value else { throw typeError(key, node, expected: "an array of tables ([[\(name)]])") }
        var readers: [TOMLReader] = []
        for (index, item) in items.enumerated() {
            guard case .table(let table) = item.value else {
                throw TOMLReadError(
                    file: file, line: item.position.line, key: "\(name)[\(index)]",
                    message: "must be a table ([[\(name)]]), not \(Self.described(item.value))")
            }
            readers.append(TOMLReader(table, file: file, path: "\(name)[\(index)]"))
        }
        return readers
    }

    // MARK: Unknown keys

    /// Refuses the table's first key, in document order, that is not allowed: not in
    /// `allowed` when it is given (then it may be checked before anything is read), otherwise
    /// not asked for by any getter (or ``skip(_:)``) so far. The message lists what is allowed.
    public func checkKeys(allowed: [String]? = nil) throws(TOMLReadError) {
        let known = allowed ?? keysRead.sorted()
        for key in contents.keys where !known.contains(key) {
            let place = path.isEmpty ? "at the top level" : "in \(path)"
            let hint = known.isEmpty ? "no keys are allowed here" : "allowed: \(known.joined(separator: ", "))"
            throw error(key, "unknown key \(place); \(hint)")
        }
    }

    // MARK: Helpers

    /// The node under `key`, counting the key as read.
    private mutating func node(_ key: String) -> TOMLNode? {
        if !keysRead.contains(key) { keysRead.append(key) }
        return contents[key]
    }

    private func error(_ key: String, _ node: TOMLNode, _ message: String) -> TOMLReadError {
        TOMLReadError(file: file, line: node.position.line, key: path(of: key), message: message)
    }

    private func typeError(_ key: String, _ node: TOMLNode, expected: String) -> TOMLReadError {
        error(key, node, "must be \(expected), not \(Self.described(node.value))")
    }

    /// "a string", "an integer", "an array"…
    static func described(_ value: TOMLValue) -> String {
        let name = value.typeName
        let vowel = name.first.map { "aeiou".contains($0) } ?? false
        return (vowel ? "an " : "a ") + name
    }
}

/// A TOML value its reader refuses, located: the file (when known), the line, the key's dotted
/// path and why. Printed as `tidingsd.toml:12: sources[1].interval: bad duration "15 minutes"; …`.
public struct TOMLReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String? = nil, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var out = ""
        if let file {
            out = file + (line.map { ":\($0)" } ?? "") + ": "
        } else if let line {
            out = "line \(line): "
        }
        if let key { out += "\(key): " }
        return out + message
    }
}
