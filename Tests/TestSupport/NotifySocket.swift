import CTidingsSys
import Foundation
import Glibc

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`: what the daemon tells systemd
/// arrives here, one message per datagram.
public final class NotifySocket {
    public let path: String
    private let fd: Int32

    /// Binds `path`; each ``receive()`` waits at most `receiveTimeout` seconds.
    public init(path: String, receiveTimeout: Double = 0.1) throws {
        self.path = path
        fd = tidings_bind_datagram(path)
        guard fd >= 0 else { throw DaemonTestError("cannot bind a datagram socket at \(path)") }
        var timeout = timeval(tv_sec: Int(receiveTimeout), tv_usec: Int(receiveTimeout.truncatingRemainder(dividingBy: 1) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// The next message, or nil when none came within the timeout.
    public func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }

    /// Collects messages until `until` holds for the list or `timeout` passes.
    public func collect(timeout: Double, until: ([String]) -> Bool) -> [String] {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && !until(messages) {
            if let message = receive() { messages.append(message) }
        }
        return messages
    }
}
