import Dispatch
import Foundation
import Glibc
import TidingsAdmin

/// One admin client. Lives on the server's queue: reads through a Dispatch read source,
/// writes through a buffer drained by a write source when the socket is full.
final class AdminConnection: @unchecked Sendable {
    let id: Int
    let fd: Int32
    let access: AdminProtocol.Access
    let peerPID: Int32
    let peerUID: UInt32
    private weak var server: AdminServer?
    private var framer = LineFramer(maxLength: AdminProtocol.maxLineLength)
    private var readSource: (any DispatchSourceRead)?
    private var writeSource: (any DispatchSourceWrite)?
    private var outgoing: [UInt8] = []
    private var closing = false
    private(set) var isClosed = false
    /// A client that stops reading is cut off rather than buffering without bound.
    static let maxBuffered = 8 << 20

    init(id: Int, fd: Int32, access: AdminProtocol.Access, peerPID: Int32, peerUID: UInt32, server: AdminServer) {
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
        // Dispatch may still watch the descriptor until cancellation completes: close it there.
        let fd = self.fd
        source.setCancelHandler { Glibc.close(fd) }
        readSource = source
        source.resume()
    }

    private func readAvailable() {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard n > 0 else {
            close()
            return
        }
        for event in framer.feed(chunk[0..<n]) {
            guard !isClosed else { return }
            switch event {
            case .line(let line): server?.dispatch(line, from: self)
            case .tooLong:
                send(.failure(AdminFailure(id: nil, code: "line_too_long", message: "request longer than \(AdminProtocol.maxLineLength) bytes; it was skipped")))
            }
        }
    }

    /// Queues a reply. Must be called on the server's queue.
    func send(_ response: AdminResponse) {
        guard !isClosed else { return }
        outgoing.append(contentsOf: response.line())
        if outgoing.count > AdminConnection.maxBuffered {
            close()
            return
        }
        flush()
    }

    private func flush() {
        while !outgoing.isEmpty {
            let n = outgoing.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    waitUntilWritable()
                    return
                }
                close()
                return
            }
            outgoing.removeFirst(n)
        }
        writeSource?.cancel()
        writeSource = nil
        if closing { close() }
    }

    private func waitUntilWritable() {
        guard writeSource == nil, let queue = server?.queue else { return }
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.flush() }
        writeSource = source
        source.resume()
    }

    /// Closes once the queued replies are written.
    func closeAfterFlush() {
        closing = true
        if outgoing.isEmpty { close() }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        writeSource?.cancel()
        writeSource = nil
        if let readSource {
            readSource.cancel()  // its cancel handler closes the descriptor
        } else {
            Glibc.close(fd)
        }
        readSource = nil
        server?.closed(self)
    }
}
