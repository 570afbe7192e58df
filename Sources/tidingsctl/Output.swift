import Foundation
import TidingsAdmin
import TidingsCore

/// Printing helpers: aligned tables for people, JSON for scripts.
enum Output {
    /// JSON for scripts, indented: snake_case keys and every key present (null when empty),
    /// as the admin protocol writes them (docs/ADMIN-PROTOCOL.md).
    static func json(_ value: JSON) -> String { value.text(pretty: true) }

    static func json<T: Encodable>(_ value: T) -> String {
        (try? JSON.encode(value)).map(json) ?? "null"
    }

    /// Left-aligned columns, two spaces apart; the last column is not padded.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// "3m ago" / "in 12m" relative to now, from an ISO timestamp.
    static func relative(_ date: Date?) -> String {
        guard let date else { return "-" }
        let delta = date.timeIntervalSinceNow
        let text = delta.magnitude < 1 ? "0s" : formatDuration(delta.magnitude)
        return delta < -0.5 ? "\(text) ago" : (delta > 0.5 ? "in \(text)" : "now")
    }

    static func formatDuration(_ seconds: Double) -> String {
        if seconds < 60 { return "\(Int(seconds))s" }
        if seconds < 3600 { return "\(Int(seconds / 60))m" }
        if seconds < 86400 { return "\(Int(seconds / 3600))h\(Int(seconds.truncatingRemainder(dividingBy: 3600) / 60))m" }
        return "\(Int(seconds / 86400))d"
    }

    static func clip(_ text: String?, _ width: Int) -> String {
        guard let text, !text.isEmpty else { return "-" }
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= width ? flat : String(flat.prefix(width - 1)) + "…"
    }
}
