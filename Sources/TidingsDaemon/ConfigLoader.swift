import Foundation
import Logging
import TidingsCore
import TidingsPipeline
import TidingsTOML

/// Reads and validates `tidingsd.toml`. Every unknown key, wrong type or bad value is an
/// error naming the file, the line and the key, and saying what is allowed.
public enum ConfigLoader {
    /// The config keys, by table. Unknown keys are errors, not silently ignored.
    static let daemonKeys = ["database", "socket", "socket_mode", "log_level", "keep_fetches", "keep_fetches_for"]
    static let fetchKeys = [
        "allow_private_networks", "interval", "timeout", "max_body_size", "user_agent", "proxy", "host_delay", "fetch_articles",
        "article_min_length", "adaptive", "min_interval", "max_interval", "max_concurrent",
    ]
    static let sourceKeys = ["url", "name", "interval", "enabled", "tls_verify", "kind"]
    static let topKeys = ["daemon", "fetch", "sources", "plugins"]
    /// Fetch intervals from one second to a year.
    public static let intervalRange: ClosedRange<Double> = 1...(365 * 86_400)
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Loads `path`; relative paths inside resolve against `workingDirectory`.
    public static func load(
        path: String, workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigError) -> DaemonConfig {
        let absolute = resolve(path, against: workingDirectory)
        guard let data = FileManager.default.contents(atPath: absolute) else {
            let reason = FileManager.default.fileExists(atPath: absolute) ? "cannot be read (permissions?)" : "does not exist"
            throw ConfigError(file: absolute, line: nil, key: nil, message: "the config file \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: absolute, line: nil, key: nil, message: "the config file is not valid UTF-8")
        }
        return try parse(text, file: absolute, workingDirectory: workingDirectory)
    }

    /// Validates TOML text as a config.
    public static func parse(_ text: String, file: String, workingDirectory: String) throws(ConfigError) -> DaemonConfig {
        let root: TOMLTable
        do {
            root = try TOMLParser.parse(text)
        } catch {
            throw ConfigError(file: file, line: error.line, key: nil, message: "not valid TOML: \(error.message) (column \(error.column))")
        }
        let reader = TableReader(file: file)
        try reader.checkKeys(root, allowed: topKeys, path: "")

        var config = DaemonConfig(
            file: file, database: resolve("/var/lib/tidings/tidings.db", against: workingDirectory),
            socket: "/run/tidings/tidingsd.sock", socketMode: 0o660, logLevel: "info",
            fetch: DaemonConfig.FetchSettings(), sources: [])

        if let daemon = try reader.table(root, "daemon", path: "") {
            try reader.checkKeys(daemon, allowed: daemonKeys, path: "daemon")
            if let value = try reader.string(daemon, "database", path: "daemon") {
                config.database = resolve(value, against: workingDirectory)
            }
            if let value = try reader.string(daemon, "socket", path: "daemon") {
                config.socket = value.hasPrefix("@") ? value : resolve(value, against: workingDirectory)
            }
            if let value = try reader.string(daemon, "socket_mode", path: "daemon") {
                guard value == "0600" || value == "0660" else {
                    throw reader.error(daemon, "socket_mode", path: "daemon", "must be \"0660\" (group may read) or \"0600\" (owner only), not \"\(value)\"")
                }
                config.socketMode = value == "0600" ? 0o600 : 0o660
            }
            if let value = try reader.string(daemon, "log_level", path: "daemon") {
                guard logLevels.contains(value) else {
                    throw reader.error(daemon, "log_level", path: "daemon", "must be one of \(logLevels.joined(separator: ", ")), not \"\(value)\"")
                }
                config.logLevel = value
            }
            if let node = daemon["keep_fetches"] {
                guard case .integer(let value) = node.value, (1...1_000_000).contains(value) else {
                    throw reader.typeError(node, key: "daemon.keep_fetches", expected: "a number of fetch-log rows per source from 1 to 1000000")
                }
                config.history.perSource = Int(value)
            }
            if let value = try reader.duration(daemon, "keep_fetches_for", path: "daemon", range: 3600...(3650 * 86_400)) {
                config.history.maxAge = value
            }
        }

        if let fetch = try reader.table(root, "fetch", path: "") {
            try reader.checkKeys(fetch, allowed: fetchKeys, path: "fetch")
            if let value = try reader.bool(fetch, "allow_private_networks", path: "fetch") { config.fetch.allowPrivateNetworks = value }
            if let value = try reader.duration(fetch, "interval", path: "fetch", range: ConfigLoader.intervalRange) { config.fetch.interval = value }
            if let value = try reader.duration(fetch, "timeout", path: "fetch", range: 1...3600) { config.fetch.timeout = value }
            if let value = try reader.size(fetch, "max_body_size", path: "fetch") { config.fetch.maxBytes = value }
            if let value = try reader.string(fetch, "user_agent", path: "fetch") { config.fetch.userAgent = value }
            if let value = try reader.string(fetch, "proxy", path: "fetch") {
                guard let scheme = URL(string: value)?.scheme?.lowercased(), ["http", "https", "socks4", "socks5", "socks5h"].contains(scheme) else {
                    throw reader.error(fetch, "proxy", path: "fetch", "must be a proxy URL such as \"http://proxy.example:3128\" or \"socks5://127.0.0.1:1080\", not \"\(value)\"")
                }
                config.fetch.proxy = value
            }
            if let value = try reader.duration(fetch, "host_delay", path: "fetch", range: 0.001...3600) { config.fetch.hostDelay = value }
            if let value = try reader.bool(fetch, "fetch_articles", path: "fetch") { config.fetch.fetchArticles = value }
            if let value = try reader.bool(fetch, "adaptive", path: "fetch") { config.fetch.adaptive = value }
            if let node = fetch["max_concurrent"] {
                guard case .integer(let value) = node.value, (1...256).contains(value) else {
                    throw reader.typeError(node, key: "fetch.max_concurrent", expected: "a number of sources from 1 to 256")
                }
                config.fetch.maxConcurrent = Int(value)
            }
            let low = try reader.duration(fetch, "min_interval", path: "fetch", range: ConfigLoader.intervalRange) ?? config.fetch.adaptiveBounds.lowerBound
            let high = try reader.duration(fetch, "max_interval", path: "fetch", range: ConfigLoader.intervalRange) ?? config.fetch.adaptiveBounds.upperBound
            guard low <= high else {
                throw reader.error(fetch, "min_interval", path: "fetch", "must not be longer than max_interval (\(Durations.format(high)))")
            }
            config.fetch.adaptiveBounds = low...high
            if let node = fetch["article_min_length"] {
                guard case .integer(let value) = node.value, (0...1_000_000).contains(value) else {
                    throw reader.typeError(node, key: "fetch.article_min_length", expected: "a number of characters from 0 to 1000000")
                }
                config.fetch.articleMinLength = Int(value)
            }
        }

        // Plugins: the tables are read here, and every built-in plugin checks its own keys now,
        // so a typo stops the daemon at start (and `check-config`) with its line.
        let pluginsTable = try reader.table(root, "plugins", path: "")
        do {
            config.plugins = try PluginSettings.read(pluginsTable)
            _ = try PluginSet.make(config.plugins, startExec: false, logger: Logger(label: "tidings.config"))
        } catch {
            throw ConfigError(file: file, line: error.line, key: error.key, message: error.message)
        }

        if let node = root["sources"] {
            guard case .array(let items) = node.value else {
                throw reader.typeError(node, key: "sources", expected: "an array of tables ([[sources]])")
            }
            var names: [String: Int] = [:]
            var urls: [String: Int] = [:]
            for (index, item) in items.enumerated() {
                let path = "sources[\(index)]"
                guard case .table(let table) = item.value else {
                    throw reader.typeError(item, key: path, expected: "a table ([[sources]])")
                }
                try reader.checkKeys(table, allowed: sourceKeys, path: path)
                guard let rawURL = try reader.string(table, "url", path: path) else {
                    throw ConfigError(file: file, line: table.position.line, key: path, message: "missing \"url\" (an http(s):// or file:// URL, or a path to a local feed file)")
                }
                guard let url = SourceURL.normalize(rawURL, workingDirectory: workingDirectory) else {
                    throw reader.error(table, "url", path: path, "must be an http://, https:// or file:// URL or a file path, not \"\(rawURL)\"")
                }
                let name = try reader.string(table, "name", path: path) ?? SourceDefinition.defaultName(for: url)
                if let first = urls[url] {
                    throw reader.error(table, "url", path: path, "the same URL is already configured at line \(first)")
                }
                if let first = names[name] {
                    throw reader.error(table, table["name"] == nil ? "url" : "name", path: path, "the source name \"\(name)\" is already used by the source at line \(first); set a distinct name")
                }
                names[name] = table.position.line
                urls[url] = table.position.line
                let interval = try reader.duration(table, "interval", path: path, range: ConfigLoader.intervalRange) ?? config.fetch.interval
                let enabled = try reader.bool(table, "enabled", path: path) ?? true
                let tlsVerify = try reader.bool(table, "tls_verify", path: path) ?? true
                var kind = SourceDefinition.defaultKind(for: url)
                if let text = try reader.string(table, "kind", path: path) {
                    guard let value = Source.Kind(rawValue: text) else {
                        throw reader.error(table, "kind", path: path, "must be \"feed\", \"page\" or \"folder\", not \"\(text)\"")
                    }
                    if value == .folder && !url.hasPrefix("file:") {
                        throw reader.error(table, "kind", path: path, "a folder source must be a local directory (a file:// URL or a path)")
                    }
                    kind = value
                }
                config.sources.append(
                    SourceDefinition(name: name, url: url, interval: interval, enabled: enabled, tlsVerify: tlsVerify, kind: kind))
            }
        }
        return config
    }

    /// Resolves a relative path against a directory; absolute paths come back unchanged.
    public static func resolve(_ path: String, against directory: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return (expanded as NSString).standardizingPath }
        return ((directory as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
    }
}

/// Source URLs as users write them: http(s) and file URLs, or plain file paths.
public enum SourceURL {
    /// The URL to store, or nil when `text` is neither a supported URL nor a path.
    public static func normalize(_ text: String, workingDirectory: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let colon = trimmed.firstIndex(of: ":"), trimmed[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) }),
            trimmed[..<colon].count > 1
        {
            let scheme = trimmed[..<colon].lowercased()
            guard ["http", "https", "file"].contains(scheme), let url = URL(string: trimmed), url.scheme != nil else { return nil }
            if scheme == "file" { return url.path.isEmpty ? nil : URL(fileURLWithPath: url.path).absoluteString }
            guard let host = url.host, !host.isEmpty else { return nil }
            return url.absoluteString
        }
        return URL(fileURLWithPath: ConfigLoader.resolve(trimmed, against: workingDirectory)).absoluteString
    }
}
