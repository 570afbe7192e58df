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
    /// Time between fetches of a source. Below a second is for load tests and local folders:
    /// a site is still spared by `host_delay` and `max_concurrent`.
    public static let intervalRange: ClosedRange<Double> = 0.1...(365 * 86_400)
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
        do {
            return try read(TOMLReader(root, file: file), workingDirectory: workingDirectory)
        } catch {
            throw ConfigError(file: error.file ?? file, line: error.line, key: error.key, message: error.message)
        }
    }

    /// Reads the parsed document. Each table's keys are checked before its values.
    static func read(_ document: TOMLReader, workingDirectory: String) throws(TOMLReadError) -> DaemonConfig {
        var root = document
        let file = root.file ?? ""
        try root.checkKeys(allowed: topKeys)

        var config = DaemonConfig(
            file: file, database: resolve("/var/lib/tidings/tidings.db", against: workingDirectory),
            socket: "/run/tidings/tidingsd.sock", socketMode: 0o660, logLevel: "info",
            fetch: DaemonConfig.FetchSettings(), sources: [])

        if var daemon = try root.table("daemon") {
            try daemon.checkKeys(allowed: daemonKeys)
            if let value = try daemon.string("database") {
                config.database = resolve(value, against: workingDirectory)
            }
            if let value = try daemon.string("socket") {
                config.socket = value.hasPrefix("@") ? value : resolve(value, against: workingDirectory)
            }
            if let value = try daemon.string("socket_mode") {
                guard value == "0600" || value == "0660" else {
                    throw daemon.error("socket_mode", "must be \"0660\" (group may read) or \"0600\" (owner only), not \"\(value)\"")
                }
                config.socketMode = value == "0600" ? 0o600 : 0o660
            }
            if let value = try daemon.string("log_level") {
                guard logLevels.contains(value) else {
                    throw daemon.error("log_level", "must be one of \(logLevels.joined(separator: ", ")), not \"\(value)\"")
                }
                config.logLevel = value
            }
            if let value = try daemon.int(
                "keep_fetches", range: 1...1_000_000, expected: "a number of fetch-log rows per source from 1 to 1000000")
            {
                config.history.perSource = value
            }
            if let value = try daemon.duration("keep_fetches_for", range: 3600...(3650 * 86_400)) {
                config.history.maxAge = value
            }
        }

        if var fetch = try root.table("fetch") {
            try fetch.checkKeys(allowed: fetchKeys)
            if let value = try fetch.bool("allow_private_networks") { config.fetch.allowPrivateNetworks = value }
            if let value = try fetch.duration("interval", range: ConfigLoader.intervalRange) { config.fetch.interval = value }
            if let value = try fetch.duration("timeout", range: 1...3600) { config.fetch.timeout = value }
            if let value = try fetch.size("max_body_size") { config.fetch.maxBytes = value }
            if let value = try fetch.string("user_agent") { config.fetch.userAgent = value }
            if let value = try fetch.string("proxy") {
                guard let scheme = URL(string: value)?.scheme?.lowercased(), ["http", "https", "socks4", "socks5", "socks5h"].contains(scheme) else {
                    throw fetch.error("proxy", "must be a proxy URL such as \"http://proxy.example:3128\" or \"socks5://127.0.0.1:1080\", not \"\(value)\"")
                }
                config.fetch.proxy = value
            }
            if let value = try fetch.duration("host_delay", range: 0.001...3600) { config.fetch.hostDelay = value }
            if let value = try fetch.bool("fetch_articles") { config.fetch.fetchArticles = value }
            if let value = try fetch.bool("adaptive") { config.fetch.adaptive = value }
            if let value = try fetch.int("max_concurrent", range: 1...256, expected: "a number of sources from 1 to 256") {
                config.fetch.maxConcurrent = value
            }
            let low = try fetch.duration("min_interval", range: ConfigLoader.intervalRange) ?? config.fetch.adaptiveBounds.lowerBound
            let high = try fetch.duration("max_interval", range: ConfigLoader.intervalRange) ?? config.fetch.adaptiveBounds.upperBound
            guard low <= high else {
                throw fetch.error("min_interval", "must not be longer than max_interval (\(Durations.format(high)))")
            }
            config.fetch.adaptiveBounds = low...high
            if let value = try fetch.int("article_min_length", range: 0...1_000_000, expected: "a number of characters from 0 to 1000000") {
                config.fetch.articleMinLength = value
            }
        }

        // Plugins: the tables are read here, and every built-in plugin checks its own keys now,
        // so a typo stops the daemon at start (and `check-config`) with its line.
        let plugins = try root.table("plugins")
        do {
            config.plugins = try PluginSettings.read(plugins?.contents)
            _ = try PluginSet.make(config.plugins, startExec: false, logger: Logger(label: "tidings.config"))
        } catch {
            throw TOMLReadError(file: file, line: error.line, key: error.key, message: error.message)
        }

        if let sources = try root.tables("sources") {
            var names: [String: Int] = [:]
            var urls: [String: Int] = [:]
            for var source in sources {
                try source.checkKeys(allowed: sourceKeys)
                guard let rawURL = try source.string("url") else {
                    throw source.error("missing \"url\" (an http(s):// or file:// URL, or a path to a local feed file)")
                }
                guard let url = SourceURL.normalize(rawURL, workingDirectory: workingDirectory) else {
                    throw source.error("url", "must be an http://, https:// or file:// URL or a file path, not \"\(rawURL)\"")
                }
                let name = try source.string("name") ?? SourceDefinition.defaultName(for: url)
                if let first = urls[url] {
                    throw source.error("url", "the same URL is already configured at line \(first)")
                }
                if let first = names[name] {
                    throw source.error(
                        source.line(of: "name") == nil ? "url" : "name",
                        "the source name \"\(name)\" is already used by the source at line \(first); set a distinct name")
                }
                let line = source.contents.position.line
                names[name] = line
                urls[url] = line
                let interval = try source.duration("interval", range: ConfigLoader.intervalRange) ?? config.fetch.interval
                let enabled = try source.bool("enabled") ?? true
                let tlsVerify = try source.bool("tls_verify") ?? true
                var kind = SourceDefinition.defaultKind(for: url)
                if let text = try source.string("kind") {
                    guard let value = Source.Kind(rawValue: text) else {
                        throw source.error("kind", "must be \"feed\", \"page\" or \"folder\", not \"\(text)\"")
                    }
                    if value == .folder && !url.hasPrefix("file:") {
                        throw source.error("kind", "a folder source must be a local directory (a file:// URL or a path)")
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
        let trimmed = trimmingSpaces(text)
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

    /// `text` without the tabs and spaces (Unicode's Zs) at its ends: what Foundation's
    /// `trimmingCharacters(in: .whitespaces)` removes, without its NSString round trip (a
    /// tenth of a 100,000-outline import's time).
    static func trimmingSpaces(_ text: String) -> String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || (scalar.value > 0x7F && scalar.properties.generalCategory == .spaceSeparator)
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }
}
