/// Parses and prints the human durations used in the config and on the command line:
/// `"500ms"`, `"30s"`, `"15m"`, `"2h"`, `"1d"` and sums such as `"1h30m"`.
public enum Durations {
    /// Units accepted, longest suffix first so that `ms` wins over `m`.
    static let units: [(suffix: String, seconds: Double)] = [
        ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800),
    ]

    /// Longest duration accepted at all (ten years); anything longer is a typo.
    public static let maxSeconds: Double = 10 * 365 * 86_400

    /// What a valid duration looks like, for error messages.
    public static let allowed = "a number followed by ms, s, m, h, d or w, such as \"30s\", \"15m\" or \"1h30m\""

    /// Returns the duration in seconds, or nil when `text` is not a valid, positive duration.
    public static func seconds(_ text: String) -> Double? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }) else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            total += value * unit.seconds
        }
        return total > 0 && total <= maxSeconds ? total : nil
    }

    /// Formats seconds compactly: `900` → `"15m"`, `5400` → `"1h30m"`, `0.25` → `"250ms"`.
    public static func format(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 1e12 else { return "forever" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        var left = Int(seconds.rounded())
        var out = ""
        for (suffix, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where left >= size {
            out += "\(left / size)\(suffix)"
            left %= size
        }
        return out.isEmpty ? "0s" : out
    }
}
