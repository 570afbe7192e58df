import Foundation

/// What to fetch and under which limits.
public struct FetchRequest: Sendable, Equatable {
    public var url: String
    public var etag: String?
    public var lastModified: String?
    public var userAgent: String
    /// Seconds for the whole transfer.
    public var timeout: Double
    /// Seconds to establish the connection.
    public var connectTimeout: Double
    /// Largest body accepted, counted after decompression.
    public var maxBytes: Int
    public var allowPrivateNetworks: Bool

    public init(
        url: String, etag: String? = nil, lastModified: String? = nil, userAgent: String, timeout: Double = 30,
        connectTimeout: Double = 10, maxBytes: Int = 16 << 20, allowPrivateNetworks: Bool = false
    ) {
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
        self.userAgent = userAgent
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxBytes = maxBytes
        self.allowPrivateNetworks = allowPrivateNetworks
    }
}

/// What came back. `status` is nil for `file://` URLs.
public struct FetchResponse: Sendable {
    public var status: Int?
    public var effectiveURL: String
    /// Lowercased header names; the last value wins.
    public var headers: [String: String]
    public var body: [UInt8]
    public var duration: Double

    public var notModified: Bool { status == 304 }
}

/// Why a fetch failed, in words a user can act on.
public struct FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var status: Int?
    /// True when the fetch was cut short by ``Fetcher/cancelAll()``, not by the source.
    public var cancelled = false
    public var description: String { message }

    public init(_ message: String, status: Int? = nil, cancelled: Bool = false) {
        self.message = message
        self.status = status
        self.cancelled = cancelled
    }
}
