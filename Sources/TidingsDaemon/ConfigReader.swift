import TidingsCore
import TidingsTOML

/// Typed, located access to TOML values for ``ConfigLoader``.
struct TableReader {
    let file: String

    func error(_ table: TOMLTable, _ key: String, path: String, _ message: String) -> ConfigError {
        ConfigError(file: file, line: table[key]?.position.line ?? table.position.line, key: join(path, key), message: message)
    }

    func typeError(_ node: TOMLNode, key: String, expected: String) -> ConfigError {
        ConfigError(file: file, line: node.position.line, key: key, message: "must be \(expected), not a \(node.value.typeName)")
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Fails on the first key not in `allowed`, listing what is allowed.
    func checkKeys(_ table: TOMLTable, allowed: [String], path: String) throws(ConfigError) {
        for key in table.keys where !allowed.contains(key) {
            let place = path.isEmpty ? "at the top level" : "in \(path)"
            let hint = allowed.isEmpty ? "no keys are allowed here yet" : "allowed: \(allowed.joined(separator: ", "))"
            throw ConfigError(file: file, line: table[key]?.position.line, key: join(path, key), message: "unknown key \(place); \(hint)")
        }
    }

    func table(_ table: TOMLTable, _ key: String, path: String) throws(ConfigError) -> TOMLTable? {
        guard let node = table[key] else { return nil }
        guard case .table(let value) = node.value else { throw typeError(node, key: join(path, key), expected: "a table ([\(key)])") }
        return value
    }

    func string(_ table: TOMLTable, _ key: String, path: String) throws(ConfigError) -> String? {
        guard let node = table[key] else { return nil }
        guard case .string(let value) = node.value else { throw typeError(node, key: join(path, key), expected: "a string") }
        return value
    }

    func bool(_ table: TOMLTable, _ key: String, path: String) throws(ConfigError) -> Bool? {
        guard let node = table[key] else { return nil }
        guard case .bool(let value) = node.value else { throw typeError(node, key: join(path, key), expected: "true or false") }
        return value
    }

    /// A duration string such as "15m", in seconds, within `range`.
    func duration(_ table: TOMLTable, _ key: String, path: String, range: ClosedRange<Double>) throws(ConfigError) -> Double? {
        guard let node = table[key] else { return nil }
        guard case .string(let text) = node.value else {
            throw typeError(node, key: join(path, key), expected: "a duration string (\(Durations.allowed))")
        }
        guard let seconds = Durations.seconds(text) else {
            throw ConfigError(file: file, line: node.position.line, key: join(path, key), message: "bad duration \"\(text)\"; use \(Durations.allowed)")
        }
        guard range.contains(seconds) else {
            throw ConfigError(
                file: file, line: node.position.line, key: join(path, key),
                message: "\"\(text)\" is out of range; use between \(Durations.format(range.lowerBound)) and \(Durations.format(range.upperBound))")
        }
        return seconds
    }

    /// A size: an integer of bytes, or a string such as "16MiB", "512KiB", "2MB".
    func size(_ table: TOMLTable, _ key: String, path: String) throws(ConfigError) -> Int? {
        guard let node = table[key] else { return nil }
        let allowed = "a positive number of bytes, or a string such as \"512KiB\", \"16MiB\" or \"1GiB\""
        switch node.value {
        case .integer(let bytes) where bytes > 0 && bytes <= Sizes.max: return Int(bytes)
        case .string(let text):
            if let bytes = Sizes.bytes(text), bytes <= Sizes.max { return bytes }
            throw ConfigError(file: file, line: node.position.line, key: join(path, key), message: "bad size \"\(text)\"; use \(allowed), at most 1GiB")
        default: throw typeError(node, key: join(path, key), expected: allowed)
        }
    }
}
