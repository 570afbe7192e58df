import Foundation

/// Parses TOML 1.0 documents into tables that remember where every key was written, so
/// that configuration errors can point at a line.
public enum TOMLParser {
    /// Parses `text` (a leading byte-order mark is skipped; LF and CRLF line ends are both
    /// accepted) and returns its root table, or the first error with its line and column.
    public static func parse(_ text: String) throws(TOMLParseError) -> TOMLTable {
        var scanner = TOMLScanner(text)
        return try scanner.parseDocument()
    }
}

/// ASCII bytes the parser looks for.
enum TOMLByte {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let apostrophe: UInt8 = 0x27
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let colon: UInt8 = 0x3A
    static let equals: UInt8 = 0x3D
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let delete: UInt8 = 0x7F

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    /// `A-Z a-z 0-9 _ -`: the characters of a bare key.
    static func isBare(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) || b == underscore || b == minus }
    /// Control characters TOML never allows unescaped (tab is allowed; newlines are handled
    /// by the caller).
    static func isControl(_ b: UInt8) -> Bool { (b < 0x20 && b != tab) || b == delete }
}

/// One segment of a (possibly dotted) key, with where it starts.
struct TOMLKeySegment {
    var name: String
    var offset: Int
    var position: TOMLPosition
}

/// The parser's state: the document's UTF-8 bytes, the read offset and the current line.
struct TOMLScanner {
    let bytes: [UInt8]
    var pos: Int
    var line = 1
    var lineStart: Int
    /// Nesting of arrays and inline tables being parsed, to refuse pathological documents
    /// before they exhaust the stack.
    var depth = 0
    static let maxDepth = 128
    private let bodyStart: Int
    private var columnOffset: Int
    private var columnValue = 1

    init(_ text: String) {
        bytes = Array(text.utf8)
        let bom = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        bodyStart = bom ? 3 : 0
        pos = bodyStart
        lineStart = bodyStart
        columnOffset = bodyStart
    }

    // MARK: Positions and errors

    func peek(_ ahead: Int = 0) -> UInt8? {
        let i = pos + ahead
        return i < bytes.count ? bytes[i] : nil
    }

    /// Records that a line feed at `offset - 1` was consumed.
    mutating func startLine(at offset: Int) {
        line += 1
        lineStart = offset
    }

    /// The line and column of `offset`. Offsets on the current line are computed
    /// incrementally; earlier ones (only needed for some errors) by scanning from the start.
    mutating func position(_ offset: Int) -> TOMLPosition {
        if offset >= lineStart {
            var from = lineStart
            var column = 1
            if columnOffset >= lineStart && columnOffset <= offset {
                from = columnOffset
                column = columnValue
            }
            var i = from
            while i < offset {
                if bytes[i] & 0xC0 != 0x80 { column += 1 }
                i += 1
            }
            columnOffset = offset
            columnValue = column
            return TOMLPosition(line: line, column: column)
        }
        var lineNumber = 1
        var start = bodyStart
        var column = 1
        for i in bodyStart..<offset where bytes[i] == TOMLByte.lf {
            lineNumber += 1
            start = i + 1
        }
        for i in start..<offset where bytes[i] & 0xC0 != 0x80 { column += 1 }
        return TOMLPosition(line: lineNumber, column: column)
    }

    mutating func here() -> TOMLPosition { position(pos) }

    mutating func error(_ message: String, at offset: Int) -> TOMLParseError {
        let p = position(offset)
        return TOMLParseError(line: p.line, column: p.column, message: message)
    }

    mutating func error(_ message: String) -> TOMLParseError { error(message, at: pos) }

    /// What is at `offset`, for messages: `'x'`, `end of line`, `end of file`, or a
    /// control character's code point.
    func describe(_ offset: Int) -> String {
        guard offset < bytes.count else { return "end of file" }
        let b = bytes[offset]
        if b == TOMLByte.lf || (b == TOMLByte.cr && offset + 1 < bytes.count && bytes[offset + 1] == TOMLByte.lf) {
            return "end of line"
        }
        if TOMLByte.isControl(b) { return "control character \(Self.codePoint(UInt32(b)))" }
        var end = offset + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        return "'" + String(decoding: bytes[offset..<end], as: UTF8.self) + "'"
    }

    func describeHere() -> String { describe(pos) }

    static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    // MARK: Whitespace, comments and line ends

    mutating func skipSpaces() {
        while pos < bytes.count && (bytes[pos] == TOMLByte.space || bytes[pos] == TOMLByte.tab) { pos += 1 }
    }

    /// Consumes a line feed or CR LF if one is next; a lone carriage return is an error.
    mutating func consumeNewline() throws(TOMLParseError) -> Bool {
        guard let b = peek() else { return false }
        if b == TOMLByte.lf {
            pos += 1
        } else if b == TOMLByte.cr {
            guard peek(1) == TOMLByte.lf else {
                throw error("carriage return (U+000D) must be followed by a line feed")
            }
            pos += 2
        } else {
            return false
        }
        startLine(at: pos)
        return true
    }

