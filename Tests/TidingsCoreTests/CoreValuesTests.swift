import Foundation
import Testing

@testable import TidingsCore

struct DurationsTests {
    @Test(arguments: [
        ("500ms", 0.5), ("30s", 30.0), ("15m", 900.0), ("2h", 7200.0), ("1d", 86400.0), ("1h30m", 5400.0), ("1.5h", 5400.0),
        ("2w", 1_209_600.0),
    ])
    func parses(text: String, seconds: Double) {
        #expect(Durations.seconds(text) == seconds)
    }

    @Test(arguments: ["", "15", "m", "15x", "-5m", "0s", "15 m z", "1h-2m", "99999999999999999999w", "11000d"])
    func rejects(text: String) {
        #expect(Durations.seconds(text) == nil)
    }

    @Test func formats() {
        #expect(Durations.format(900) == "15m")
        #expect(Durations.format(5400) == "1h30m")
        #expect(Durations.format(0.25) == "250ms")
        #expect(Durations.format(90061) == "1d1h1m1s")
    }
}

struct SizesTests {
    @Test func parses() {
        #expect(Sizes.bytes("16MiB") == 16 << 20)
        #expect(Sizes.bytes("512KiB") == 512 << 10)
        #expect(Sizes.bytes("2MB") == 2_000_000)
        #expect(Sizes.bytes("100") == 100)
        #expect(Sizes.bytes("-1MiB") == nil)
        #expect(Sizes.bytes("1e30GB") == nil)
    }
}

struct TimestampsTests {
    @Test func roundTrips() {
        let date = Date(timeIntervalSince1970: 923_299_200)  // 1999-04-05T08:00:00Z
        #expect(Timestamps.iso(date) == "1999-04-05T08:00:00Z")
        #expect(Timestamps.parse("1999-04-05T08:00:00Z") == date)
        #expect(Timestamps.parse("1999-04-05") == Date(timeIntervalSince1970: 923_270_400))
    }

    @Test(arguments: ["1999-13-05", "1999-04-05T25:00:00Z", "yesterday", "1999-04-05T08:00:00"])
    func rejects(text: String) {
        #expect(Timestamps.parse(text) == nil)
    }
}

struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hex(String(repeating: "a", count: 1000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// Fed in pieces of every size, across block boundaries, and from a sequence that is not
    /// contiguous, the digest is the one-shot digest.
    @Test func piecesGiveTheSameDigest() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var whole = SHA256()
        whole.update(bytes)
        let expected = whole.finalize()
        for piece in [1, 3, 63, 64, 65, 127, 500] {
            var hasher = SHA256()
            var start = 0
            while start < bytes.count {
                hasher.update(bytes[start..<min(start + piece, bytes.count)])
                start += piece
            }
            #expect(hasher.finalize() == expected, "pieces of \(piece)")
        }
        var lazy = SHA256()
        lazy.update(bytes.lazy.map { $0 })
        #expect(lazy.finalize() == expected)
        // 154 bytes of two-byte characters: two whole blocks and a partial one (Python's hashlib).
        #expect(SHA256.hex(String(repeating: "é", count: 77)) == "24803f6894dc86b24174b08aabecc5eac750d4eb20b889ef862d4a251e5ccec8")
    }
}

struct DocumentTests {
    @Test func keyPrefersURLThenGUIDThenHash() {
        let withURL = Document(sourceID: 1, url: "https://a.example/x", guid: "g", title: nil, author: nil, published: nil, text: "t")
        #expect(withURL.key == "url:https://a.example/x")
        let withGUID = Document(sourceID: 7, url: nil, guid: "g-1", title: nil, author: nil, published: nil, text: "t")
        #expect(withGUID.key == "guid:7:g-1")
        let bare = Document(sourceID: 7, url: nil, guid: nil, title: nil, author: nil, published: nil, text: "t")
        #expect(bare.key == "hash:" + SHA256.hex("t"))
    }

    @Test func contentHashIgnoresWhitespaceLayout() {
        let a = Document(sourceID: nil, url: nil, guid: nil, title: nil, author: nil, published: nil, text: "Talks  failed\nin Tokyo.")
        let b = Document(sourceID: nil, url: nil, guid: nil, title: nil, author: nil, published: nil, text: " Talks failed in\tTokyo. ")
        #expect(a.contentHash == b.contentHash)
    }

    @Test func defaultSourceNames() {
        #expect(SourceDefinition.defaultName(for: "https://www.example.org/rss") == "www.example.org")
        #expect(SourceDefinition.defaultName(for: "file:///srv/demo/feed.xml") == "demo-feed")
    }
}

/// The whitespace collapse on bytes gives what splitting by `Character` gives, for any text.
struct WhitespaceCollapseTests {
    func reference(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    @Test func plainCases() {
        #expect("  a \t b\r\n\nc  ".collapsingWhitespace() == "a b c")
        #expect("".collapsingWhitespace() == "")
        #expect(" \u{00A0}\u{3000} ".collapsingWhitespace() == "")
        #expect("Kuril\u{2009}Islands\u{2028}talks".collapsingWhitespace() == "Kuril Islands talks")
        #expect("naïve  café — 日本\u{3000}ロシア".collapsingWhitespace() == "naïve café — 日本 ロシア")
    }

    @Test func clustersThatJoinWhitespaceAreCollapsedAsCharacters() {
        // A combining mark after a space makes one whitespace Character with it; a prepended
        // mark before a space makes one non-whitespace Character.
        for text in ["a \u{301}b", "a\u{600} b", "x \u{200D}y", "x\u{A0}\u{1F3FB}y", "a\n\u{301}b", "\u{301} a"] {
            #expect(text.collapsingWhitespace() == reference(text))
        }
    }

    @Test func anyMixOfScalarsMatchesSplittingByCharacter() {
        let pieces: [String] = [
            "a", "Z", "9", ".", " ", "\t", "\n", "\r", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2003}", "\u{2028}",
            "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "é", "e\u{301}", "\u{301}", "\u{20DD}", "\u{200D}", "\u{600}", "\u{110BD}",
            "\u{1F3FB}", "👍", "🇯🇵", "日", "ا", "\u{94D}", "क", "\u{0}", "\u{FEFF}", "한",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(text.collapsingWhitespace() == reference(text), "\(Array(text.unicodeScalars.map(\.value)))")
        }
    }
}
