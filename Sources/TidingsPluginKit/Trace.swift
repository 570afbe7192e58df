import Glibc
import TidingsCore

/// Diagnostics for plugin authors: `TIDINGS_TRACE=events` (a comma-separated list of plugin
/// names, or `all`) makes the named plugins that trace explain their decisions on standard
/// error, one line each. Off by default, and read once. The event coder traces.
public enum Trace {
    private static let enabled: Set<String> = {
        guard let value = getenv("TIDINGS_TRACE") else { return [] }
        return Set(String(cString: value).split(separator: ",").map { $0.trimmedWhitespace() })
    }()

    public static func isOn(_ plugin: String) -> Bool { enabled.contains(plugin) || enabled.contains("all") }

    /// Writes `plugin: line` to standard error.
    public static func write(_ plugin: String, _ line: String) {
        let text = "\(plugin): \(line)\n"
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }
}
