import CTidingsSys
import Dispatch
import Foundation
import Glibc
import Logging
import TidingsAdmin
import TidingsCore

/// Answers admin requests. Called on the server's queue; `reply` may be called later, from
/// any queue, any number of times for streams.
protocol AdminRequestHandler: AnyObject {
    func handle(_ request: AdminRequest, from connection: AdminConnection)
    func connectionClosed(_ connection: AdminConnection)
}

/// The admin socket: a listening Unix stream socket and its connections, all driven by
/// Dispatch read/write sources on one queue (the daemon's control queue), which owns them.
final class AdminServer: Sendable {
    private let state: QueueConfined<ServerState>
    var handler: (any AdminRequestHandler)? { get { state.value.handler } set { state.value.handler = newValue } }
    private var listenFD: Int32 { get { state.value.listenFD } _modify { yield &state.value.listenFD } }
    private var acceptSource: (any DispatchSourceRead)? { get { state.value.acceptSource } _modify { yield &state.value.acceptSource } }
    private var connections: [Int: AdminConnection] { get { state.value.connections } _modify { yield &state.value.connections } }
    private var nextConnectionID: Int { get { state.value.nextConnectionID } _modify { yield &state.value.nextConnectionID } }
    let path: String
    let queue: DispatchQueue
    let logger: Logger
    let daemonUID = getuid()
    /// More clients than this are told so and closed.
    let maxConnections = 128
    let reservedForAdmins = 16

    init(path: String, mode: UInt32, queue: DispatchQueue, logger: Logger) throws {
        state = QueueConfined(ServerState(), on: queue)
        self.path = path
        self.queue = queue
        self.logger = logger
        try AdminServer.removeStaleSocket(path)
        let directory = (path as NSString).deletingLastPathComponent
        if !path.hasPrefix("@") && !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let fd = tidings_listen_unix(path, mode, 64)
        guard fd >= 0 else {
            throw TidingsError("socket", "cannot listen on \(path): \(String(cString: strerror(-fd)))")
        }
        listenFD = fd
    }

    /// A socket file left by a crashed daemon is removed; a live daemon's socket is not, and
    /// nothing that is not a socket is ever touched.
    static func removeStaleSocket(_ path: String) throws {
        guard !path.hasPrefix("@") else { return }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw TidingsError("socket", "\(path) exists and is not a socket; fix [daemon] socket in the config")
        }
        let probe = tidings_connect_unix(path)
        if probe >= 0 {
            close(probe)
            throw TidingsError("socket", "another tidingsd is already listening on \(path)")
        }
        guard -probe == ECONNREFUSED else {
            throw TidingsError("socket", "cannot check the existing socket \(path): \(String(cString: strerror(-probe)))")
        }
        unlink(path)
    }

    /// Starts accepting. Call on `queue`.
    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: listenFD, queue: queue)
        source.setEventHandler { [weak self] in self?.acceptPending() }
        let fd = listenFD
        source.setCancelHandler { close(fd) }
        acceptSource = source
        source.resume()
    }

    /// Stops accepting, removes the socket file and closes every connection once its replies
    /// are written. Call on `queue`.
    func stop() {
        if let acceptSource {
            acceptSource.cancel()  // its cancel handler closes the descriptor
        } else if listenFD >= 0 {
            close(listenFD)
        }
        acceptSource = nil
        listenFD = -1
        // Clients get the replies already owed to them (and `tail` its closing line), then EOF.
        for connection in connections.values { connection.closeAfterFlush() }
        if !path.hasPrefix("@") { try? FileManager.default.removeItem(atPath: path) }
    }

    var connectionCount: Int { connections.count }

    private func acceptPending() {
        while true {
            let fd = tidings_accept(listenFD)
            if fd < 0 {
                if -fd == EINTR || -fd == ECONNABORTED { continue }
                if -fd != EAGAIN && -fd != EWOULDBLOCK { logger.warning("admin accept failed: \(String(cString: strerror(-fd)))") }
                return
            }
            var pid: pid_t = 0, uid: uid_t = 0, gid: gid_t = 0
            let access: AdminProtocol.Access =
                tidings_peer_credentials(fd, &pid, &uid, &gid) == 0
                ? AdminProtocol.access(peerUID: uid, daemonUID: daemonUID) : .read
            let connection = AdminConnection(id: nextConnectionID, fd: fd, access: access, peerPID: pid, peerUID: uid, server: self)
            nextConnectionID += 1
            // Readers share `maxConnections`; a few more slots stay free for admins, so that
            // group members holding connections cannot lock root out.
            if connections.count >= maxConnections + (access == .admin ? reservedForAdmins : 0) {
                connection.send(.failure(AdminFailure(id: nil, code: "busy", message: "too many admin connections (\(maxConnections)); try again")))
                connection.closeAfterFlush()
                continue
            }
            connections[connection.id] = connection
            connection.start()
        }
    }

    func dispatch(_ line: [UInt8], from connection: AdminConnection) {
        switch AdminRequest.parse(line) {
        case .failure(let failure):
            connection.send(.failure(failure))
        case .success(let request):
            guard let required = AdminProtocol.methods[request.method] else {
                let known = AdminProtocol.methods.keys.sorted().joined(separator: ", ")
                connection.send(.failure(AdminFailure(id: request.id, code: "unknown_method", message: "unknown method \"\(request.method)\"; known: \(known)")))
                return
            }
            if required == .admin && connection.access != .admin {
                connection.send(
                    .failure(AdminFailure(id: request.id, code: "forbidden", message: "\(request.method) needs admin rights (root or the daemon's user); this connection may only read")))
                return
            }
            handler?.handle(request, from: connection)
        }
    }

    func closed(_ connection: AdminConnection) {
        connections[connection.id] = nil
        handler?.connectionClosed(connection)
    }
}

/// What the admin server owns, on its queue only (`QueueConfined` checks each access).
private struct ServerState {
    weak var handler: (any AdminRequestHandler)?
    var listenFD: Int32 = -1
    var acceptSource: (any DispatchSourceRead)?
    var connections: [Int: AdminConnection] = [:]
    var nextConnectionID: Int = 1
}
