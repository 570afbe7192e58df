extension TOMLScanner {
    /// At a digit: a date (`1979-05-27...`), a local time (`07:32:00`) or a number.
    mutating func parseNumberOrDateTime() throws(TOMLParseError) -> TOMLValue {
        if digitRun(at: pos, count: 4) && peek(4) == TOMLByte.minus {
            return .datetime(try parseDateTime())
        }
        if digitRun(at: pos, count: 2) && peek(2) == TOMLByte.colon {
            return .datetime(try parseDateTime())
        }
        return try parseNumber()
    }

    private func digitRun(at offset: Int, count: Int) -> Bool {
        guard offset + count <= bytes.count else { return false }
        for i in offset..<(offset + count) where !TOMLByte.isDigit(bytes[i]) { return false }
        return true
    }

    /// Parses an integer (decimal, `0x`, `0o`, `0b`) or a float (fraction, exponent, `inf`,
    /// `nan`), with `_` allowed between digits.
    mutating func parseNumber() throws(TOMLParseError) -> TOMLValue {
        let start = pos
        while pos < bytes.count && Self.isWordByte(bytes[pos]) { pos += 1 }
        let token = Array(bytes[start..<pos])
        let text = String(decoding: token, as: UTF8.self)
        func invalid(_ reason: String) -> TOMLParseError {
            error("invalid number \"\(text)\": \(reason)", at: start)
        }
        var i = 0
        let negative = token.first == TOMLByte.minus
        if token.first == TOMLByte.plus || negative { i = 1 }
        let body = token[i...]
        if body.elementsEqual("inf".utf8) { return .float(negative ? -.infinity : .infinity) }
        if body.elementsEqual("nan".utf8) { return .float(negative ? -.nan : .nan) }
        guard let first = body.first, TOMLByte.isDigit(first) else {
            if let first = body.first, TOMLByte.isLetter(first) {
                throw error("invalid value \"\(text)\" (text must be in quotes)", at: start)
            }
            throw invalid("expected a digit after the sign")
        }

        if first == UInt8(ascii: "0"), body.count >= 2, let radix = Self.radix(body[i + 1]) {
            if i == 1 { throw invalid("only decimal numbers may have a sign") }
            let digits = token[2...]
            guard Self.validGroups(digits, radix: radix) else {
                throw invalid(Self.groupProblem(digits, radix: radix))
            }
            var value: UInt64 = 0
            for b in digits where b != TOMLByte.underscore {
                let (shifted, overflow) = value.multipliedReportingOverflow(by: UInt64(radix))
                guard !overflow, let digit = Self.hexValue(b), shifted + UInt64(digit) <= UInt64(Int64.max) else {
                    throw invalid("out of range for a 64-bit integer")
                }
                value = shifted + UInt64(digit)
            }
            return .integer(Int64(value))
        }

        // Decimal: integer part, then an optional fraction and exponent.
        var end = i
        while end < token.count && (TOMLByte.isDigit(token[end]) || token[end] == TOMLByte.underscore) { end += 1 }
        let integerPart = token[i..<end]
        guard Self.validGroups(integerPart, radix: 10) else {
            throw invalid(Self.groupProblem(integerPart, radix: 10))
        }
        if integerPart.count > 1 && integerPart.first == UInt8(ascii: "0") {
            throw invalid("leading zeros are not allowed")
        }
        var isFloat = false
        if end < token.count && token[end] == TOMLByte.dot {
            isFloat = true
            let fractionStart = end + 1
            end = fractionStart
            while end < token.count && (TOMLByte.isDigit(token[end]) || token[end] == TOMLByte.underscore) { end += 1 }
            let fraction = token[fractionStart..<end]
            if fraction.isEmpty { throw invalid("a decimal point must be followed by digits") }
            guard Self.validGroups(fraction, radix: 10) else { throw invalid(Self.groupProblem(fraction, radix: 10)) }
        }
        if end < token.count && (token[end] | 0x20) == UInt8(ascii: "e") {
            isFloat = true
            end += 1
            if end < token.count && (token[end] == TOMLByte.plus || token[end] == TOMLByte.minus) { end += 1 }
            let exponentStart = end
            while end < token.count && (TOMLByte.isDigit(token[end]) || token[end] == TOMLByte.underscore) { end += 1 }
            let exponent = token[exponentStart..<end]
            if exponent.isEmpty { throw invalid("an exponent must have digits") }
            guard Self.validGroups(exponent, radix: 10) else { throw invalid(Self.groupProblem(exponent, radix: 10)) }
        }
        if end < token.count {
            if token[i...].contains(where: { TOMLByte.isLetter($0) && ($0 | 0x20) != UInt8(ascii: "e") }) {
                throw error("invalid value \"\(text)\" (text must be in quotes)", at: start)
            }
            throw invalid("unexpected \(describe(start + end))")
        }
        let plain = String(decoding: token.lazy.filter { $0 != TOMLByte.underscore }, as: UTF8.self)
        if isFloat {
            guard let value = Double(plain), value.isFinite else {
                throw invalid("out of range for a 64-bit float")
            }
            return .float(value)
        }
        guard let value = Int64(plain) else { throw invalid("out of range for a 64-bit integer") }
        return .integer(value)
    }

    private static func radix(_ b: UInt8) -> Int? {
        switch b {
        case UInt8(ascii: "x"): return 16
        case UInt8(ascii: "o"): return 8
        case UInt8(ascii: "b"): return 2
        default: return nil
        }
    }

    private static func isDigit(_ b: UInt8, radix: Int) -> Bool {
        guard let value = hexValue(b) else { return false }
        return Int(value) < radix && (radix == 16 || TOMLByte.isDigit(b))
    }

    /// Digits of `radix`, with single underscores only between digits.
    private static func validGroups(_ digits: ArraySlice<UInt8>, radix: Int) -> Bool {
        var previousWasDigit = false
        for b in digits {
            if b == TOMLByte.underscore {
                if !previousWasDigit { return false }
                previousWasDigit = false
            } else if isDigit(b, radix: radix) {
                previousWasDigit = true
            } else {
                return false
            }
        }
        return previousWasDigit
    }

    private static func groupProblem(_ digits: ArraySlice<UInt8>, radix: Int) -> String {
        if digits.isEmpty { return "expected digits" }
        if let bad = digits.first(where: { $0 != TOMLByte.underscore && !isDigit($0, radix: radix) }) {
            let name = radix == 16 ? "a hexadecimal" : radix == 8 ? "an octal" : radix == 2 ? "a binary" : "a decimal"
            return "'\(Character(Unicode.Scalar(bad)))' is not \(name) digit"
        }
        return "an underscore must be between two digits"
    }

    /// Parses an offset date-time, local date-time, local date or local time, checking the
    /// shape and the ranges of every field; returns the text as written.
    mutating func parseDateTime() throws(TOMLParseError) -> String {
        let start = pos
        var i = start
        var hasDate = false
        var end = start
        while end < bytes.count && Self.isWordByte(bytes[end]) { end += 1 }
        let shown = String(decoding: bytes[start..<end], as: UTF8.self)
        func invalid(_ kind: String, _ reason: String) -> TOMLParseError {
            error("invalid \(kind) \"\(shown)\": \(reason)", at: start)
        }
        func number(_ count: Int) -> Int? {
            guard digitRun(at: i, count: count) else { return nil }
            var value = 0
            for b in bytes[i..<(i + count)] { value = value * 10 + Int(b - 0x30) }
            i += count
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == byte else { return false }
            i += 1
            return true
        }

        if peek(4) == TOMLByte.minus {
            guard let year = number(4), take(TOMLByte.minus), let month = number(2), take(TOMLByte.minus),
                let day = number(2)
            else { throw invalid("date", "expected YYYY-MM-DD") }
            guard (1...12).contains(month) else { throw invalid("date", "month must be 01 to 12") }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            guard (1...days).contains(day) else {
                throw invalid("date", "day must be 01 to \(days) in that month")
            }
            hasDate = true
            let separator = i < bytes.count ? bytes[i] : 0
            let timeFollows =
                (separator | 0x20) == UInt8(ascii: "t")
                || (separator == TOMLByte.space && i + 1 < bytes.count && TOMLByte.isDigit(bytes[i + 1]))
            if !timeFollows {
                return try finishDateTime(start: start, end: i, shown: shown, kind: "date")
            }
            i += 1
        }

        let kind = hasDate ? "date-time" : "time"
        guard let hour = number(2), take(TOMLByte.colon), let minute = number(2) else {
            throw invalid(kind, hasDate ? "expected HH:MM:SS after the date" : "expected HH:MM:SS")
        }
        guard take(TOMLByte.colon), let second = number(2) else {
            throw invalid(kind, "expected seconds (HH:MM:SS)")
        }
        guard hour < 24 else { throw invalid(kind, "hour must be 00 to 23") }
        guard minute < 60 else { throw invalid(kind, "minute must be 00 to 59") }
        guard second <= 60 else { throw invalid(kind, "second must be 00 to 60") }
        if take(TOMLByte.dot) {
            guard number(1) != nil else { throw invalid(kind, "expected digits after '.'") }
            while i < bytes.count && TOMLByte.isDigit(bytes[i]) { i += 1 }
        }
        if hasDate && i < bytes.count {
            if (bytes[i] | 0x20) == UInt8(ascii: "z") {
                i += 1
            } else if bytes[i] == TOMLByte.plus || bytes[i] == TOMLByte.minus {
                i += 1
                guard let offsetHour = number(2), take(TOMLByte.colon), let offsetMinute = number(2) else {
                    throw invalid(kind, "expected a time offset like +01:00")
                }
                guard offsetHour < 24, offsetMinute < 60 else {
                    throw invalid(kind, "time offset out of range")
                }
            }
        }
        return try finishDateTime(start: start, end: i, shown: shown, kind: kind)
    }

    private mutating func finishDateTime(
        start: Int, end: Int, shown: String, kind: String
    ) throws(TOMLParseError) -> String {
        if end < bytes.count && Self.isWordByte(bytes[end]) {
            throw error("invalid \(kind) \"\(shown)\": unexpected \(describe(end))", at: start)
        }
        pos = end
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
