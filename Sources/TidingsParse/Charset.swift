import Foundation
import Glibc

/// Turns fetched bytes into text. The order of evidence: a byte-order mark, then the HTTP
/// `charset`, then the XML prolog's `encoding` (or an HTML `<meta charset>`), then "is it valid
/// UTF-8?", then windows-1252. Legacy encodings go through glibc's iconv (Foundation on Linux
/// cannot decode EUC-JP), flushed at the end so that stateful encodings keep their last character.
public enum Charset {
    /// The decoded text and the name of the encoding used (lowercase, as feedparser reports it).
    public struct Decoded: Sendable, Equatable {
        public var text: String
        public var encoding: String
        /// What went wrong on the way (a declared charset that did not decode), if anything.
        public var warning: String?
    }

    public static func decode(_ bytes: [UInt8], contentType: String? = nil) -> Decoded {
        let decoded = decodeToUTF8(bytes, contentType: contentType)
        return Decoded(text: String(decoding: decoded.bytes, as: UTF8.self), encoding: decoded.encoding, warning: decoded.warning)
    }

    /// The same decision as ``decode(_:contentType:)``, kept as UTF-8 bytes: valid UTF-8 input
    /// comes back without a copy, which is what the XML and HTML readers want.
    public static func decodeToUTF8(_ bytes: [UInt8], contentType: String? = nil) -> (bytes: [UInt8], encoding: String, warning: String?) {
        if let (name, skip) = bom(bytes), let converted = convertBytes(Array(bytes.dropFirst(skip)), from: name) {
            return (demoronizeBytes(converted), name.lowercased(), nil)
        }
        var warning: String?
        for candidate in [contentType.flatMap(httpCharset), declaredEncoding(bytes)].compactMap({ $0 }) {
            let name = normalize(candidate)
            if let converted = convertBytes(bytes, from: name) { return (demoronizeBytes(converted), name.lowercased(), warning) }
            warning = "declared charset \"\(candidate)\" does not decode these bytes"
        }
        if isValidUTF8(bytes) { return (demoronizeBytes(bytes), "utf-8", warning) }
        return (convertBytes(bytes, from: "WINDOWS-1252") ?? Array(String(decoding: bytes, as: UTF8.self).utf8), "windows-1252", warning)
    }

    /// `demoronize` on UTF-8 bytes: U+0080–U+009F (C2 80…C2 9F) become windows-1252's characters.
    static func demoronizeBytes(_ bytes: [UInt8]) -> [UInt8] {
        // C2 bytes found with memchr: a byte-by-byte loop was most of reading a page's charset.
        let found = bytes.withUnsafeBufferPointer { buffer -> Bool in
            var index = 0
            while let at = HTMLEntities.firstIndex(of: 0xC2, in: buffer, from: index), at + 1 < buffer.count {
                if buffer[at + 1] >= 0x80 && buffer[at + 1] <= 0x9F { return true }
                index = at + 1
            }
            return false
        }
        guard found else { return bytes }
        return Array(demoronize(String(decoding: bytes, as: UTF8.self)).utf8)
    }

