import Foundation
import TidingsCore
import TidingsPipeline

/// The daemon's configuration, read from TOML and validated. Relative paths are resolved
/// against the working directory at load time (so `make run`'s config keeps state in `./var/`).
public struct DaemonConfig: Sendable, Equatable {
    /// The file it was read from (absolute).
    public var file: String
    public var database: String
    public var socket: String
    /// Mode of the admin socket file, 0600 or 0660.
    public var socketMode: UInt32
    public var logLevel: String
    public var fetch: FetchSettings
    public var sources: [SourceDefinition]
    /// `[plugins.<name>]` tables and `[[plugins.exec]]` programs.
    public var plugins = PluginSettings()
    /// How much of the fetch log is kept (`keep_fetches`, `keep_fetches_for`).
    public var history = History()

    public struct History: Sendable, Equatable {
        /// The newest fetch-log rows kept per source.
        public var perSource = 100
        /// Rows older than this (seconds) are deleted, whatever their number.
        public var maxAge: Double = 7 * 86_400
    }

    public struct FetchSettings: Sendable, Equatable {
        /// When false, sources and links that resolve to loopback, private or link-local
        /// addresses are refused.
        public var allowPrivateNetworks = false
        /// Default seconds between fetches of a source.
        public var interval: Double = 900
        /// Seconds a whole transfer may take.
        public var timeout: Double = 30
        /// Largest response body accepted, in bytes.
        public var maxBytes = 16 << 20
        public var userAgent = "tidingsd/\(TidingsVersion.string) (+https://github.com/tidings/tidings)"
        /// A proxy for every fetch (`http://host:port`, `socks5://host:port`), or nil.
        public var proxy: String?
        /// Most sources fetched at the same time (one per host).
        public var maxConcurrent = 8
        /// Least time between two requests to the same host, in seconds.
        public var hostDelay: Double = 1
        /// Adapt each feed's interval to how often it publishes, within `adaptiveBounds`.
        public var adaptive = true
        public var adaptiveBounds: ClosedRange<Double> = 300...43_200
        /// Fetch the page behind a feed item whose own text is short, and read its article.
        public var fetchArticles = true
        /// Items with less text than this (in characters) get their article page fetched.
        public var articleMinLength = 500
        /// Tries before an article page is given up (its item keeps the feed's text).
        public var articleAttempts = 5
        /// Longest a server's freshness hints (max-age, Expires, RSS ttl) may push a fetch back.
        public var maxFreshness: Double = 86_400
    }
}

/// A config problem, located: `tidingsd.toml:12: sources[1].interval: …`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public var description: String {
        var out = file
        if let line { out += ":\(line)" }
        out += ": "
        if let key { out += "\(key): " }
        return out + message
    }
}
