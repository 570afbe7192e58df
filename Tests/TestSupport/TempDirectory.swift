import Foundation

/// A fresh directory under /tmp, removed when the value is released. Paths stay short, since
/// Unix socket paths are limited to 107 bytes.
public final class TempDirectory: @unchecked Sendable {
    public let path: String

    public init(_ prefix: String = "tidings") {
        let base = "/tmp/\(prefix)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    @discardableResult
    public func write(_ name: String, _ text: String) -> String {
        let target = file(name)
        try! FileManager.default.createDirectory(
            atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: target, atomically: true, encoding: .utf8)
        return target
    }
}

/// Waits for a condition to hold, checking every few milliseconds, up to `timeout` seconds.
/// For conditions that have no event to wait on (a file appearing, a row being committed).
@discardableResult
public func waitFor(timeout: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}

/// RSS 2.0 text with `count` items, for ingest tests.
/// Item links point at a closed local port, so that no test ever reaches beyond loopback
/// (the daemon follows links to read articles).
public func makeRSS(items count: Int, prefix: String = "item", base: String = "http://127.0.0.1:9/news/") -> String {
    var out = """
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>Test feed</title><link>\(base)</link>

        """
    for index in 0..<count {
        out += """
            <item><title>\(prefix) \(index)</title><link>\(base)\(prefix)/\(index)</link>
            <guid>\(prefix)-\(index)</guid><pubDate>Mon, 05 Apr 1999 08:00:00 GMT</pubDate>
            <description>&lt;p&gt;Body of \(prefix) number \(index), about the Kuril Islands.&lt;/p&gt;</description></item>

            """
    }
    return out + "</channel></rss>\n"
}
