import TidingsCore

/// One admin method: its name on the wire, who may call it, and its typed params and result.
/// `tidingsd` decodes `Params` and encodes `Result`; `tidingsctl` does the reverse, with the
/// same types, so the two cannot disagree. On the wire both are `JSON.encode`d: snake_case
/// keys, null for absent optionals (see docs/ADMIN-PROTOCOL.md).
public protocol AdminMethod: Sendable {
    associatedtype Params: Codable & Sendable & Equatable
    associatedtype Result: Codable & Sendable & Equatable
    static var name: String { get }
    static var access: AdminProtocol.Access { get }
}

/// The params of a method that takes none (`{}` or no `params` at all).
public struct NoParams: Codable, Sendable, Equatable {
    public init() {}

    private enum NoKeys: CodingKey {}

    /// Opens the (empty) object, so that strict decoding sees each key in it as unknown
    /// (the synthesized decoder of an empty struct never looks).
    public init(from decoder: any Decoder) throws {
        _ = try decoder.container(keyedBy: NoKeys.self)
    }
}

/// Every method of the admin protocol.
public enum AdminMethods {
    public static let all: [any AdminMethod.Type] = [
        Ping.self, Status.self, SourcesList.self, PluginsList.self, Jobs.self, Tail.self,
        PluginsEnable.self, PluginsDisable.self, Reprocess.self,
        SourcesAdd.self, SourcesImport.self, SourcesRemove.self, SourcesEnable.self, SourcesDisable.self, SourcesFetch.self,
        Pause.self, Resume.self, Reload.self, Shutdown.self,
    ]

    /// Liveness: the result is the string "pong".
    public enum Ping: AdminMethod {
        public typealias Params = NoParams
        public typealias Result = String
        public static let name = "ping"
        public static let access = AdminProtocol.Access.read
    }

    public enum Status: AdminMethod {
        public typealias Params = NoParams
        public typealias Result = StatusResult
        public static let name = "status"
        public static let access = AdminProtocol.Access.read
    }

    /// Every source, as the `sources` table has it, with its document and backlog counts.
    public enum SourcesList: AdminMethod {
        public typealias Params = NoParams
        public typealias Result = [Source]
        public static let name = "sources.list"
        public static let access = AdminProtocol.Access.read
    }

    public enum PluginsList: AdminMethod {
        public typealias Params = NoParams
        public typealias Result = [PluginInfo]
        public static let name = "plugins.list"
        public static let access = AdminProtocol.Access.read
    }

    /// The 50 newest background jobs.
    public enum Jobs: AdminMethod {
        public typealias Params = NoParams
        public typealias Result = [JobInfo]
        public static let name = "jobs"
        public static let access = AdminProtocol.Access.read
    }

    /// A stream: `Item` lines with `"more": true`, then one `Result` line when the daemon ends
    /// the stream (it stops); the client ends it by closing the connection.
    public enum Tail: AdminMethod {
        public typealias Params = TailParams
        public typealias Result = TailEnd
        public typealias Item = TailItem
        public static let name = "tail"
        public static let access = AdminProtocol.Access.read
    }

    public enum PluginsEnable: AdminMethod {
        public typealias Params = PluginNameParams
        public typealias Result = PluginSwitchResult
        public static let name = "plugins.enable"
        public static let access = AdminProtocol.Access.admin
    }

    public enum PluginsDisable: AdminMethod {
        public typealias Params = PluginNameParams
        public typealias Result = PluginSwitchResult
        public static let name = "plugins.disable"
        public static let access = AdminProtocol.Access.admin
    }

    /// Starts a background job; the result is the job as `jobs` shows it.
    public enum Reprocess: AdminMethod {
        public typealias Params = ReprocessParams
        public typealias Result = JobInfo
        public static let name = "reprocess"
        public static let access = AdminProtocol.Access.admin
    }

    public enum SourcesAdd: AdminMethod {
        public typealias Params = AddSourceParams
        public typealias Result = Source
        public static let name = "sources.add"
        public static let access = AdminProtocol.Access.admin
    }

    public enum SourcesImport: AdminMethod {
        public typealias Params = ImportSourcesParams
        public typealias Result = ImportSourcesResult
        public static let name = "sources.import"
        public static let access = AdminProtocol.Access.admin
    }

    /// The result is the source as it was before it went.
    public enum SourcesRemove: AdminMethod {
        public typealias Params = SourceRefParams
        public typealias Result = Source
        public static let name = "sources.remove"
        public static let access = AdminProtocol.Access.admin
    }

    public enum SourcesEnable: AdminMethod {
        public typealias Params = SourceRefParams
        public typealias Result = Source
        public static let name = "sources.enable"
        public static let access = AdminProtocol.Access.admin
    }

    public enum SourcesDisable: AdminMethod {
        public typealias Params = SourceRefParams
        public typealias Result = Source
        public static let name = "sources.disable"
        public static let access = AdminProtocol.Access.admin
    }

    /// Fetches now, whatever the pause, and answers once the fetch is written.
    public enum SourcesFetch: AdminMethod {
        public typealias Params = SourceRefParams
        public typealias Result = FetchNowResult
        public static let name = "sources.fetch"
        public static let access = AdminProtocol.Access.admin
    }

    public enum Pause: AdminMethod {
        public typealias Params = NoParams
        public typealias Result = PauseResult
        public static let name = "pause"
        public static let access = AdminProtocol.Access.admin
    }

    public enum Resume: AdminMethod {
        public typealias Params = NoParams
        public typealias Result = PauseResult
        public static let name = "resume"
        public static let access = AdminProtocol.Access.admin
    }

    public enum Reload: AdminMethod {
        public typealias Params = NoParams
        public typealias Result = ReloadResult
        public static let name = "reload"
        public static let access = AdminProtocol.Access.admin
    }

    public enum Shutdown: AdminMethod {
        public typealias Params = NoParams
        public typealias Result = ShutdownResult
        public static let name = "shutdown"
        public static let access = AdminProtocol.Access.admin
    }
}
