import CCurl
import Dispatch
import Foundation
import Synchronization
import Glibc
import TidingsCore

/// Fetches URLs with libcurl. Only this type touches libcurl, and only on its own queue.
/// The walking skeleton runs one easy handle at a time; the polite multi-handle fetcher
/// replaces the inside of this type without changing its interface.
public final class Fetcher: Sendable {
    private let queue: DispatchQueue
    private let cancelled = CancelFlag()
    /// Transfer loops, each a thread with its own curl multi handle; a host always goes to
    /// the same one (its connections are reused there). One thread's sockets and TCP work
    /// was the limit of polling on two cores.
    private let loops: [TransferLoop]
    /// What the fetcher remembers between fetches, on `queue` only (checked).
    private let memory: QueueConfined<FetcherMemory>
    private var robots: [String: (rules: RobotsTxt, until: Date)] {
        get { memory.value.robots }
        _modify { yield &memory.value.robots }
    }
    var folderStamps: [String: [String: FolderFile.Stamp]] {
        get { memory.value.folderStamps }
        _modify { yield &memory.value.folderStamps }
    }
    /// Most sites whose robots.txt is remembered.
    static let maxRobotsEntries = 10_000
    /// The product token robots.txt groups are matched against.
    public static let robotsProduct = "tidingsd"

    public init() {
        _ = Fetcher.globalInit
        let queue = DispatchQueue(label: "tidings.fetch")
        self.queue = queue
        memory = QueueConfined(FetcherMemory(), on: queue)
        let flag = cancelled
        loops = (0..<Fetcher.loopCount).map { TransferLoop(cancelled: flag, index: $0) }
    }

    deinit { for loop in loops { loop.stop() } }

    /// Transfer threads: two (or one on a single core).
    static let loopCount = ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1

