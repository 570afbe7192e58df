import CCurl
import Dispatch
import Foundation
import Glibc

/// Fetches URLs with libcurl. Only this type touches libcurl, and only on its own queue.
/// The walking skeleton runs one easy handle at a time; the polite multi-handle fetcher
/// replaces the inside of this type without changing its interface.
public final class Fetcher: @unchecked Sendable {
    private let queue = DispatchQueue(label: "tidings.fetch")
    private let cancelled = CancelFlag()
    private var keptHandle: UnsafeMutableRawPointer?
    /// robots.txt per scheme://host:port, with when it was read. Touched only on `queue`.
    private var robots: [String: (rules: RobotsTxt, until: Date)] = [:]
    /// The product token robots.txt groups are matched against.
    public static let robotsProduct = "tidingsd"

    public init() {
        Fetcher.globalInit
    }

    deinit { if let keptHandle { curl_easy_cleanup(keptHandle) } }

    private static let globalInit: Void = { _ = curl_global_init(tidings_curl_global_default()) }()

    /// libcurl's version string, for `status`.
    public static var curlVersion: String { String(cString: curl_version()) }

    /// Fetches on the fetcher's queue and calls `completion` there.
    public func fetch(_ request: FetchRequest, completion: @escaping @Sendable (Result<FetchResponse, FetchError>) -> Void) {
        queue.async { [self] in
            guard !cancelled.isSet else { return completion(.failure(FetchError("cancelled: the daemon is stopping", cancelled: true))) }
            completion(Fetcher.perform(request, cancelled: cancelled, handle: reusableHandle()))
        }
    }

    /// Fetches an article page linked from a feed, if the site's robots.txt allows it (read
    /// once and kept for a day; an unreachable one blocks the site for an hour).
    public func fetchArticle(_ request: FetchRequest, completion: @escaping @Sendable (Result<FetchResponse, FetchError>) -> Void) {
        queue.async { [self] in
            guard !cancelled.isSet else { return completion(.failure(FetchError("cancelled: the daemon is stopping", cancelled: true))) }
            guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = url.host
            else { return completion(.failure(FetchError("not a web address: \(request.url)"))) }
            let origin = "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
            let now = Date()
            var rules = robots[origin].flatMap { $0.until > now ? $0.rules : nil }
            if rules == nil {
                var robotsRequest = request
                robotsRequest.url = origin + "/robots.txt"
                robotsRequest.etag = nil
                robotsRequest.lastModified = nil
                robotsRequest.maxBytes = min(request.maxBytes, 512 << 10)
                switch Fetcher.perform(robotsRequest, cancelled: cancelled, handle: reusableHandle()) {
                case .success(let response):
                    let parsed = RobotsTxt(String(decoding: response.body, as: UTF8.self), product: Fetcher.robotsProduct)
                    robots[origin] = (parsed, now.addingTimeInterval(86_400))
                    rules = parsed
                case .failure(let error) where (error.status ?? 0) >= 400 && (error.status ?? 0) < 500:
                    robots[origin] = (.allowAll, now.addingTimeInterval(86_400))
                    rules = .allowAll
                case .failure:
                    robots[origin] = (.disallowAll, now.addingTimeInterval(3600))
                    rules = .disallowAll
                }
            }
            let path = url.path.isEmpty ? "/" : url.path + (url.query.map { "?" + $0 } ?? "")
            guard rules?.allows(path) ?? true else {
                return completion(.failure(FetchError("robots.txt of \(origin) disallows \(path)")))
            }
            completion(Fetcher.perform(request, cancelled: cancelled, handle: reusableHandle()))
        }
    }

    /// Runs `work` on the fetcher's queue (for the other kinds of reading it does).
    func enqueue(_ work: @escaping @Sendable () -> Void) { queue.async(execute: work) }

    /// Blocks until every fetch submitted so far has finished.
    public func drain() { queue.sync {} }

    /// Aborts running transfers and fails queued ones (for a quick shutdown). Permanent.
    public func cancelAll() { cancelled.set() }

