import CTidingsSys
import Foundation
import TestSupport
import Testing

@testable import TidingsDaemon

/// Reads datagrams from a real AF_UNIX datagram socket.
final class NotifyListener {
    let path: String
    let fd: Int32

    init(path: String) {
        self.path = path
        fd = tidings_bind_datagram(path)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Collects messages until `until` holds for the list or `timeout` passes.
    func collect(timeout: Double, until: ([String]) -> Bool) -> [String] {
        var messages: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline && !until(messages) {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0 { messages.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
        }
        return messages
    }
}

struct SystemdNotifierTests {
    @Test func sendsDatagramsToAPathAndComputesTheWatchdogInterval() throws {
        let dir = TempDirectory("sdn")
        let listener = NotifyListener(path: dir.file("notify"))
        #expect(listener.fd >= 0)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "3000000"])
        #expect(notifier.watchdogInterval == 1.5)
        notifier.ready(status: "running")
        notifier.reloading()
        let messages = listener.collect(timeout: 2) { $0.count == 2 }
        #expect(messages.first == "READY=1\nSTATUS=running")
        let reload = try #require(messages.last)
        #expect(reload.contains("RELOADING=1"))
        let usec = reload.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { UInt64($0.dropFirst(15)) }
        #expect(usec != nil && usec! > 0)
    }

    @Test func abstractNamespaceSocketsWork() {
        let name = "@tidings-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = NotifyListener(path: name)
        #expect(listener.fd >= 0)
        SystemdNotifier(environment: ["NOTIFY_SOCKET": name]).stopping()
        #expect(listener.collect(timeout: 2) { !$0.isEmpty }.first?.contains("STOPPING=1") == true)
    }

    @Test func isSilentWithoutNotifySocketAndIgnoresAForeignWatchdogPID() {
        let silent = SystemdNotifier(environment: [:])
        #expect(silent.notify(["READY": "1"]) == nil)
        #expect(silent.watchdogInterval == nil)
        let other = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/tmp/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        #expect(other.watchdogInterval == nil)
    }

    @Test func reportsASendFailure() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/notify"])
        #expect(notifier.notify(["READY": "1"])?.contains("sd_notify to /nonexistent/notify failed") == true)
    }
}
