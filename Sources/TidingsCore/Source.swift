import Foundation

/// A place the daemon reads news from, as stored in the `sources` table.
public struct Source: Sendable, Equatable, Codable {
    /// Where the source's definition came from. Config sources are synced from the TOML file
    /// on start and reload; admin sources were added with `tidingsctl sources add`.
    public enum Origin: String, Sendable, Codable { case config, admin }

    /// What the URL holds: a feed of items, one page watched for changes, or a local folder of
    /// .html/.txt/.xml files.
    public enum Kind: String, Sendable, Codable, CaseIterable { case feed, page, folder }

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
    public var kind: Kind
    /// Article pages of its items still waiting to be read.
    public var articlesPending: Int = 0

    /// As the `sources` table names them (in snake_case on the wire): `interval` is `interval_s`.
    enum CodingKeys: String, CodingKey {
        case id, name, url, kind, origin, enabled
        case interval = "interval_s"
        case tlsVerify, lastFetchAt, lastStatus, lastError, consecutiveErrors, nextFetchAt, documents, articlesPending
    }

    public init(
        id: Int64, name: String, url: String, origin: Origin, enabled: Bool, interval: Double,
        lastFetchAt: Date? = nil, lastStatus: String? = nil, lastError: String? = nil,
        consecutiveErrors: Int = 0, nextFetchAt: Date? = nil, documents: Int = 0, tlsVerify: Bool = true, kind: Kind = .feed
    ) {
        self.tlsVerify = tlsVerify
        self.kind = kind
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
    public var kind: Source.Kind

    public init(
        name: String, url: String, interval: Double, enabled: Bool = true, tlsVerify: Bool = true, kind: Source.Kind = .feed
    ) {
        self.tlsVerify = tlsVerify
        self.kind = kind
        self.name = name
        self.url = url
        self.interval = interval
        self.enabled = enabled
    }

    /// The kind a URL most likely is when none is given: a local directory is a folder,
    /// anything else a feed (a web page that is no feed leads to the feed it advertises).
    public static func defaultKind(for url: String) -> Source.Kind {
        guard let parsed = URL(string: url), parsed.isFileURL else { return .feed }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: parsed.path, isDirectory: &isDirectory) && isDirectory.boolValue ? .folder : .feed
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
