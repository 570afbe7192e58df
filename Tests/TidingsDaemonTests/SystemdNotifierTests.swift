import CTidingsSys
import Foundation
import TestSupport
import Testing

@testable import TidingsDaemon

struct SystemdNotifierTests {
    @Test func sendsDatagramsToAPathAndComputesTheWatchdogInterval() throws {
        let dir = TempDirectory("sdn")
        let listener = try NotifySocket(path: dir.file("notify"), receiveTimeout: 0.2)
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

    @Test func abstractNamespaceSocketsWork() throws {
        let name = "@tidings-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifySocket(path: name, receiveTimeout: 0.2)
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
