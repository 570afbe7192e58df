import Foundation

/// A place the daemon reads news from, as stored in the `sources` table.
public struct Source: Sendable, Equatable, Codable {
    /// Where the source's definition came from. Config sources are synced from the TOML file
    /// on start and reload; admin sources were added with `tidingsctl sources add`.
    public enum Origin: String, Sendable, Codable { case config, admin }

    public var id: Int64
    public var name: String
    public var url: String
    public var origin: Origin
    public var enabled: Bool
    /// Seconds between fetches.
    public var interval: Double
    public var lastFetchAt: Date?
    public var lastStatus: String?
    public var lastError: String?
    public var consecutiveErrors: Int
    public var nextFetchAt: Date?
    public var documents: Int
    /// False when the source opted out of TLS certificate verification.
    public var tlsVerify: Bool

    public init(
        id: Int64, name: String, url: String, origin: Origin, enabled: Bool, interval: Double,
        lastFetchAt: Date? = nil, lastStatus: String? = nil, lastError: String? = nil,
        consecutiveErrors: Int = 0, nextFetchAt: Date? = nil, documents: Int = 0, tlsVerify: Bool = true
    ) {
        self.tlsVerify = tlsVerify
        self.id = id
        self.name = name
        self.url = url
        self.origin = origin
        self.enabled = enabled
        self.interval = interval
        self.lastFetchAt = lastFetchAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.consecutiveErrors = consecutiveErrors
        self.nextFetchAt = nextFetchAt
        self.documents = documents
    }
}

/// A source as the config file or an admin request defines it, before it has an id.
public struct SourceDefinition: Sendable, Equatable {
    public var name: String
    public var url: String
    public var interval: Double
    public var enabled: Bool
    public var tlsVerify: Bool

    public init(name: String, url: String, interval: Double, enabled: Bool = true, tlsVerify: Bool = true) {
        self.tlsVerify = tlsVerify
        self.name = name
        self.url = url
        self.interval = interval
        self.enabled = enabled
    }

    /// A readable default name: the host, or the file name for local sources.
    public static func defaultName(for url: String) -> String {
        guard let parsed = URL(string: url) else { return url }
        if parsed.isFileURL {
            let base = parsed.deletingPathExtension().lastPathComponent
            let parent = parsed.deletingLastPathComponent().lastPathComponent
            return parent.isEmpty || parent == "/" ? base : "\(parent)-\(base)"
        }
        return parsed.host ?? url
    }
}
