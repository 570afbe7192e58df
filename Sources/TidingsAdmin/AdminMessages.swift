import Foundation
import TidingsCore

/// `status` result.
public struct StatusResult: Sendable, Codable, Equatable {
    public struct Counts: Sendable, Codable, Equatable {
        public var sources: Int
        public var enabledSources: Int
        public var failingSources: Int
        public var documents: Int
        public var fetches: Int
        public var fetchErrors: Int
        public init(sources: Int, enabledSources: Int, failingSources: Int, documents: Int, fetches: Int, fetchErrors: Int) {
            self.sources = sources
            self.enabledSources = enabledSources
            self.failingSources = failingSources
            self.documents = documents
            self.fetches = fetches
            self.fetchErrors = fetchErrors
        }
    }
    public struct Queue: Sendable, Codable, Equatable {
        /// Sources whose next fetch is due now.
        public var due: Int
        /// Fetches running or waiting on the fetcher.
        public var fetching: Int
        /// Fetch results waiting for the writer.
        public var writing: Int
        /// Admin connections open, and how many of them follow `tail`.
        public var clients: Int
        public var tailing: Int
        public init(due: Int, fetching: Int, writing: Int, clients: Int, tailing: Int) {
            self.due = due
            self.fetching = fetching
            self.writing = writing
            self.clients = clients
            self.tailing = tailing
        }
    }
    public struct RecentError: Sendable, Codable, Equatable {
        public var at: String
        public var message: String
        public init(at: String, message: String) {
            self.at = at
            self.message = message
        }
    }
    public var version: String
    public var pid: Int32
    public var uptime: Double
    public var startedAt: String
    public var paused: Bool
    public var database: String
    public var configFile: String
    public var schemaVersion: Int
    public var counts: Counts
    public var queue: Queue
    public var lastErrors: [RecentError]
    /// The caller's rights on this connection.
    public var access: AdminProtocol.Access

    public init(
        version: String, pid: Int32, uptime: Double, startedAt: String, paused: Bool, database: String,
        configFile: String, schemaVersion: Int, counts: Counts, queue: Queue, lastErrors: [RecentError],
        access: AdminProtocol.Access
    ) {
        self.version = version
        self.pid = pid
        self.uptime = uptime
        self.startedAt = startedAt
        self.paused = paused
        self.database = database
        self.configFile = configFile
        self.schemaVersion = schemaVersion
        self.counts = counts
        self.queue = queue
        self.lastErrors = lastErrors
        self.access = access
    }
}

/// `plugins.list` entries.
public struct PluginInfo: Sendable, Codable, Equatable {
    public var name: String
    public var version: String
    public var enabled: Bool
    public init(name: String, version: String, enabled: Bool) {
        self.name = name
        self.version = version
        self.enabled = enabled
    }
}

/// One document as `tail` streams it.
public struct TailItem: Sendable, Codable, Equatable {
    public var id: Int64
    public var source: String?
    public var title: String?
    public var url: String?
    public var published: String?
    public var fetched: String
    public var chars: Int
    public init(_ document: StoredDocument) {
        id = document.id
        source = document.sourceName
        title = document.title
        url = document.url
        published = document.published
        fetched = document.fetched
        chars = document.text.unicodeScalars.count
    }
}

/// Params of `sources.add`.
public struct AddSourceParams: Sendable, Codable, Equatable {
    public var url: String
    public var name: String?
    /// A duration such as "15m".
    public var interval: String?
    /// `feed`, `page` or `folder`; by default a local directory is a folder, anything else a feed.
    public var kind: String?
    public init(url: String, name: String? = nil, interval: String? = nil, kind: String? = nil) {
        self.url = url
        self.name = name
        self.interval = interval
        self.kind = kind
    }
}

/// Params of the methods that act on one source, by id or name.
public struct SourceRefParams: Sendable, Codable, Equatable {
    public var source: String
    public init(source: String) { self.source = source }
}

/// Params of `tail`.
public struct TailParams: Sendable, Codable, Equatable {
    /// How many of the newest documents to send before following (default 10).
    public var last: Int?
    public init(last: Int? = nil) { self.last = last }
}

/// Result of `reload`.
public struct ReloadResult: Sendable, Codable, Equatable {
    public var changes: [String]
    public init(changes: [String]) { self.changes = changes }
}