    /// The easy handle kept between transfers, so that its connection cache is reused (one
    /// TCP/TLS connection per host for many polls). Touched only on `queue`.
    private func reusableHandle() -> UnsafeMutableRawPointer? {
        if let handle = keptHandle {
            curl_easy_reset(handle)
            return handle
        }
        keptHandle = curl_easy_init()
        return keptHandle
    }

    /// Runs one transfer, on `handle` when given (it is reset, not freed), else on a new one.
    static func perform(
        _ request: FetchRequest, cancelled: CancelFlag = CancelFlag(), handle given: UnsafeMutableRawPointer? = nil
    ) -> Result<FetchResponse, FetchError> {
        guard let handle = given ?? curl_easy_init() else { return .failure(FetchError("libcurl could not create a handle")) }
        defer { if given == nil { curl_easy_cleanup(handle) } }
        let context = TransferContext(maxBytes: request.maxBytes, allowPrivate: request.allowPrivateNetworks, cancelled: cancelled)
        let contextPointer = Unmanaged.passUnretained(context).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        if let etag = request.etag { headerList = curl_slist_append(headerList, "If-None-Match: \(etag)") }
        if let modified = request.lastModified { headerList = curl_slist_append(headerList, "If-Modified-Since: \(modified)") }

        var setup = CURLE_OK
        func set(_ code: CURLcode) { if setup == CURLE_OK { setup = code } }
        set(tidings_curl_setopt_string(handle, CURLOPT_URL, request.url))
        set(tidings_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https,file"))
        set(tidings_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        set(tidings_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1))
        set(tidings_curl_setopt_long(handle, CURLOPT_MAXREDIRS, 10))
        set(tidings_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(tidings_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, ""))
        set(tidings_curl_setopt_string(handle, CURLOPT_USERAGENT, request.userAgent))
        set(tidings_curl_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS))
        set(tidings_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, request.tlsVerify ? 1 : 0))
        set(tidings_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, request.tlsVerify ? 2 : 0))
        if let proxy = request.proxy { set(tidings_curl_setopt_string(handle, CURLOPT_PROXY, proxy)) }
        set(tidings_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout * 1000)))
        set(tidings_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(request.timeout * 1000)))
        set(tidings_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1))
        set(tidings_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, 30))
        set(tidings_curl_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBytes)))
        set(tidings_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        set(tidings_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, writeBody))
        set(tidings_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, contextPointer))
        set(tidings_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION, writeHeader))
        set(tidings_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, contextPointer))
        set(tidings_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        set(tidings_curl_setopt_xferinfo(handle, progress))
        set(tidings_curl_setopt_ptr(handle, CURLOPT_XFERINFODATA, contextPointer))
        set(tidings_curl_setopt_opensocket(handle, openSocket))
        set(tidings_curl_setopt_ptr(handle, CURLOPT_OPENSOCKETDATA, contextPointer))
        guard setup == CURLE_OK else { return .failure(FetchError("libcurl setup failed: \(message(setup))")) }

        let started = DispatchTime.now()
        let code = curl_easy_perform(handle)
        let duration = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        var status = 0
        _ = tidings_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var effective: UnsafeMutablePointer<CChar>?
        _ = tidings_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective)
        let effectiveURL = effective.map { String(cString: $0) } ?? request.url
        let isHTTP = effectiveURL.lowercased().hasPrefix("http")

        if let refused = context.refusedAddress {
            return .failure(
                FetchError(
                    "refused to connect to \(refused): a loopback, private or link-local address "
                        + "(set [fetch] allow_private_networks = true to allow it)"))
        }
        if cancelled.isSet && code == CURLE_ABORTED_BY_CALLBACK {
            return .failure(FetchError("cancelled: the daemon is stopping", cancelled: true))
        }
        if context.tooLarge || code == CURLE_FILESIZE_EXCEEDED {
            return .failure(FetchError("response larger than the limit of \(request.maxBytes) bytes; aborted"))
        }
        guard code == CURLE_OK else {
            return .failure(FetchError("\(message(code)) (\(request.url))", status: status == 0 ? nil : status))
        }
        if isHTTP && status >= 400 {
            var error = FetchError("HTTP \(status) from \(effectiveURL)", status: status)
            if status == 429 || status == 503 { error.retryAfter = context.headers["retry-after"].flatMap { HTTPDates.retryAfter($0) } }
            return .failure(error)
        }
        // Every hop but the last was a redirect; all permanent means the source has moved.
        let hops = context.statuses.dropLast()
        let moved = !hops.isEmpty && hops.allSatisfy { $0 == 301 || $0 == 308 } && effectiveURL != request.url
        return .success(
            FetchResponse(
                status: isHTTP ? status : nil, effectiveURL: effectiveURL, headers: context.headers, body: context.body,
                duration: duration, permanentRedirect: moved ? effectiveURL : nil))
    }

    static func message(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}