    /// A UTF-8 validity check that allocates nothing (overlongs, surrogates and > U+10FFFF fail).
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            let n = buffer.count
            let raw = UnsafeRawBufferPointer(buffer)
            while i < n {
                // Eight ASCII bytes at a time: most of a page is markup.
                if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                    continue
                }
                let b = buffer[i]
                if b < 0x80 {
                    i += 1
                    continue
                }
                let length: Int
                var low: UInt8 = 0x80, high: UInt8 = 0xBF
                switch b {
                case 0xC2...0xDF: length = 2
                case 0xE0: length = 3; low = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: length = 3
                case 0xED: length = 3; high = 0x9F
                case 0xF0: length = 4; low = 0x90
                case 0xF1...0xF3: length = 4
                case 0xF4: length = 4; high = 0x8F
                default: return false
                }
                guard i + length <= n else { return false }
                let second = buffer[i + 1]
                guard second >= low && second <= high else { return false }
                var k = 2
                while k < length {
                    guard buffer[i + k] & 0xC0 == 0x80 else { return false }
                    k += 1
                }
                i += length
            }
            return true
        }
    }

    /// C1 control characters (U+0080–U+009F) in text are almost always windows-1252 bytes that
    /// went through a Latin-1 decoder; they become the characters meant (’ “ ” … €).
    static func demoronize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value >= 0x80 && $0.value <= 0x9F }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x80 && scalar.value <= 0x9F, let mapped = windows1252High[Int(scalar.value - 0x80)] {
                scalars.append(mapped)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    static let windows1252High: [Unicode.Scalar?] = [
        "\u{20AC}", nil, "\u{201A}", "\u{0192}", "\u{201E}", "\u{2026}", "\u{2020}", "\u{2021}", "\u{02C6}", "\u{2030}",
        "\u{0160}", "\u{2039}", "\u{0152}", nil, "\u{017D}", nil, nil, "\u{2018}", "\u{2019}", "\u{201C}", "\u{201D}",
        "\u{2022}", "\u{2013}", "\u{2014}", "\u{02DC}", "\u{2122}", "\u{0161}", "\u{203A}", "\u{0153}", nil, "\u{017E}",
        "\u{0178}",
    ]

    /// The encoding a byte-order mark names, and the mark's length.
    static func bom(_ b: [UInt8]) -> (String, Int)? {
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { return ("UTF-8", 3) }
        if b.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return ("UTF-32BE", 4) }
        if b.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return ("UTF-32LE", 4) }
        if b.starts(with: [0xFE, 0xFF]) { return ("UTF-16BE", 2) }
        if b.starts(with: [0xFF, 0xFE]) { return ("UTF-16LE", 2) }
        return nil
    }

    /// `charset=` from a Content-Type header.
    static func httpCharset(_ contentType: String) -> String? {
        for part in contentType.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmedWhitespace() }
            if pair.count == 2, pair[0].lowercased() == "charset" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// The XML prolog's `encoding="…"`, or an HTML `<meta charset>` / `content="…charset=…"`,
    /// read from the first 2 KB as ASCII (UTF-16 without a BOM is recognised by its zeros).
    static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        if bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0x3C { return "UTF-16BE" }
        if bytes.count >= 4 && bytes[0] == 0x3C && bytes[1] == 0 { return "UTF-16LE" }
        // Read as ASCII: other bytes become spaces, so they can neither match nor end up in a name.
        if bytes.starts(with: xmlProlog) {
            // The prolog alone: most feeds stop here.
            let prolog = bytes.prefix(512).map { $0 < 0x80 ? $0 : 0x20 }
            guard let end = HTMLEntities.contains(prolog, Array("?>".utf8), from: 0) else { return nil }
            return attributeValue(in: prolog[..<end], named: encodingName)
        }
        // Most XML without a prolog has no <meta> at all: look for one before copying anything.
        guard hasMetaTag(bytes.prefix(2048)) else { return nil }
        var head = bytes.prefix(2048).map { $0 < 0x80 ? $0 : 0x20 }
        for index in head.indices where head[index] >= 0x41 && head[index] <= 0x5A { head[index] |= 0x20 }
        // Every <meta> tag in the head, in order: the first may well be a viewport.
        var start = 0
        while let meta = HTMLEntities.contains(head, metaOpen, from: start) {
            let tagEnd = head[(meta + metaOpen.count)...].firstIndex(of: 0x3E) ?? head.count
            let tag = head[(meta + metaOpen.count)..<tagEnd]
            if let value = attributeValue(in: tag, named: charsetName) { return value }
            if let found = HTMLEntities.contains(Array(tag), charsetEquals, from: 0) {
                // content="text/html; charset=koi8-r"
                let rest = tag.dropFirst(found + charsetEquals.count).prefix { !charsetTerminators.contains($0) }
                if !rest.isEmpty { return String(decoding: rest, as: UTF8.self) }
            }
            start = tagEnd
        }
        return nil
    }

    /// `<meta` in any case, by a scan that copies nothing.
    private static func hasMetaTag(_ head: ArraySlice<UInt8>) -> Bool {
        var index = head.startIndex
        let end = head.endIndex
        while index + 5 <= end {
            if head[index] == 0x3C && head[index + 1] | 0x20 == 0x6D && head[index + 2] | 0x20 == 0x65
                && head[index + 3] | 0x20 == 0x74 && head[index + 4] | 0x20 == 0x61
            {
                return true
            }
            index += 1
        }
        return false
    }

    private static let xmlProlog = Array("<?xml".utf8)
    private static let encodingName = Array("encoding".utf8)
    private static let metaOpen = Array("<meta".utf8)
    private static let charsetName = Array("charset".utf8)
    private static let charsetEquals = Array("charset=".utf8)
    private static let charsetTerminators = Array("\"'; >/".utf8)

    /// `name="value"` (or single quotes, spaces around `=`) in ASCII `text`, by a byte scan.
    static func attributeValue(in text: ArraySlice<UInt8>, named key: [UInt8]) -> String? {
        let bytes = Array(text)
        var start = 0
        while let found = HTMLEntities.contains(bytes, key, from: start) {
            var index = found + key.count
            while index < bytes.count && bytes[index] == 0x20 { index += 1 }
            guard index < bytes.count, bytes[index] == 0x3D else {
                start = found + 1
                continue
            }
            index += 1
            while index < bytes.count && bytes[index] == 0x20 { index += 1 }
            guard index < bytes.count, bytes[index] == 0x22 || bytes[index] == 0x27 else { return nil }
            let quote = bytes[index]
            let valueStart = index + 1
            var end = valueStart
            while end < bytes.count && bytes[end] != quote { end += 1 }
            guard end > valueStart, end < bytes.count else { return nil }
            return String(decoding: bytes[valueStart..<end], as: UTF8.self)
        }
        return nil
    }

    /// Maps common labels to names iconv knows.
    static func normalize(_ name: String) -> String {
        let lower = name.trimmedWhitespace().lowercased()
        switch lower {
        case "gb2312", "gbk", "x-gbk", "cp936": return "GB18030"
        case "utf8": return "UTF-8"
        case "latin1", "latin-1", "l1": return "ISO-8859-1"
        case "x-sjis", "shift-jis", "sjis", "ms_kanji": return "SHIFT_JIS"
        case "x-euc-jp": return "EUC-JP"
        case "ascii", "us-ascii", "ansi_x3.4-1968", "iso-8859-1", "iso8859-1":
            // Declared ASCII/Latin-1 is usually windows-1252 in practice (as browsers decode it).
            return "WINDOWS-1252"
        case "utf-16": return "UTF-16"
        default: return lower.uppercased()
        }
    }

    /// UTF-8 bytes of `bytes` read as `encoding` (no copy when that is UTF-8 and valid).
    static func convertBytes(_ bytes: [UInt8], from encoding: String) -> [UInt8]? {
        if encoding.uppercased() == "UTF-8" { return isValidUTF8(bytes) ? bytes : nil }
        let cd = iconv_open("UTF-8", encoding)
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: max(64, bytes.count * 4 + 16))
        var inLeft = input.count
        var outLeft = output.count
        let ok: Bool = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
                if inLeft > 0 && iconv(cd, &inPointer, &inLeft, &outPointer, &outLeft) == Int(bitPattern: UInt(bitPattern: -1)) { return false }
                // The flush: stateful decoders (CP1255/CP1258, ISO-2022) keep the last character.
                return iconv(cd, nil, nil, &outPointer, &outLeft) != Int(bitPattern: UInt(bitPattern: -1))
            }
        }
        guard ok else { return nil }
        output.removeLast(outLeft)
        return output
    }
}
