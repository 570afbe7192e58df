import Foundation

extension Substring {
    /// The text without leading and trailing whitespace and newlines (Unicode's, as
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`), without Foundation's cost in the
    /// common case where there is nothing to trim or only ASCII to trim.
    public func trimmedWhitespace() -> String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return "" }
        func plain(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }
        if plain(first) && plain(last) { return String(self) }
        func asciiSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end && asciiSpace(utf8[start]) { start = utf8.index(after: start) }
        while end > start && asciiSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        guard start < end else { return "" }
        let inner = self[start..<end]
        // Non-ASCII at either end may be Unicode whitespace (NBSP, ideographic space…).
        if inner.utf8.first! >= 0x80 || inner.utf8.last! >= 0x80 {
            return inner.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return String(inner)
    }
}

extension String {
    /// See `Substring.trimmedWhitespace()`.
    public func trimmedWhitespace() -> String { self[...].trimmedWhitespace() }
}
