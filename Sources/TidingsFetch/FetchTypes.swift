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
    /// Verify TLS certificates and host names (a source may opt out explicitly).
    public var tlsVerify: Bool
    /// A proxy URL for libcurl (`http://host:port`, `socks5://…`), or nil for none.
    public var proxy: String?

    public init(
        url: String, etag: String? = nil, lastModified: String? = nil, userAgent: String, timeout: Double = 30,
        connectTimeout: Double = 10, maxBytes: Int = 16 << 20, allowPrivateNetworks: Bool = false, tlsVerify: Bool = true,
        proxy: String? = nil
    ) {
        self.tlsVerify = tlsVerify
        self.proxy = proxy
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
    /// The final URL when every redirect on the way was permanent (301/308): the source
    /// should be stored under it from now on.
    public var permanentRedirect: String?

    public var notModified: Bool { status == 304 }

    public init(
        status: Int?, effectiveURL: String, headers: [String: String], body: [UInt8], duration: Double,
        permanentRedirect: String? = nil
    ) {
        self.status = status
        self.effectiveURL = effectiveURL
        self.headers = headers
        self.body = body
        self.duration = duration
        self.permanentRedirect = permanentRedirect
    }

    /// Seconds the response may be considered fresh (`Cache-Control: max-age`, else
    /// `Expires` against `Date`/now), if the server said.
    public func freshness(now: Date = Date()) -> Double? {
        if let control = headers["cache-control"]?.lowercased() {
            if control.contains("no-cache") || control.contains("no-store") { return nil }
            for part in control.split(separator: ",") {
                let pair = part.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0] == "max-age", let seconds = Double(pair[1]), seconds >= 0 { return seconds }
            }
        }
        if let expires = headers["expires"].flatMap(HTTPDates.parse) {
            let reference = headers["date"].flatMap(HTTPDates.parse) ?? now
            return max(0, expires.timeIntervalSince(reference))
        }
        return nil
    }
}

/// Dates in HTTP headers (IMF-fixdate, and the obsolete RFC 850 / asctime forms).
public enum HTTPDates {
    public static func parse(_ text: String) -> Date? {
        let formats = ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"]
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text.trimmingCharacters(in: .whitespaces)) { return date }
        }
        return nil
    }

    /// `Retry-After`: seconds, or an HTTP date.
    public static func retryAfter(_ value: String, now: Date = Date()) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        // Hostile values ("1e30", "inf") are clamped to a year; the caller caps further.
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 { return min(seconds, 365 * 86_400) }
        return parse(trimmed).map { min(max(0, $0.timeIntervalSince(now)), 365 * 86_400) }
    }
}

/// Why a fetch failed, in words a user can act on.
public struct FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var status: Int?
    /// True when the fetch was cut short by ``Fetcher/cancelAll()``, not by the source.
    public var cancelled = false
    /// Seconds the server asked us to wait (`Retry-After` on 429 and 503).
    public var retryAfter: Double?
    public var description: String { message }

    public init(_ message: String, status: Int? = nil, cancelled: Bool = false) {
        self.message = message
        self.status = status
        self.cancelled = cancelled
    }
}
