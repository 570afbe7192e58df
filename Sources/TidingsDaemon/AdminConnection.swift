import Dispatch
import Foundation
import Glibc
import TidingsAdmin
import TidingsCore

/// One admin client. Lives on the server's queue: reads through a Dispatch read source,
/// writes through a buffer drained by a write source when the socket is full.
///
/// - Each request line gets exactly one final reply (streams end with one too); after the
///   client half-closes, the connection stays until those replies are written.
/// - A client with many unanswered requests is not read from until it catches up, and one
///   that stops reading its replies is cut off rather than buffered without bound.
/// - The descriptor is closed only after every Dispatch source on it has been cancelled.
final class AdminConnection: Sendable {
    private let state: QueueConfined<ConnectionState>
    private var server: AdminServer? { get { state.value.server } set { state.value.server = newValue } }
    private var framer: LineFramer { get { state.value.framer } _modify { yield &state.value.framer } }
    private var readSource: (any DispatchSourceRead)? { get { state.value.readSource } _modify { yield &state.value.readSource } }
    private var writeSource: (any DispatchSourceWrite)? { get { state.value.writeSource } _modify { yield &state.value.writeSource } }
    private var readSuspended: Bool { get { state.value.readSuspended } _modify { yield &state.value.readSuspended } }
    private var liveSources: Int { get { state.value.liveSources } _modify { yield &state.value.liveSources } }
    private var outgoing: [UInt8] { get { state.value.outgoing } _modify { yield &state.value.outgoing } }
    /// Bytes of `outgoing` already sent (a large reply goes out in many writes; dropping each
    /// write's bytes from the front moved the rest every time).
    private var sent: Int { get { state.value.sent } _modify { yield &state.value.sent } }
    private var unanswered: Int { get { state.value.unanswered } _modify { yield &state.value.unanswered } }
    private var closeWhenAnswered: Bool { get { state.value.closeWhenAnswered } _modify { yield &state.value.closeWhenAnswered } }
    private(set) var isClosed: Bool {
        get { state.value.isClosed }
        _modify { yield &state.value.isClosed }
    }
    let id: Int
    let fd: Int32
    let access: AdminProtocol.Access
    let peerPID: Int32
    let peerUID: UInt32
    /// Dispatch sources created on `fd` whose cancellation has not completed yet.
    /// Requests read whose final reply has not been queued yet.
    static let maxBuffered = 8 << 20
    static let maxUnanswered = 32

    init(id: Int, fd: Int32, access: AdminProtocol.Access, peerPID: Int32, peerUID: UInt32, server: AdminServer) {
        state = QueueConfined(ConnectionState(), on: server.queue)
        self.id = id
        self.fd = fd
        self.access = access
        self.peerPID = peerPID
        self.peerUID = peerUID
        self.server = server
    }

    func start() {
        guard let queue = server?.queue else { return }
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.readAvailable() }
        source.setCancelHandler { [self] in sourceCancelled() }
        liveSources += 1
        readSource = source
        source.resume()
    }

    private func sourceCancelled() {
        liveSources -= 1
        if isClosed && liveSources == 0 { Glibc.close(fd) }
    }

    private func readAvailable() {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EAGAIN || errno == EINTR { return }
            close()
            return
        }
        if n == 0 {
            // The client half-closed: a last line without a newline still counts; answer what
            // was asked, then close.
            handle(framer.feed([0x0A]))
            stopReading()
            closeWhenAnswered = true
            closeIfDone()
            return
        }
        handle(framer.feed(chunk[0..<n]))
    }

    private func handle(_ events: [LineFramer.Event]) {
        for event in events {
            guard !isClosed else { return }
            unanswered += 1
            switch event {
            case .line(let line): server?.dispatch(line, from: self)
            case .tooLong:
                send(.failure(AdminFailure(id: nil, code: "line_too_long", message: "request longer than \(AdminProtocol.maxRequestLength) bytes; it was skipped")))
            }
        }
        if unanswered >= AdminConnection.maxUnanswered, !readSuspended, let readSource {
            readSuspended = true
            readSource.suspend()
        }
    }

    /// Queues a reply. Must be called on the server's queue. A reply without `more` is the
    /// final one for its request.
    func send(_ response: AdminResponse) {
        guard !isClosed else { return }
        if response.more != true { unanswered = max(0, unanswered - 1) }
        // A client that stopped reading (a `tail` it does not drain) is cut off once a backlog
        // builds up; one large reply on its own (`sources.list` of 100,000 sources) is fine.
        let backlog = outgoing.count - sent
        if backlog == 0 {
            outgoing = response.line()  // no copy of a large reply
            sent = 0
        } else {
            outgoing.append(contentsOf: response.line())
        }
        if backlog > AdminConnection.maxBuffered {
            close()
            return
        }
        if readSuspended, unanswered < AdminConnection.maxUnanswered / 2, let readSource {
            readSuspended = false
            readSource.resume()
        }
        flush()
    }

    private func flush() {
        while sent < outgoing.count {
            let offset = sent
            let n = outgoing.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    waitUntilWritable()
                    return
                }
                close()
                return
            }
            sent += n
        }
        outgoing = []
        sent = 0
        if let writeSource {
            writeSource.cancel()
            self.writeSource = nil
        }
        closeIfDone()
    }

    private func waitUntilWritable() {
        guard writeSource == nil, let queue = server?.queue else { return }
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.flush() }
        source.setCancelHandler { [self] in sourceCancelled() }
        liveSources += 1
        writeSource = source
        source.resume()
    }

    private func stopReading() {
        guard let readSource else { return }
        if readSuspended {
            readSuspended = false
            readSource.resume()  // a suspended source would never finish cancelling
        }
        readSource.cancel()
        self.readSource = nil
    }

    private func closeIfDone() {
        if closeWhenAnswered && unanswered == 0 && outgoing.isEmpty { close() }
    }

    /// Closes once every request read so far is answered and the replies are written.
    func closeAfterFlush() {
        stopReading()
        closeWhenAnswered = true
        closeIfDone()
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        writeSource?.cancel()
        writeSource = nil
        stopReading()
        // The last cancellation handler closes the descriptor; with no source, close it now.
        if liveSources == 0 { Glibc.close(fd) }
        server?.closed(self)
    }
}

/// What an admin connection owns, on its queue only (`QueueConfined` checks each access).
private struct ConnectionState {
    weak var server: AdminServer?
    var framer: LineFramer = LineFramer(maxLength: AdminProtocol.maxRequestLength)
    var readSource: (any DispatchSourceRead)?
    var writeSource: (any DispatchSourceWrite)?
    var readSuspended: Bool = false
    var liveSources: Int = 0
    var outgoing: [UInt8] = []
    var sent = 0
    var unanswered: Int = 0
    var closeWhenAnswered: Bool = false
    var isClosed: Bool = false
}
