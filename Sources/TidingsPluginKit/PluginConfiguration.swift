import Foundation
import Synchronization
import TidingsTOML

/// A plugin's `[plugins.<name>]` table, read with types and checked: every accessor names the
/// key and its line when a value is wrong, and ``finish()`` refuses keys nobody asked for (a
/// typo must not be silently ignored). `enabled` is the daemon's and is never the plugin's
/// concern.
///
/// A `TOMLReader` does the reading; it sits behind a lock because it counts the keys read,
/// and a plugin's `init` reads through a shared `let`.
public final class PluginConfiguration: Sendable {
    public let plugin: String
    /// Folders where the plugin's data files are looked for, first match wins: the
    /// `data_dir` key, `$TIDINGS_DATA_DIR/<plugin>`, the installed share folder, then the
    /// source tree's `plugins/<plugin>/data` (for development).
    public let dataDirectories: [String]
    private let reader: Mutex<TOMLReader>

    public init(plugin: String, table: TOMLTable = TOMLTable(position: TOMLPosition(line: 1, column: 1)), dataDirectories: [String] = []) {
        self.plugin = plugin
        self.dataDirectories = dataDirectories
        var reader = TOMLReader(table, path: "plugins.\(plugin)")
        reader.skip("enabled")
        self.reader = Mutex(reader)
    }

    /// Where a key is, for messages.
    public func line(of key: String) -> Int? { reader.withLock { $0.line(of: key) } }

    /// One read, its error made this plugin's.
    private func read<Value: Sendable>(_ body: (inout TOMLReader) throws(TOMLReadError) -> Value) throws(PluginConfigurationError) -> Value {
        do {
            return try reader.withLock { (reader) throws(TOMLReadError) -> Value in try body(&reader) }
        } catch {
            throw PluginConfigurationError(plugin: plugin, error)
        }
    }

    public func string(_ key: String) throws(PluginConfigurationError) -> String? {
        try read { reader throws(TOMLReadError) in try reader.string(key) }
    }

    public func string(_ key: String, default value: String) throws(PluginConfigurationError) -> String {
        try string(key) ?? value
    }

    public func bool(_ key: String, default value: Bool) throws(PluginConfigurationError) -> Bool {
        try read { reader throws(TOMLReadError) in try reader.bool(key) } ?? value
    }

    public func int(_ key: String, default value: Int, range: ClosedRange<Int>) throws(PluginConfigurationError) -> Int {
        try read { reader throws(TOMLReadError) in try reader.int(key, range: range) } ?? value
    }

    /// A number (integer or float) within `range`.
    public func double(_ key: String, default value: Double, range: ClosedRange<Double>) throws(PluginConfigurationError) -> Double {
        try read { reader throws(TOMLReadError) in try reader.double(key, range: range) } ?? value
    }

    public func strings(_ key: String, default value: [String] = []) throws(PluginConfigurationError) -> [String] {
        try read { reader throws(TOMLReadError) in try reader.strings(key) } ?? value
    }

    /// A duration such as "5s" or "250ms", in seconds.
    public func duration(_ key: String, default value: Double, range: ClosedRange<Double>) throws(PluginConfigurationError) -> Double {
        try read { reader throws(TOMLReadError) in try reader.duration(key, range: range) } ?? value
    }

    /// The path of a data file: the first of ``dataDirectories`` that has it.
    public func dataFile(_ name: String) throws(PluginConfigurationError) -> String {
        let custom = try string("data_dir")
        let folders = (custom.map { [$0] } ?? []) + dataDirectories
        for folder in folders {
            let path = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.isReadableFile(atPath: path) { return path }
        }
        let looked = folders.isEmpty ? "no folder" : folders.joined(separator: ", ")
        let error = reader.withLock {
            $0.error("data_dir", "cannot find \(name) for plugin \(plugin); looked in \(looked); set [plugins.\(plugin)] data_dir")
        }
        throw PluginConfigurationError(plugin: plugin, error)
    }

    /// Refuses keys that no accessor read.
    public func finish() throws(PluginConfigurationError) {
        try read { reader throws(TOMLReadError) in try reader.checkKeys() }
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

    /// The reader's error, with the key relative to `[plugins.<plugin>]`.
    init(plugin: String, _ error: TOMLReadError) {
        let table = "plugins.\(plugin)."
        var key = error.key ?? ""
        if key.hasPrefix(table) { key.removeFirst(table.count) }
        self.init(plugin: plugin, key: key, line: error.line, message: error.message)
    }

    public var description: String { "plugins.\(plugin).\(key): \(message)" }
}
