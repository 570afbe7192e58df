import Foundation
import Logging
import TestSupport
import Testing
import TidingsCore
import TidingsSchedule
import TidingsStore

@testable import TidingsDaemon

/// A reload reads the sources on the reader queue and applies them on `control` later; an
/// admin change made in between must survive the apply.
struct ReloadScheduleTests {
    func state(_ id: Int64, enabled: Bool = true) -> SourceState {
        SourceState(
            id: id, name: "s\(id)", url: "http://127.0.0.1:9/\(id).xml", enabled: enabled, interval: 60, nextFetchAt: nil, etag: nil,
            lastModified: nil, consecutiveErrors: 0)
    }

    @Test func adminChangesMadeDuringAReloadAreKept() throws {
        let dir = TempDirectory()
        let config = try ConfigLoader.parse(
            "[daemon]\ndatabase = \"\(dir.file("t.db"))\"\nsocket = \"\(dir.file("s.sock"))\"\n", file: dir.file("t.toml"), workingDirectory: dir.path)
        let daemon = try Daemon(config: config, configPath: dir.file("t.toml"), workingDirectory: dir.path, logger: Logger(label: "test"))
        daemon.control.sync {
            // Running: sources 1, 2 and 3.
            var table = IDTable<SourceState>()
            for id: Int64 in [1, 2, 3] { table[id] = state(id) }
            daemon.applySchedule(table, startup: true)
            // A reload starts; it read the store before the admin's changes below.
            daemon.reloadWaiters = []
            var readBefore = IDTable<SourceState>()
            for id: Int64 in [1, 2, 3] { readBefore[id] = state(id) }
            // Meanwhile: source 4 added, source 2 removed, source 3 disabled.
            daemon.sources[4] = state(4)
            daemon.scheduler.add(.source(4), host: "127.0.0.1", interval: 60, due: Date())
            daemon.noteSourceChanged(4)
            daemon.sources.removeValue(forKey: 2)
            daemon.scheduler.remove(.source(2))
            daemon.noteSourceChanged(2)
            daemon.sources[3]?.enabled = false
            daemon.scheduler.setEnabled(.source(3), false, now: Date())
            daemon.noteSourceChanged(3)
            // The reload's table arrives.
            daemon.applySchedule(readBefore, startup: false)
            daemon.reloadWaiters = nil
            #expect(daemon.sources[4] != nil && daemon.scheduler.contains(.source(4)))
            #expect(daemon.sources[2] == nil && !daemon.scheduler.contains(.source(2)))
            #expect(daemon.sources[3]?.enabled == false && daemon.scheduler.dueTime(.source(3)) == nil)
            #expect(daemon.sources[1] != nil && daemon.scheduler.dueTime(.source(1)) != nil)
            #expect(daemon.reloadTouched.isEmpty)
            // Without a reload running, nothing is remembered.
            daemon.noteSourceChanged(1)
            #expect(daemon.reloadTouched.isEmpty)
        }
    }
}
