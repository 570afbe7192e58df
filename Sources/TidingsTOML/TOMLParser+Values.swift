extension TOMLScanner {
    /// Parses the value that starts at `pos`.
    mutating func parseValue() throws(TOMLParseError) -> TOMLValue {
        guard let b = peek() else { throw error("expected a value, found end of file") }
        switch b {
        case TOMLByte.quote:
            if peek(1) == TOMLByte.quote && peek(2) == TOMLByte.quote {
                return .string(try parseMultilineBasicString())
            }
            return .string(try parseBasicString())
        case TOMLByte.apostrophe:
            if peek(1) == TOMLByte.apostrophe && peek(2) == TOMLByte.apostrophe {
                return .string(try parseMultilineLiteralString())
            }
            return .string(try parseLiteralString())
        case TOMLByte.openBracket:
            return try parseArray()
        case TOMLByte.openBrace:
            return try parseInlineTable()
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return try parseBool()
        case UInt8(ascii: "i"), UInt8(ascii: "n"), TOMLByte.plus, TOMLByte.minus:
            return try parseNumber()
        default:
            if TOMLByte.isDigit(b) { return try parseNumberOrDateTime() }
            if TOMLByte.isBare(b) {
                throw error("invalid value \(wordAt(pos)) (text must be in quotes)")
            }
            throw error("expected a value, found \(describeHere())")
        }
    }

    /// The run of word-like characters at `offset`, quoted, for messages.
    func wordAt(_ offset: Int) -> String {
        var end = offset
        while end < bytes.count && Self.isWordByte(bytes[end]) { end += 1 }
        return "\"" + String(decoding: bytes[offset..<end], as: UTF8.self) + "\""
    }

    /// Characters that may continue a number, date or keyword; a value must not be followed
    /// directly by one of these.
    static func isWordByte(_ b: UInt8) -> Bool {
        TOMLByte.isBare(b) || b == TOMLByte.dot || b == TOMLByte.plus || b == TOMLByte.colon
    }

    mutating func parseBool() throws(TOMLParseError) -> TOMLValue {
        let value = peek() == UInt8(ascii: "t")
        let word = value ? "true" : "false"
        let end = pos + word.utf8.count
        guard end <= bytes.count, bytes[pos..<end].elementsEqual(word.utf8),
            end == bytes.count || !Self.isWordByte(bytes[end])
        else {
            throw error("invalid value \(wordAt(pos)) (booleans are true or false; text must be in quotes)")
        }
        pos = end
        return .bool(value)
    }

    mutating func enterNested(_ what: String) throws(TOMLParseError) {
        depth += 1
        if depth > Self.maxDepth { throw error("\(what) nested too deeply") }
    }

    /// Parses `[ ... ]`: elements of any types, separated by commas, a trailing comma
    /// allowed, comments and line ends allowed between elements.
    mutating func parseArray() throws(TOMLParseError) -> TOMLValue {
        let openPosition = here()
        try enterNested("arrays are")
        pos += 1
        var elements: [TOMLNode] = []
        while true {
            try skipTrivia()
            guard let b = peek() else {
                throw error("unterminated array (opened at line \(openPosition.line), column \(openPosition.column))")
            }
            if b == TOMLByte.closeBracket { break }
            let start = here()
            let value = try parseValue()
            elements.append(TOMLNode(value: value, position: start))
            try skipTrivia()
            if peek() == TOMLByte.comma {
                pos += 1
            } else if peek() == TOMLByte.closeBracket {
                break
            } else if pos >= bytes.count {
                throw error("unterminated array (opened at line \(openPosition.line), column \(openPosition.column))")
            } else {
                throw error("expected ',' or ']' after array element, found \(describeHere())")
            }
        }
        pos += 1
        depth -= 1
        return .array(elements)
    }

    /// Parses `{ key = value, ... }`: on one line, no trailing comma, complete at its `}`.
    mutating func parseInlineTable() throws(TOMLParseError) -> TOMLValue {
        let openPosition = here()
        try enterNested("inline tables are")
        pos += 1
        let table = TOMLTableBuilder(name: "", origin: .inline, position: openPosition, depth: depth)
        skipSpaces()
        if peek() == TOMLByte.closeBrace {
            pos += 1
            depth -= 1
            return .table(table.build())
        }
        while true {
            skipSpaces()
            try checkInlineTableLine(openPosition)
            if peek() == TOMLByte.closeBrace {
                throw error("trailing comma is not allowed in an inline table")
            }
            try parseKeyValue(into: table)
            skipSpaces()
            try checkInlineTableLine(openPosition)
            if peek() == TOMLByte.comma {
                pos += 1
            } else if peek() == TOMLByte.closeBrace {
                pos += 1
                depth -= 1
                return .table(table.build())
            } else {
                throw error("expected ',' or '}' in inline table, found \(describeHere())")
            }
        }
    }

    /// Inline tables must stay on one line (TOML 1.0), and must be closed.
    private mutating func checkInlineTableLine(_ open: TOMLPosition) throws(TOMLParseError) {
        guard let b = peek() else {
            throw error("unterminated inline table (opened at line \(open.line), column \(open.column))")
        }
        if b == TOMLByte.lf || b == TOMLByte.cr || b == TOMLByte.hash {
            throw error(
                "inline table (opened at line \(open.line), column \(open.column)) must be closed with '}' "
                    + "on the same line, found \(describeHere())")
        }
    }
}
