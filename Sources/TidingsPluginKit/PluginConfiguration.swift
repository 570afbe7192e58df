import Foundation
import TidingsCore
import TidingsTOML

/// A plugin's `[plugins.<name>]` table, read with types and checked: every accessor names the
/// key and its line when a value is wrong, and ``finish()`` refuses keys nobody asked for (a
/// typo must not be silently ignored). `enabled` is the daemon's and is never the plugin's
/// concern.
public final class PluginConfiguration: @unchecked Sendable {
    public let plugin: String
    let table: TOMLTable
    private var read: Set<String> = ["enabled"]
    /// Folders where the plugin's data files are looked for, first match wins: the
    /// `data_dir` key, `$TIDINGS_DATA_DIR/<plugin>`, the installed share folder, then the
    /// source tree's `plugins/<plugin>/data` (for development).
    public let dataDirectories: [String]

    public init(plugin: String, table: TOMLTable = TOMLTable(position: TOMLPosition(line: 1, column: 1)), dataDirectories: [String] = []) {
        self.plugin = plugin
        self.table = table
        self.dataDirectories = dataDirectories
    }

    /// Where a key is, for messages.
    public func line(of key: String) -> Int? { table[key]?.position.line }

    func error(_ key: String, _ message: String) -> PluginConfigurationError {
        PluginConfigurationError(plugin: plugin, key: key, line: table[key]?.position.line ?? table.position.line, message: message)
    }

    func node(_ key: String) -> TOMLNode? {
        read.insert(key)
        return table[key]
    }

    public func string(_ key: String) throws(PluginConfigurationError) -> String? {
        guard let node = node(key) else { return nil }
        guard case .string(let value) = node.value else { throw error(key, "must be a string, not a \(node.value.typeName)") }
        return value
    }

    public func string(_ key: String, default value: String) throws(PluginConfigurationError) -> String {
        try string(key) ?? value
    }

    public func bool(_ key: String, default value: Bool) throws(PluginConfigurationError) -> Bool {
        guard let node = node(key) else { return value }
        guard case .bool(let flag) = node.value else { throw error(key, "must be true or false, not a \(node.value.typeName)") }
        return flag
    }

    public func int(_ key: String, default value: Int, range: ClosedRange<Int>) throws(PluginConfigurationError) -> Int {
        guard let node = node(key) else { return value }
        guard case .integer(let number) = node.value else { throw error(key, "must be an integer, not a \(node.value.typeName)") }
        guard let int = Int(exactly: number), range.contains(int) else {
            throw error(key, "\(number) is out of range; use \(range.lowerBound)…\(range.upperBound)")
        }
        return int
    }

    public func double(_ key: String, default value: Double, range: ClosedRange<Double>) throws(PluginConfigurationError) -> Double {
        guard let node = node(key) else { return value }
        let number: Double
        switch node.value {
        case .integer(let int): number = Double(int)
        case .float(let float): number = float
        default: throw error(key, "must be a number, not a \(node.value.typeName)")
        }
        guard range.contains(number) else { throw error(key, "\(number) is out of range; use \(range.lowerBound)…\(range.upperBound)") }
        return number
    }

    public func strings(_ key: String, default value: [String] = []) throws(PluginConfigurationError) -> [String] {
        guard let node = node(key) else { return value }
        guard case .array(let items) = node.value else { throw error(key, "must be an array of strings, not a \(node.value.typeName)") }
        var out: [String] = []
        for item in items {
            guard case .string(let text) = item.value else { throw error(key, "must be an array of strings; found a \(item.value.typeName)") }
            out.append(text)
        }
        return out
    }

    /// A duration such as "5s" or "250ms", in seconds.
    public func duration(_ key: String, default value: Double, range: ClosedRange<Double>) throws(PluginConfigurationError) -> Double {
        guard let node = node(key) else { return value }
        guard case .string(let text) = node.value, let seconds = Durations.seconds(text) else {
            throw error(key, "must be a duration string (\(Durations.allowed))")
        }
        guard range.contains(seconds) else {
            throw error(key, "\"\(text)\" is out of range; use between \(Durations.format(range.lowerBound)) and \(Durations.format(range.upperBound))")
        }
        return seconds
    }

    /// The path of a data file: the first of ``dataDirectories`` that has it.
    public func dataFile(_ name: String) throws(PluginConfigurationError) -> String {
        let custom = try string("data_dir")
        let folders = (custom.map { [$0] } ?? []) + dataDirectories
        for folder in folders {
            let path = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.isReadableFile(atPath: path) { return path }
        }
        throw error(
            custom == nil ? "data_dir" : "data_dir",
            "cannot find \(name) for plugin \(plugin); looked in \(folders.isEmpty ? "no folder" : folders.joined(separator: ", ")); set [plugins.\(plugin)] data_dir")
    }

    /// Refuses keys that no accessor read.
    public func finish() throws(PluginConfigurationError) {
        for key in table.keys where !read.contains(key) {
            let known = read.subtracting(["enabled"]).sorted()
            throw error(key, "unknown key for plugin \(plugin); \(known.isEmpty ? "it takes no keys" : "it takes: " + known.joined(separator: ", "))")
        }
    }
}

/// A wrong `[plugins.<name>]` value: which key, on which line, and why.
public struct PluginConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var plugin: String
    public var key: String
    public var line: Int?
    public var message: String

    public init(plugin: String, key: String, line: Int?, message: String) {
        self.plugin = plugin
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String { "plugins.\(plugin).\(key): \(message)" }
}