/// Per-transfer state that libcurl's C callbacks reach through their user-data pointer.
final class TransferContext {
    let maxBytes: Int
    let allowPrivate: Bool
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    /// The status of each response on the way (redirects first).
    var statuses: [Int] = []
    var tooLarge = false
    var refusedAddress: String?
    let cancelled: CancelFlag

    init(maxBytes: Int, allowPrivate: Bool, cancelled: CancelFlag) {
        self.maxBytes = maxBytes
        self.allowPrivate = allowPrivate
        self.cancelled = cancelled
    }
}

private func context(_ pointer: UnsafeMutableRawPointer?) -> TransferContext {
    Unmanaged<TransferContext>.fromOpaque(pointer!).takeUnretainedValue()
}

/// Appends body bytes; returning a short count makes libcurl abort, which is how the size cap
/// stops a transfer (also after decompression, so a gzip bomb is stopped too).
private let writeBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, user in
    let transfer = context(user)
    let length = size * count
    guard transfer.body.count + length <= transfer.maxBytes else {
        transfer.tooLarge = true
        return 0
    }
    if let data { data.withMemoryRebound(to: UInt8.self, capacity: length) { transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) } }
    return length
}

/// Collects response headers. A new status line (after a redirect) starts a fresh set.
private let writeHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, user in
    let transfer = context(user)
    let length = size * count
    guard let data else { return length }
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        transfer.headers = [:]
        if let code = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) { transfer.statuses.append(code) }
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        transfer.headers[name] = value
    }
    return length
}

/// Aborts the transfer once the fetcher is cancelled (libcurl calls this about once a second
/// and on every chunk).
private let progress: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = {
    user, _, _, _, _ in
    context(user).cancelled.isSet ? 1 : 0
}

/// Opens the socket libcurl asked for, unless the peer is a non-public address and the
/// policy forbids it. Checking here covers every address DNS returned and every redirect.
private let openSocket: @convention(c) (UnsafeMutableRawPointer?, curlsocktype, UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t = {
    user, _, address in
    let transfer = context(user)
    guard let address else { return tidings_curl_socket_bad() }
    let family = address.pointee.family
    let offset = MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr)!
    let raw = UnsafeRawPointer(address) + offset
    if !transfer.allowPrivate {
        if family == AF_INET {
            let sin = raw.load(as: sockaddr_in.self)
            let bytes = withUnsafeBytes(of: sin.sin_addr) { Array($0) }
            if !AddressPolicy.isPublic(ipv4: bytes) {
                transfer.refusedAddress = bytes.map(String.init).joined(separator: ".")
                return tidings_curl_socket_bad()
            }
        } else if family == AF_INET6 {
            let sin6 = raw.load(as: sockaddr_in6.self)
            let bytes = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
            if !AddressPolicy.isPublic(ipv6: bytes) {
                transfer.refusedAddress = "[" + stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":") + "]"
                return tidings_curl_socket_bad()
            }
        } else {
            transfer.refusedAddress = "an address of family \(family)"
            return tidings_curl_socket_bad()
        }
    }
    let fd = socket(family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
    return fd < 0 ? tidings_curl_socket_bad() : fd
}

/// A one-way flag shared between the daemon and the fetch thread.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
