import Foundation
import Glibc

/// A small real HTTP/1.1 server on 127.0.0.1 (an ephemeral port), for fetch tests. Each
/// connection is answered from `routes` on a background thread and closed.
public final class LocalHTTPServer: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        /// Seconds to wait before answering (a slow server).
        public var delay: Double
        /// Seconds to wait between body bytes (a trickling server).
        public var trickle: Double = 0
        public init(
            status: Int = 200, headers: [String: String] = ["Content-Type": "application/rss+xml"], body: String,
            delay: Double = 0
        ) {
            self.status = status
            self.headers = headers
            self.body = Array(body.utf8)
            self.delay = delay
        }

        public init(status: Int = 200, headers: [String: String], bytes: [UInt8], trickle: Double = 0) {
            self.status = status
            self.headers = headers
            self.body = bytes
            self.delay = 0
            self.trickle = trickle
        }
    }

    public let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var routes: [String: Response] = [:]
    private var requestLog: [String] = []
    private var headerLog: [[String: String]] = []
    private var times: [(request: String, start: Double, end: Double)] = []
    private var stopped = false

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    public func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    public func route(_ path: String, _ response: Response) { lock.withLock { routes[path] = response } }

    /// Request lines seen so far ("GET /feed.xml").
    public var requests: [String] { lock.withLock { requestLog } }

    /// When each request arrived and when its answer was sent (seconds on a monotonic clock),
    /// with its request line, in order of arrival.
    public var timeline: [(request: String, start: Double, end: Double)] { lock.withLock { times } }

    /// The headers of each request (names lowercased), in order.
    public var requestHeaders: [[String: String]] { lock.withLock { headerLog } }

    static func monotonicNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !head.suffix(4).elementsEqual([13, 10, 13, 10]) && head.count < 65536 {
            let n = read(client, &buffer, buffer.count)
            guard n > 0 else { return }
            head.append(contentsOf: buffer[0..<n])
            if String(decoding: head, as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let text = String(decoding: head, as: UTF8.self)
        let requestLine = text.split(separator: "\r\n").first.map(String.init) ?? ""
        let path = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        var headers: [String: String] = [:]
        for line in text.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let arrived = LocalHTTPServer.monotonicNow()
        let logged = requestLine.split(separator: " ").prefix(2).joined(separator: " ")
        defer {
            let sent = LocalHTTPServer.monotonicNow()
            lock.withLock { times.append((logged, arrived, sent)) }
        }
        let response = lock.withLock {
            requestLog.append(logged)
            headerLog.append(headers)
            return routes[path]
        } ?? Response(status: 404, headers: ["Content-Type": "text/plain"], body: "not found")
        if response.delay > 0 { usleep(useconds_t(response.delay * 1_000_000)) }
        var out = "HTTP/1.1 \(response.status) X\r\nContent-Length: \(response.body.count)\r\nConnection: close\r\n"
        for (name, value) in response.headers { out += "\(name): \(value)\r\n" }
        out += "\r\n"
        let bytes = Array(out.utf8) + response.body
        var offset = 0
        if response.trickle > 0 {
            // Headers at once, then the body a byte at a time.
            let head = bytes.count - response.body.count
            guard bytes[0..<head].withUnsafeBytes({ send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == head else { return }
            for byte in response.body {
                usleep(useconds_t(response.trickle * 1_000_000))
                guard [byte].withUnsafeBytes({ send(client, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }) == 1 else { return }
            }
            return
        }
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            offset += n
        }
    }
}
