import Foundation
import Synchronization

/// A document as plugins see it: text, title, date and language, with its tokens and
/// sentences computed once, the first time any plugin asks, and shared by all of them.
public final class AnalyzedDocument: Sendable {
    /// The store's document id (nil outside the daemon, e.g. in `tidingsd analyze`).
    public let id: Int64?
    public let text: String
    public let title: String?
    /// Publication date, `YYYY-MM-DD`, when known.
    public let date: String?
    public let language: String?

    /// The text as code points: what every offset counts. Made with the document: every
    /// plugin reads it, many times per document, and a lock around it cost more than making it.
    public let scalars: [Unicode.Scalar]

    /// What is made the first time a plugin asks. (A `Mutex`: a lock taken without
    /// contention is one atomic operation, where `NSLock` was a third of a short sentence's
    /// segmentation.)
    private struct Cache {
        var segmentation: Segmentation?
        var tokenTexts: [String]?
        var lowerTexts: [String]?
        var upperTexts: [String]?
    }
    private let cache = Mutex(Cache())

    public init(id: Int64? = nil, text: String, title: String? = nil, date: String? = nil, language: String? = nil) {
        self.id = id
        self.text = text
        self.title = title
        self.date = date
        self.language = language
        scalars = Array(text.unicodeScalars)
    }

    public var segmentation: Segmentation {
        if let done = cache.withLock({ $0.segmentation }) { return done }
        let made = Segmenter.segment(scalars)
        return cache.withLock {
            if let done = $0.segmentation { return done }
            $0.segmentation = made
            return made
        }
    }

    public var tokens: [Token] { segmentation.tokens }

    /// The text of every token, in order (made once, shared by the plugins).
    public var tokenTexts: [String] {
        cached(\.tokenTexts) {
            let scalars = self.scalars
            return tokens.map { String(scalars: scalars[$0.start..<$0.end]) }
        }
    }

    /// The token texts in lower case (made once, shared): ASCII words are lowered byte by
    /// byte, others with `lowercased()`.
    public var lowerTokenTexts: [String] { cached(\.lowerTexts) { caseChanged(upper: false) } }

    /// The token texts in upper case (made once, shared), as `uppercased()` gives them: the
    /// event coder's dictionaries are upper case. (`uppercased()` per token per document was
    /// a twentieth of the events plugin's time.)
    public var upperTokenTexts: [String] { cached(\.upperTexts) { caseChanged(upper: true) } }

    /// A cached list, made outside the lock the first time (two plugins asking at once may
    /// both make it; the first one stored is the one every caller gets).
    private func cached(_ key: WritableKeyPath<Cache, [String]?>, _ make: () -> [String]) -> [String] {
        if let done = cache.withLock({ $0[keyPath: key] }) { return done }
        let made = make()
        return cache.withLock {
            if let done = $0[keyPath: key] { return done }
            $0[keyPath: key] = made
            return made
        }
    }

    /// Each token's text in upper or lower case: ASCII tokens written from their code points
    /// (no token string to read first), others by `uppercased()`/`lowercased()`.
    func caseChanged(upper: Bool) -> [String] {
        let scalars = self.scalars
        let texts = tokenTexts
        let from: UInt32 = upper ? 0x61 : 0x41
        return tokens.enumerated().map { index, token -> String in
            var changes = false
            for position in token.start..<token.end {
                let value = scalars[position].value
                if value >= 0x80 { return upper ? texts[index].uppercased() : texts[index].lowercased() }
                if value &- from < 26 { changes = true }
            }
            guard changes else { return texts[index] }
            return String(unsafeUninitializedCapacity: token.end - token.start) { out in
                for (offset, position) in (token.start..<token.end).enumerated() {
                    let value = scalars[position].value
                    out[offset] = UInt8(truncatingIfNeeded: value &- from < 26 ? value ^ 0x20 : value)
                }
                return token.end - token.start
            }
        }
    }

    public var sentences: [Sentence] { segmentation.sentences }

    /// The text of a code-point range.
    public func text(_ start: Int, _ end: Int) -> String {
        let scalars = self.scalars
        let lower = max(0, min(start, scalars.count)), upper = max(lower, min(end, scalars.count))
        return String(scalars: scalars[lower..<upper])
    }

    public func text(of token: Token) -> String { text(token.start, token.end) }

    /// The index of the sentence holding code point `offset` (the last sentence before it
    /// when it falls between two).
    public func sentenceIndex(at offset: Int) -> Int {
        let sentences = self.sentences
        var low = 0, high = sentences.count - 1, found = 0
        while low <= high {
            let middle = (low + high) / 2
            if sentences[middle].start <= offset {
                found = middle
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return found
    }
}
