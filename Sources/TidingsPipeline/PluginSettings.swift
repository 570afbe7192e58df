import Foundation
import TidingsCore
import TidingsTOML

/// What `[plugins]` in the config says: per built-in plugin its table (with `enabled`), and
/// the `[[plugins.exec]]` programs. Read and checked by ``PluginSettings/read(_:)``; the
/// plugins themselves check their own keys when they are made (``PluginSet/make``).
public struct PluginSettings: Sendable, Equatable {
    public var tables: [String: TOMLTable] = [:]
    public var exec: [ExecPluginSettings] = []

    public init() {}

    /// Whether the config switches a plugin on (the default) or off.
    public func enabledInConfig(_ name: String) -> Bool {
        if case .bool(let flag)? = tables[name]?["enabled"]?.value { return flag }
        if let exec = exec.first(where: { $0.name == name }) { return exec.enabled }
        return true
    }

    /// Reads `[plugins]`: known built-in names and `exec`; anything else is an error with its line.
    public static func read(_ table: TOMLTable?) throws(PluginSetupError) -> PluginSettings {
        var settings = PluginSettings()
        guard let table else { return settings }
        let builtIn = PluginRegistry.builtIn.map { $0.descriptor.name }
        for key in table.keys {
            let node = table[key]!
            if key == "exec" {
                guard case .array(let items) = node.value else {
                    throw PluginSetupError(line: node.position.line, key: "plugins.exec", message: "must be an array of tables ([[plugins.exec]])")
                }
                for (index, item) in items.enumerated() {
                    guard case .table(let entry) = item.value else {
                        throw PluginSetupError(line: item.position.line, key: "plugins.exec[\(index)]", message: "must be a table ([[plugins.exec]])")
                    }
                    settings.exec.append(try ExecPluginSettings.read(entry, index: index))
                }
                continue
            }
            guard builtIn.contains(key) else {
                throw PluginSetupError(
                    line: node.position.line, key: "plugins.\(key)",
                    message: "no built-in plugin is called \(key); built in: \(builtIn.joined(separator: ", ")); other programs go in [[plugins.exec]]")
            }
            guard case .table(let entry) = node.value else {
                throw PluginSetupError(line: node.position.line, key: "plugins.\(key)", message: "must be a table ([plugins.\(key)])")
            }
            if let enabled = entry["enabled"], case .bool = enabled.value {} else if let enabled = entry["enabled"] {
                throw PluginSetupError(line: enabled.position.line, key: "plugins.\(key).enabled", message: "must be true or false")
            }
            settings.tables[key] = entry
        }
        var names = Set(builtIn)
        for exec in settings.exec {
            guard names.insert(exec.name).inserted else {
                throw PluginSetupError(line: exec.line, key: "plugins.exec", message: "a plugin called \(exec.name) exists already; names must be unique")
            }
        }
        return settings
    }
}

/// One `[[plugins.exec]]` entry.
public struct ExecPluginSettings: Sendable, Equatable {
    public var name: String
    public var command: [String]
    /// Longest wait for one reply (and for the handshake).
    public var timeout: Double
    public var enabled: Bool
    /// Passed to the program as `TIDINGS_PLUGIN_CONFIG` (JSON): its own settings.
    public var options: [String: String]
    public var line: Int

    public init(name: String, command: [String], timeout: Double = 5, enabled: Bool = true, options: [String: String] = [:], line: Int = 0) {
        self.name = name
        self.command = command
        self.timeout = timeout
        self.enabled = enabled
        self.options = options
        self.line = line
    }

    static let keys = ["name", "command", "timeout", "enabled", "options"]

    static func read(_ table: TOMLTable, index: Int) throws(PluginSetupError) -> ExecPluginSettings {
        let path = "plugins.exec[\(index)]"
        func fail(_ key: String, _ message: String) -> PluginSetupError {
            PluginSetupError(line: table[key]?.position.line ?? table.position.line, key: "\(path).\(key)", message: message)
        }
        for key in table.keys where !keys.contains(key) {
            throw fail(key, "unknown key; allowed: \(keys.joined(separator: ", "))")
        }
        guard case .string(let name)? = table["name"]?.value, !name.isEmpty else { throw fail("name", "is required: a name for the plugin (a string)") }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), name.count <= 64 else {
            throw fail("name", "\"\(name)\": use letters, digits, - and _ only")
        }
        guard case .array(let items)? = table["command"]?.value, !items.isEmpty else {
            throw fail("command", "is required: the program and its arguments, e.g. [\"/usr/bin/python3\", \"keywords.py\"]")
        }
        var command: [String] = []
        for item in items {
            guard case .string(let word) = item.value else { throw fail("command", "must be an array of strings") }
            command.append(word)
        }
        var settings = ExecPluginSettings(name: name, command: command, line: table.position.line)
        if let node = table["timeout"] {
            guard case .string(let text) = node.value, let seconds = Durations.seconds(text), seconds >= 0.05, seconds <= 600 else {
                throw fail("timeout", "must be a duration between 50ms and 10m, such as \"5s\"")
            }
            settings.timeout = seconds
        }
        if let node = table["enabled"] {
            guard case .bool(let flag) = node.value else { throw fail("enabled", "must be true or false") }
            settings.enabled = flag
        }
        if let node = table["options"] {
            guard case .table(let options) = node.value else { throw fail("options", "must be a table of strings") }
            for key in options.keys {
                guard case .string(let value)? = options[key]?.value else { throw fail("options", "\(key) must be a string") }
                settings.options[key] = value
            }
        }
        return settings
    }
}

/// A `[plugins]` problem found before anything runs: where, and what.
public struct PluginSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int?
    public var key: String?
    public var message: String

    public init(line: Int?, key: String?, message: String) {
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String { (key.map { "\($0): " } ?? "") + message }
}