    /// Skips a comment if one is next, stopping before its line end.
    mutating func skipComment() throws(TOMLParseError) {
        guard peek() == TOMLByte.hash else { return }
        pos += 1
        while pos < bytes.count {
            let b = bytes[pos]
            if b == TOMLByte.lf || (b == TOMLByte.cr && peek(1) == TOMLByte.lf) { return }
            if TOMLByte.isControl(b) {
                throw error("\(describeHere()) is not allowed in a comment")
            }
            pos += 1
        }
    }

    /// Skips spaces, comments and line ends (inside arrays).
    mutating func skipTrivia() throws(TOMLParseError) {
        while true {
            skipSpaces()
            try skipComment()
            if !(try consumeNewline()) { return }
        }
    }

    /// After a key/value pair or a header only a comment may follow on the same line.
    mutating func expectLineEnd(after what: String) throws(TOMLParseError) {
        skipSpaces()
        try skipComment()
        if pos >= bytes.count { return }
        if !(try consumeNewline()) {
            throw error("expected end of line after \(what), found \(describeHere())")
        }
    }

    // MARK: Document structure

    mutating func parseDocument() throws(TOMLParseError) -> TOMLTable {
        let root = TOMLTableBuilder(name: "", origin: .header, position: TOMLPosition(line: 1, column: 1))
        var current = root
        while true {
            skipSpaces()
            guard let b = peek() else { break }
            if b == TOMLByte.hash {
                try skipComment()
            } else if b == TOMLByte.lf || b == TOMLByte.cr {
                _ = try consumeNewline()
            } else if b == TOMLByte.openBracket {
                let (table, what) = try parseHeader(root: root)
                current = table
                try expectLineEnd(after: what)
            } else {
                try parseKeyValue(into: current)
                try expectLineEnd(after: "value")
            }
        }
        return root.build()
    }

    /// Parses `[a.b]` or `[[a.b]]` and returns the table that key/value pairs now go to.
    mutating func parseHeader(root: TOMLTableBuilder) throws(TOMLParseError) -> (TOMLTableBuilder, String) {
        let headerOffset = pos
        let headerPosition = here()
        pos += 1
        let isArray = peek() == TOMLByte.openBracket
        if isArray { pos += 1 }
        skipSpaces()
        let segments = try parseKey(expecting: "a table name")
        let name = TOMLTableBuilder.displayName(segments.map(\.name))
        let shown = isArray ? "[[\(name)]]" : "[\(name)]"
        guard peek() == TOMLByte.closeBracket, !isArray || peek(1) == TOMLByte.closeBracket else {
            let close = isArray ? "']]'" : "']'"
            if peek() == TOMLByte.closeBracket { pos += 1 }
            throw error("expected \(close) to close table header \(shown), found \(describeHere())")
        }
        pos += isArray ? 2 : 1
        let table: TOMLTableBuilder
        if isArray {
            table = try openArrayTable(segments, at: headerPosition, offset: headerOffset, root: root)
        } else {
            table = try openTable(segments, at: headerPosition, offset: headerOffset, root: root)
        }
        return (table, "table header \(shown)")
    }

    /// Parses a bare, quoted or dotted key; leaves `pos` after the key and any spaces.
    mutating func parseKey(expecting what: String) throws(TOMLParseError) -> [TOMLKeySegment] {
        var segments: [TOMLKeySegment] = []
        while true {
            skipSpaces()
            let start = pos
            let name: String
            guard let b = peek() else { throw error("expected \(what), found end of file") }
            if TOMLByte.isBare(b) {
                while pos < bytes.count && TOMLByte.isBare(bytes[pos]) { pos += 1 }
                name = String(decoding: bytes[start..<pos], as: UTF8.self)
            } else if b == TOMLByte.quote || b == TOMLByte.apostrophe {
                if peek(1) == b && peek(2) == b {
                    throw error("a key cannot be a multi-line string")
                }
                if b == TOMLByte.quote {
                    name = try parseBasicString()
                } else {
                    name = try parseLiteralString()
                }
            } else if segments.isEmpty {
                throw error("expected \(what), found \(describeHere())")
            } else {
                throw error("expected a key after '.', found \(describeHere())")
            }
            segments.append(TOMLKeySegment(name: name, offset: start, position: position(start)))
            skipSpaces()
            guard peek() == TOMLByte.dot else { return segments }
            pos += 1
        }
    }

    /// Parses `key = value` and stores it in `table`.
    mutating func parseKeyValue(into table: TOMLTableBuilder) throws(TOMLParseError) {
        let segments = try parseKey(expecting: "a key")
        guard peek() == TOMLByte.equals else {
            throw error("expected '=' after key \(TOMLTableBuilder.keyPhrase(segments.map(\.name)))")
        }
        pos += 1
        skipSpaces()
        let value = try parseValue()
        try insert(segments, TOMLNode(value: value, position: segments[0].position), into: table)
    }
}
