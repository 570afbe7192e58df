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
        /// Bytes of fetched bodies waiting to be read (parsed), now and at most since the
        /// start. New fetches wait while it is over the daemon's budget (4 MB).
        public var readingBytes: Int
        public var readingBytesPeak: Int
        /// Admin connections open, and how many of them follow `tail`.
        public var clients: Int
        public var tailing: Int
        public init(due: Int, fetching: Int, writing: Int, readingBytes: Int = 0, readingBytesPeak: Int = 0, clients: Int, tailing: Int) {
            self.due = due
            self.fetching = fetching
            self.writing = writing
            self.readingBytes = readingBytes
            self.readingBytesPeak = readingBytesPeak
            self.clients = clients
            self.tailing = tailing
        }
    }
    /// Article pages behind feed items: waiting to be read, and given up.
    public struct Articles: Sendable, Codable, Equatable {
        public var pending: Int
        public var failed: Int
        public init(pending: Int, failed: Int) {
            self.pending = pending
            self.failed = failed
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
    /// Plugins running (in dependency order), documents analysed since start, and whether
    /// analysis is busy now.
    public var plugins: [String]?
    public var analyzed: Int?
    public var analyzing: Bool?
    /// Background jobs running.
    public var jobs: [JobInfo]?
    /// The article-page backlog.
    public var articles: Articles?

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
    /// "builtin" or "exec".
    public var kind: String
    public var requires: [String]
    /// Plugins whose results it reads when they run (nil from a daemon older than this field).
    public var uses: [String]?
    public var produces: [String]
    public var summary: String
    /// Documents with a result from this plugin: ok, failed, skipped (a requirement was off
    /// or failed), and the mean time of the ok ones.
    public var done: Int
    public var failed: Int
    public var skipped: Int
    public var meanMs: Double?

    public init(
        name: String, version: String, enabled: Bool, kind: String = "builtin", requires: [String] = [], uses: [String] = [], produces: [String] = [],
        summary: String = "", done: Int = 0, failed: Int = 0, skipped: Int = 0, meanMs: Double? = nil
    ) {
        self.name = name
        self.version = version
        self.enabled = enabled
        self.kind = kind
        self.requires = requires
        self.uses = uses
        self.produces = produces
        self.summary = summary
        self.done = done
        self.failed = failed
        self.skipped = skipped
        self.meanMs = meanMs
    }
}

/// `plugins.enable` / `plugins.disable`.
public struct PluginNameParams: Sendable, Codable, Equatable {
    public var name: String
    public init(name: String) { self.name = name }
}

/// `reprocess`: run one plugin again over stored documents.
public struct ReprocessParams: Sendable, Codable, Equatable {
    public var plugin: String
    /// Only documents published (or fetched) since this date or time (YYYY-MM-DD or ISO 8601).
    public var since: String?
    /// Only this source's documents (id or name).
    public var source: String?
    public init(plugin: String, since: String? = nil, source: String? = nil) {
        self.plugin = plugin
        self.since = since
        self.source = source
    }
}

/// A background job, as `jobs` and `status` show it.
public struct JobInfo: Sendable, Codable, Equatable {
    public var id: Int64
    public var kind: String
    public var plugin: String
    public var since: String?
    public var sourceID: Int64?
    /// "running", "done", "cancelled" or "failed".
    public var status: String
    public var total: Int
    public var done: Int
    public var failed: Int
    public var error: String?
    public var createdAt: String
    public var updatedAt: String
    public var finishedAt: String?

    public init(
        id: Int64, kind: String, plugin: String, since: String?, sourceID: Int64?, status: String, total: Int, done: Int, failed: Int,
        error: String?, createdAt: String, updatedAt: String, finishedAt: String?
    ) {
        self.id = id
        self.kind = kind
        self.plugin = plugin
        self.since = since
        self.sourceID = sourceID
        self.status = status
        self.total = total
        self.done = done
        self.failed = failed
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
    }
}

/// One document as `tail` streams it (named as the `documents` table names them).
public struct TailItem: Sendable, Codable, Equatable {
    public var id: Int64
    public var sourceID: Int64?
    public var sourceName: String?
    public var title: String?
    public var url: String?
    public var publishedAt: String?
    public var fetchedAt: String
    /// The text's length in characters (Unicode scalars).
    public var chars: Int
    public init(_ document: StoredDocument) {
        id = document.id
        sourceID = document.sourceID
        sourceName = document.sourceName
        title = document.title
        url = document.url
        publishedAt = document.published
        fetchedAt = document.fetched
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

/// `sources.import` params: many sources in one request, added in one transaction.
public struct ImportSourcesParams: Sendable, Codable, Equatable {
    public var sources: [AddSourceParams]
    public init(sources: [AddSourceParams]) { self.sources = sources }
}

/// `sources.import` result: how many were added, already present (same URL) or added under
/// another name (theirs was taken), and the ones refused with the reason.
public struct ImportSourcesResult: Sendable, Codable, Equatable {
    public struct Refusal: Sendable, Codable, Equatable {
        public var url: String
        public var reason: String
        public init(url: String, reason: String) {
            self.url = url
            self.reason = reason
        }
    }
    public var added: Int
    public var present: Int
    public var renamed: Int
    /// The first refusals (at most 100); `refusedCount` counts them all.
    public var refused: [Refusal]
    public var refusedCount: Int
    public init(added: Int, present: Int, renamed: Int, refused: [Refusal], refusedCount: Int) {
        self.added = added
        self.present = present
        self.renamed = renamed
        self.refused = refused
        self.refusedCount = refusedCount
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

/// Result of `plugins.enable` / `plugins.disable`.
public struct PluginSwitchResult: Sendable, Codable, Equatable {
    public var name: String
    public var enabled: Bool
    /// What else the switch affects: a requirement that is off, plugins that need this one.
    public var warning: String?
    public init(name: String, enabled: Bool, warning: String? = nil) {
        self.name = name
        self.enabled = enabled
        self.warning = warning
    }
}

/// Result of `sources.fetch`: the fetch as the `fetches` table logs it, and what it wrote.
public struct FetchNowResult: Sendable, Codable, Equatable {
    public var sourceID: Int64
    /// "ok", "not_modified" or "error".
    public var status: String
    public var items: Int
    public var new: Int
    public var updated: Int
    public var seenElsewhere: Int
    public var articlesQueued: Int
    public var error: String?
    public init(sourceID: Int64, status: String, items: Int, new: Int, updated: Int, seenElsewhere: Int, articlesQueued: Int, error: String?) {
        self.sourceID = sourceID
        self.status = status
        self.items = items
        self.new = new
        self.updated = updated
        self.seenElsewhere = seenElsewhere
        self.articlesQueued = articlesQueued
        self.error = error
    }
}

/// Result of `pause` and `resume`.
public struct PauseResult: Sendable, Codable, Equatable {
    public var paused: Bool
    public init(paused: Bool) { self.paused = paused }
}

/// Result of `shutdown`.
public struct ShutdownResult: Sendable, Codable, Equatable {
    public var stopping: Bool
    public init(stopping: Bool) { self.stopping = stopping }
}

/// The closing line of a `tail` stream the daemon ends.
public struct TailEnd: Sendable, Codable, Equatable {
    public var end: String
    public init(end: String) { self.end = end }
}
