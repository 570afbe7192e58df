import CTidingsSys
import Foundation

/// sd_notify without libsystemd: one datagram of `KEY=VALUE` lines to `$NOTIFY_SOCKET`.
/// Does nothing when the daemon was not started by systemd.
public struct SystemdNotifier: Sendable {
    public let socketPath: String?
    /// Half of `WATCHDOG_USEC`, in seconds, when systemd asked for keep-alive pings.
    public let watchdogInterval: Double?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        // WATCHDOG_PID, when set, names the process that must ping; ignore the watchdog otherwise.
        let pidMatches = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if path != nil, pidMatches, let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 {
            watchdogInterval = Double(usec) / 2_000_000
        } else {
            watchdogInterval = nil
        }
    }

    /// Sends the state lines; returns an error message when the send failed.
    @discardableResult
    public func notify(_ state: [String: String]) -> String? {
        guard let socketPath else { return nil }
        let text = state.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        let rc = text.withCString { tidings_send_datagram(socketPath, $0, strlen($0)) }
        return rc == 0 ? nil : "sd_notify to \(socketPath) failed: \(String(cString: strerror(-rc)))"
    }

    public func ready(status: String) { notify(["READY": "1", "STATUS": status]) }
    public func status(_ text: String) { notify(["STATUS": text]) }
    public func watchdog() { notify(["WATCHDOG": "1"]) }
    public func stopping() { notify(["STOPPING": "1", "STATUS": "stopping"]) }

    /// Tells systemd a reload began; `MONOTONIC_USEC` lets `systemctl reload` match it up.
    public func reloading() {
        notify(["RELOADING": "1", "MONOTONIC_USEC": String(tidings_monotonic_usec()), "STATUS": "reloading"])
    }
}
