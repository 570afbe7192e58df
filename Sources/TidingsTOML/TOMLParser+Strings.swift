extension TOMLScanner {
    /// Parses `"..."` (one line, with escapes), starting at its opening quote.
    mutating func parseBasicString() throws(TOMLParseError) -> String {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        var run = pos
        while true {
            guard pos < bytes.count else { throw unterminated("string", at: start) }
            let b = bytes[pos]
            if b == TOMLByte.quote {
                out.append(contentsOf: bytes[run..<pos])
                pos += 1
                return String(decoding: out, as: UTF8.self)
            } else if b == TOMLByte.backslash {
                out.append(contentsOf: bytes[run..<pos])
                try parseEscape(into: &out)
                run = pos
            } else if b == TOMLByte.lf || (b == TOMLByte.cr && peek(1) == TOMLByte.lf) {
                throw error(
                    "unterminated string: a \"...\" string must end on the line it starts "
                        + "(use \"\"\"...\"\"\" for text on several lines)", at: start)
            } else if TOMLByte.isControl(b) {
                throw controlCharacter(in: "a string")
            } else {
                pos += 1
            }
        }
    }

    /// Parses `'...'` (one line, no escapes), starting at its opening apostrophe.
    mutating func parseLiteralString() throws(TOMLParseError) -> String {
        let start = pos
        pos += 1
        while true {
            guard pos < bytes.count else { throw unterminated("literal string", at: start) }
            let b = bytes[pos]
            if b == TOMLByte.apostrophe {
                pos += 1
                return String(decoding: bytes[(start + 1)..<(pos - 1)], as: UTF8.self)
            } else if b == TOMLByte.lf || (b == TOMLByte.cr && peek(1) == TOMLByte.lf) {
                throw error(
                    "unterminated literal string: a '...' string must end on the line it starts "
                        + "(use '''...''' for text on several lines)", at: start)
            } else if TOMLByte.isControl(b) {
                throw controlCharacter(in: "a literal string")
            }
            pos += 1
        }
    }

    /// Parses `"""..."""`: escapes, line-ending backslashes, and a newline right after the
    /// opening quotes is dropped. CR LF inside is read as LF.
    mutating func parseMultilineBasicString() throws(TOMLParseError) -> String {
        let start = pos
        pos += 3
        _ = try consumeNewline()
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw unterminated("multi-line string", at: start) }
            let b = bytes[pos]
            if b == TOMLByte.quote {
                if try closeMultiline(TOMLByte.quote, into: &out) { return String(decoding: out, as: UTF8.self) }
            } else if b == TOMLByte.backslash {
                if !(try skipLineEndingBackslash()) { try parseEscape(into: &out) }
            } else if b == TOMLByte.lf || b == TOMLByte.cr {
                _ = try consumeNewline()
                out.append(TOMLByte.lf)
            } else if TOMLByte.isControl(b) {
                throw controlCharacter(in: "a multi-line string")
            } else {
                out.append(b)
                pos += 1
            }
        }
    }

    /// Parses `'''...'''`: no escapes; a newline right after the opening quotes is dropped.
    mutating func parseMultilineLiteralString() throws(TOMLParseError) -> String {
        let start = pos
        pos += 3
        _ = try consumeNewline()
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw unterminated("multi-line literal string", at: start) }
            let b = bytes[pos]
            if b == TOMLByte.apostrophe {
                if try closeMultiline(TOMLByte.apostrophe, into: &out) {
                    return String(decoding: out, as: UTF8.self)
                }
            } else if b == TOMLByte.lf || b == TOMLByte.cr {
                _ = try consumeNewline()
                out.append(TOMLByte.lf)
            } else if TOMLByte.isControl(b) {
                throw controlCharacter(in: "a multi-line literal string")
            } else {
                out.append(b)
                pos += 1
            }
        }
    }

    /// At a run of quotes inside a multi-line string: three or more close it (up to two more
    /// belong to the content); fewer are content. Returns whether the string ended.
    private mutating func closeMultiline(_ quote: UInt8, into out: inout [UInt8]) throws(TOMLParseError) -> Bool {
        var count = 0
        while count < 5 && pos + count < bytes.count && bytes[pos + count] == quote { count += 1 }
        if count < 3 {
            out.append(contentsOf: repeatElement(quote, count: count))
            pos += count
            return false
        }
        out.append(contentsOf: repeatElement(quote, count: count - 3))
        pos += count
        return true
    }

    /// A backslash followed only by spaces up to the line end joins the lines: it, the line
    /// end and all whitespace (including more line ends) after it are dropped.
    private mutating func skipLineEndingBackslash() throws(TOMLParseError) -> Bool {
        var i = pos + 1
        while i < bytes.count && (bytes[i] == TOMLByte.space || bytes[i] == TOMLByte.tab) { i += 1 }
        guard i < bytes.count, bytes[i] == TOMLByte.lf || bytes[i] == TOMLByte.cr else { return false }
        pos = i
        while true {
            skipSpaces()
            if !(try consumeNewline()) { return true }
        }
    }

    /// Parses one escape sequence starting at its backslash and appends its UTF-8.
    mutating func parseEscape(into out: inout [UInt8]) throws(TOMLParseError) {
        let start = pos
        guard let c = peek(1) else { throw unterminated("string", at: start) }
        pos += 2
        switch c {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case TOMLByte.quote: out.append(TOMLByte.quote)
        case TOMLByte.backslash: out.append(TOMLByte.backslash)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = c == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            for _ in 0..<count {
                guard let digit = peek().flatMap(Self.hexValue) else {
                    throw error(
                        "escape \\\(Character(Unicode.Scalar(c))) needs \(count) hexadecimal digits", at: start)
                }
                value = value << 4 | UInt32(digit)
                pos += 1
            }
            guard let scalar = Unicode.Scalar(value) else {
                let text = String(decoding: bytes[start..<pos], as: UTF8.self)
                throw error(
                    "escape \(text) is not a Unicode scalar value (\(Self.codePoint(value)) is "
                        + (value > 0x10FFFF ? "beyond U+10FFFF)" : "a surrogate)"), at: start)
            }
            UTF8.encode(scalar) { out.append($0) }
        default:
            pos = start
            if c >= 0x20 && c < 0x7F {
                throw error("invalid escape sequence \"\\\(Character(Unicode.Scalar(c)))\"", at: start)
            }
            throw error("invalid escape: backslash followed by \(describe(start + 1))", at: start)
        }
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        if TOMLByte.isDigit(b) { return b - 0x30 }
        let lower = b | 0x20
        if lower >= 0x61 && lower <= 0x66 { return lower - 0x61 + 10 }
        return nil
    }

    private mutating func unterminated(_ what: String, at start: Int) -> TOMLParseError {
        error("unterminated \(what)", at: start)
    }

    private mutating func controlCharacter(in what: String) -> TOMLParseError {
        let b = bytes[pos]
        let name = b == TOMLByte.cr ? "carriage return" : "control character"
        let hint = what.contains("literal") ? "" : "; write it as an escape"
        return error("\(name) \(Self.codePoint(UInt32(b))) is not allowed in \(what)\(hint)")
    }
}