    /// The loop for a URL: by its host (FNV-1a over the bytes between "//" and the next "/").
    func loop(for url: String) -> TransferLoop {
        guard loops.count > 1 else { return loops[0] }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var slashes = 0
        for byte in url.utf8 {
            if byte == UInt8(ascii: "/") {
                slashes += 1
                if slashes == 3 { break }
                continue
            }
            if slashes == 2 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return loops[Int(hash % UInt64(loops.count))]
    }

    /// Why libcurl cannot be used, or nil when it is loaded and ready. The daemon checks this
    /// before it starts; it is only loaded when a fetcher is needed.
    public static var libraryError: String? { globalInit }

    private static let globalInit: String? = {
        if let failure = tidings_curl_load() { return String(cString: failure) }
        let code = tidings_curl_global_init(tidings_curl_global_default())
        return code == CURLE_OK ? nil : "libcurl failed to initialise: \(String(cString: tidings_curl_easy_strerror(code)))"
    }()

    /// libcurl's version string, for `status`.
    public static var curlVersion: String { String(cString: tidings_curl_version()) }

    /// Fetches `request` on the transfer loop, concurrently with other fetches, and calls
    /// `completion` on the loop's thread.
    /// With `queue`, the completion runs there, in one block with the other transfers that
    /// ended at the same time (without it, on the loop's thread).
    public func fetch(
        _ request: FetchRequest, on delivery: DispatchQueue? = nil, completion: @escaping @Sendable (Result<FetchResponse, FetchError>) -> Void
    ) {
        func deliver(_ result: Result<FetchResponse, FetchError>) {
            if let delivery { delivery.async { completion(result) } } else { completion(result) }
        }
        guard !cancelled.isSet else { return deliver(.failure(FetchError("cancelled: the daemon is stopping", cancelled: true))) }
        switch Transfer.make(request, cancelled: cancelled, completion: completion) {
        case .failure(let error): deliver(.failure(error))
        case .success(let transfer):
            transfer.deliveryQueue = delivery
            loop(for: request.url).submit(transfer)
        }
    }

    /// Fetches an article page linked from a feed, if the site's robots.txt allows it (read
    /// once and kept for a day; an unreachable one blocks the site for an hour). The robots
    /// cache is owned by the fetcher's queue; the transfers run on the loop.
    public func fetchArticle(
        _ request: FetchRequest, on delivery: DispatchQueue? = nil, completion: @escaping @Sendable (Result<FetchResponse, FetchError>) -> Void
    ) {
        @Sendable func deliver(_ result: Result<FetchResponse, FetchError>) {
            if let delivery { delivery.async { completion(result) } } else { completion(result) }
        }
        guard let url = URL(string: request.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host
        else { return deliver(.failure(FetchError("not a web address: \(request.url)"))) }
        let origin = "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        let path = url.path.isEmpty ? "/" : url.path + (url.query.map { "?" + $0 } ?? "")
        queue.async { [self] in
            let decide: @Sendable (RobotsTxt) -> Void = { [self] rules in
                guard rules.allows(path) else { return deliver(.failure(FetchError("robots.txt of \(origin) disallows \(path)"))) }
                fetch(request, on: delivery, completion: completion)
            }
            if let cached = robots[origin], cached.until > Date() { return decide(cached.rules) }
            var robotsRequest = request
            robotsRequest.url = origin + "/robots.txt"
            robotsRequest.etag = nil
            robotsRequest.lastModified = nil
            robotsRequest.maxBytes = min(request.maxBytes, 512 << 10)
            fetch(robotsRequest) { [self] result in
                queue.async { [self] in
                    let now = Date()
                    let rules: RobotsTxt
                    let keep: Double
                    switch result {
                    case .success(let response):
                        (rules, keep) = (RobotsTxt(String(decoding: response.body, as: UTF8.self), product: Fetcher.robotsProduct), 86_400)
                    case .failure(let error) where (error.status ?? 0) >= 400 && (error.status ?? 0) < 500 && error.status != 429:
                        (rules, keep) = (.allowAll, 86_400)
                    case .failure:
                        (rules, keep) = (.disallowAll, 3600)
                    }
                    if robots.count >= Fetcher.maxRobotsEntries {
                        // Bounded: expired entries go first, then the oldest.
                        robots = robots.filter { $0.value.until > now }
                        if robots.count >= Fetcher.maxRobotsEntries, let oldest = robots.min(by: { $0.value.until < $1.value.until }) {
                            robots[oldest.key] = nil
                        }
                    }
                    robots[origin] = (rules, now.addingTimeInterval(keep))
                    decide(rules)
                }
            }
        }
    }

    /// Runs `work` on the fetcher's queue (for the other kinds of reading it does).
    func enqueue(_ work: @escaping @Sendable () -> Void) { queue.async(execute: work) }

    /// Aborts running transfers and fails queued ones (for a quick shutdown). Permanent.
    public func cancelAll() {
        cancelled.set()
        for loop in loops { loop.wake() }
    }

    /// Runs one transfer to completion on the calling thread (tests, and tools without a loop).
    static func perform(_ request: FetchRequest, cancelled: CancelFlag = CancelFlag()) -> Result<FetchResponse, FetchError> {
        switch Transfer.make(request, cancelled: cancelled, completion: { _ in }) {
        case .failure(let error): return .failure(error)
        case .success(let transfer): return transfer.result(code: tidings_curl_easy_perform(transfer.handle))
        }
    }

    static func message(_ code: CURLcode) -> String {
        String(cString: tidings_curl_easy_strerror(code))
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
let writeBody: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
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
/// Parsed on the bytes (names lower-cased, values trimmed of ASCII white space): this runs
/// for every header of every poll, and Foundation's trimming went through NSString.
let writeHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, user in
    let transfer = context(user)
    let length = size * count
    guard let data else { return length }
    data.withMemoryRebound(to: UInt8.self, capacity: length) { base in
        let line = UnsafeBufferPointer(start: base, count: length)
        HeaderLine.parse(line, into: transfer)
    }
    return length
}

enum HeaderLine {
    /// The response headers Tidings uses (`FetchResponse.headers` has only these).
    static let kept = [
        "etag", "last-modified", "content-type", "content-language", "content-location", "cache-control", "expires", "date",
        "age", "retry-after", "location",
    ]
    static let keep = Set(kept.map { Array($0.utf8) })

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }

    static func parse(_ line: UnsafeBufferPointer<UInt8>, into transfer: TransferContext) {
        if line.count >= 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"),
            line[3] == UInt8(ascii: "P"), line[4] == UInt8(ascii: "/")
        {
            transfer.headers = [:]
            // Interim 1xx answers (100 Continue, 103 Early Hints) are not hops of a redirect chain.
            var index = 5
            while index < line.count, line[index] != 0x20 { index += 1 }
            while index < line.count, line[index] == 0x20 { index += 1 }
            var code = 0
            var digits = 0
            while index < line.count, digits < 3, line[index] >= 0x30, line[index] <= 0x39 {
                code = code * 10 + Int(line[index] - 0x30)
                index += 1
                digits += 1
            }
            if digits == 3, code >= 200 { transfer.statuses.append(code) }
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        var name = [UInt8](line[..<colon])
        for index in name.indices where name[index] >= 0x41 && name[index] <= 0x5A { name[index] += 0x20 }
        // Only the headers something reads are kept: a poll's answer carries a dozen, and each
        // kept one costs two strings.
        guard keep.contains(name) else { return }
        var start = colon + 1
        var end = line.count
        while start < end, isSpace(line[start]) { start += 1 }
        while end > start, isSpace(line[end - 1]) { end -= 1 }
        transfer.headers[String(decoding: name, as: UTF8.self)] = String(decoding: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
    }
}

/// Aborts the transfer once the fetcher is cancelled (libcurl calls this about once a second
/// and on every chunk).
let progress: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = {
    user, _, _, _, _ in
    context(user).cancelled.isSet ? 1 : 0
}

/// Opens the socket libcurl asked for, unless the peer is a non-public address and the
/// policy forbids it. Checking here covers every address DNS returned and every redirect.
let openSocket: @convention(c) (UnsafeMutableRawPointer?, curlsocktype, UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t = {
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
final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// What the fetcher's queue owns.
struct FetcherMemory {
    /// robots.txt per scheme://host:port, with when it was read.
    var robots: [String: (rules: RobotsTxt, until: Date)] = [:]
    /// Per folder source: the size and modification time of each file read and stored, so
    /// that the next read skips files that did not change.
    var folderStamps: [String: [String: FolderFile.Stamp]] = [:]
}
