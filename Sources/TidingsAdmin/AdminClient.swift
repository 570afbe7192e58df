import CTidingsSys
import Foundation
import Glibc
import TidingsCore

/// Why the client could not talk to the daemon.
public enum AdminClientError: Error, Sendable, CustomStringConvertible {
    /// The socket could not be reached; tidingsctl exits 69 (EX_UNAVAILABLE).
    case unreachable(path: String, reason: String)
    /// The daemon answered with an error reply; tidingsctl exits 1.
    case reply(code: String, message: String)
    /// The connection broke or the reply made no sense.
    case protocolError(String)

    public var description: String {
        switch self {
        case .unreachable(let path, let reason):
            "cannot reach tidingsd at \(path): \(reason)\nhint: is tidingsd running? Pick the socket with --socket PATH or TIDINGS_SOCKET (the daemon's [daemon] socket setting)"
        case .reply(let code, let message): "\(message) [\(code)]"
        case .protocolError(let message): "admin protocol error: \(message)"
        }
    }
}

/// A blocking client for the admin socket, one request at a time.
public final class AdminClient {
    public let path: String
    private let fd: Int32
    private var framer = LineFramer(maxLength: AdminProtocol.maxReplyLength)
    private var queued: [[UInt8]] = []
    private var nextID = 1

    /// Connects; `timeout` bounds each wait for a reply (nil waits forever, for streams).
    public init(path: String, timeout: Double? = 30) throws(AdminClientError) {
        self.path = path
        let rc = tidings_connect_unix(path)
        guard rc >= 0 else {
            let reason = String(cString: strerror(-rc))
            throw .unreachable(path: path, reason: -rc == EACCES ? "\(reason) (are you in the socket's group, usually `tidings`?)" : reason)
        }
        fd = rc
        self.timeout = timeout
        if let timeout {
            var value = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    private let timeout: Double?

    deinit { close(fd) }

    /// Calls a method with its typed params and returns its typed result, or throws its error
    /// reply.
    public func call<M: AdminMethod>(_ method: M.Type, _ params: M.Params) throws(AdminClientError) -> M.Result {
        try AdminClient.decode(try call(method, params), as: M.Result.self, method: M.name)
    }

    /// Calls a method with typed params and returns its result as the wire has it (what
    /// `--json` prints).
    public func call<M: AdminMethod>(_ method: M.Type, _ params: M.Params) throws(AdminClientError) -> JSON {
        let encoded: JSON
        do {
            encoded = try JSON.encode(params, nils: .omitted)
        } catch {
            throw .protocolError("cannot encode the params of \(M.name): \(error)")
        }
        return try call(M.name, params: encoded)
    }

    /// Sends one request by name with any params and returns its result, or throws its error
    /// reply.
    public func call(_ method: String, params: JSON? = nil) throws(AdminClientError) -> JSON {
        let id = try send(method, params: params)
        let response = try readResponse(id: id)
        return response.result ?? .null
    }

    /// Reads a result (or stream item) as its type.
    public static func decode<T: Decodable>(_ value: JSON, as type: T.Type, method: String) throws(AdminClientError) -> T {
        do {
            return try value.decode(T.self)
        } catch {
            throw .protocolError("unexpected reply to \(method) (\(T.self)): \(error)")
        }
    }

    /// Sends a streaming request and calls `onItem` for each `more` line until the stream ends
    /// or `onItem` returns false. Returns the stream's closing result (nil when `onItem` ended it).
    @discardableResult
    public func stream(_ method: String, params: JSON? = nil, onItem: (JSON) -> Bool) throws(AdminClientError) -> JSON? {
        let id = try send(method, params: params)
        while true {
            let response = try readResponse(id: id)
            guard response.more == true else { return response.result ?? .null }
            if !onItem(response.result ?? .null) { return nil }
        }
    }

    private func send(_ method: String, params: JSON?) throws(AdminClientError) -> JSON {
        let id = JSON.number(Double(nextID))
        nextID += 1
        try writeAll(AdminRequest(id: id, method: method, params: params).line())
        return id
    }

    /// Writes raw bytes (tests use it to send garbage).
    public func writeAll(_ bytes: [UInt8]) throws(AdminClientError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .protocolError("write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Reads the next reply line, whatever its id.
    public func readLine() throws(AdminClientError) -> AdminResponse {
        while queued.isEmpty {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                throw .protocolError("no reply from tidingsd at \(path) within \(Int(timeout ?? 0))s; it may be stuck (check its log)")
            }
            guard n > 0 else { throw .protocolError("the daemon closed the connection") }
            for event in framer.feed(chunk[0..<n]) {
                switch event {
                case .line(let line): queued.append(line)
                case .tooLong: throw .protocolError("reply longer than \(AdminProtocol.maxReplyLength) bytes")
                }
            }
        }
        let line = queued.removeFirst()
        guard let response = AdminResponse.parse(line) else {
            throw .protocolError("unreadable reply: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        return response
    }

    private func readResponse(id: JSON) throws(AdminClientError) -> AdminResponse {
        while true {
            let response = try readLine()
            // An error without an id (busy, line_too_long) answers whatever was pending.
            guard response.id == id || (response.id == nil && !response.ok) else { continue }
            if !response.ok {
                throw .reply(code: response.error?.code ?? "error", message: response.error?.message ?? "unknown error")
            }
            return response
        }
    }
}
