import CTidingsSys
import Foundation
import TestSupport
import TidingsAdmin
import TidingsStore

/// The bundled demo feed, from the checkout.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A `[[sources]]` block.
func sourceBlock(_ url: String, name: String, interval: String = "1h") -> String {
    "[[sources]]\nurl = \"\(url)\"\nname = \"\(name)\"\ninterval = \"\(interval)\"\n"
}

extension DaemonProcess {
    /// Counts documents with a read-only connection, as a user's script would.
    func documentCount() -> Int {
        guard let reader = try? StoreReader(path: databasePath) else { return -1 }
        return (try? reader.counts().documents) ?? -1
    }

    func client() throws -> AdminClient { try AdminClient(path: socketPath) }

    /// Waits until the daemon's log has a line containing `text`.
    @discardableResult
    func waitForLog(_ text: String, timeout: Double = 15) -> Bool {
        waitFor(timeout: timeout) { stderr.contains(text) }
    }
}

/// A copy of the demo feed in `dir` (so the test does not depend on the checkout's path).
func copyDemoFeed(into dir: TempDirectory) throws -> String {
    let target = dir.file("feed.xml")
    try? FileManager.default.removeItem(atPath: target)
    try FileManager.default.copyItem(atPath: repositoryRoot + "/share/demo/feed.xml", toPath: target)
    return target
}

/// Runs a sqlite3-style query on a read-only connection.
func scalar(_ databasePath: String, _ sql: String) throws -> SQLiteValue? {
    try SQLiteConnection(path: databasePath, readOnly: true).scalar(sql)
}
