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
        do throws(TOMLReadError) {
            var plugins = TOMLReader(table, path: "plugins")
            for key in plugins.keys {
                if key == "exec" {
                    for entry in try plugins.tables("exec") ?? [] {
                        settings.exec.append(try ExecPluginSettings.read(entry))
                    }
                    continue
                }
                guard builtIn.contains(key) else {
                    throw plugins.error(
                        key, "no built-in plugin is called \(key); built in: \(builtIn.joined(separator: ", ")); other programs go in [[plugins.exec]]")
                }
                guard var entry = try plugins.table(key) else { continue }
                _ = try entry.bool("enabled")
                settings.tables[key] = entry.contents
            }
        } catch {
            throw PluginSetupError(error)
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

    /// Reads one `[[plugins.exec]]` entry.
    static func read(_ entry: TOMLReader) throws(TOMLReadError) -> ExecPluginSettings {
        var entry = entry
        try entry.checkKeys(allowed: keys)
        guard let name = try entry.string("name"), !name.isEmpty else { throw entry.error("name", "is required: a name for the plugin (a string)") }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), name.count <= 64 else {
            throw entry.error("name", "\"\(name)\": use letters, digits, - and _ only")
        }
        guard let command = try entry.strings("command"), !command.isEmpty else {
            throw entry.error("command", "is required: the program and its arguments, e.g. [\"/usr/bin/python3\", \"keywords.py\"]")
        }
        var settings = ExecPluginSettings(name: name, command: command, line: entry.contents.position.line)
        if let seconds = try entry.duration("timeout", range: 0.05...600) { settings.timeout = seconds }
        if let flag = try entry.bool("enabled") { settings.enabled = flag }
        if var options = try entry.table("options", expected: "a table of strings") {
            for key in options.keys {
                settings.options[key] = try options.string(key)
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

    /// A value of `[plugins]` its reader refused.
    public init(_ error: TOMLReadError) {
        self.init(line: error.line, key: error.key, message: error.message)
    }

    public var description: String { (key.map { "\($0): " } ?? "") + message }
}
