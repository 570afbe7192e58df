/// A code from a PETRARCH/TABARI dictionary, valid between two dates: `[JPNGOV 980730-000405]`,
/// `[IGOUNO >20070101]`, `[RUSGOV <19991231]` or, undated, `[JPN]`. Shared by the plugins that
/// read these dictionaries (entities, events).
public struct DatedCode: Sendable, Equatable {
    /// The code, upper case; `---` is the null code ("known, but codes as nothing").
    public var code: String
    /// First and last day (YYYYMMDD numbers, inclusive); 0 and 99999999 when open.
    public var from: Int
    public var until: Int
    public var dated: Bool

    public init(code: String, from: Int = 0, until: Int = 99_999_999, dated: Bool = false) {
        self.code = code
        self.from = from
        self.until = until
        self.dated = dated
    }

    public var isNull: Bool { code == "---" }

    /// The inside of a code bracket: `JPNGOV 980730-000405`. Dates are YYMMDD (30–99 → 19xx)
    /// or YYYYMMDD, and may be written with spaces (`< 950601`, `19950601 - 19990815`). Nil
    /// when there is no code. Works on bytes: the Phoenix files have ~50,000 codes, read at
    /// every start.
    public static func parse(_ text: Substring) -> DatedCode? {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        let codeStart = index
        while index < bytes.count, bytes[index] != 0x20 && bytes[index] != 0x09 { index += 1 }
        guard index > codeStart else { return nil }
        var codeBytes = bytes[codeStart..<index]
        if codeBytes.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) {
            codeBytes = ArraySlice(codeBytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 })
        }
        var code = DatedCode(code: String(decoding: codeBytes, as: UTF8.self))
        let first = codeBytes.first!
        guard (first >= 0x41 && first <= 0x5A) || code.isNull else { return nil }
        let range = bytes[index...].filter { $0 != 0x20 && $0 != 0x09 }
        guard let lead = range.first else { return code }
        if lead == 0x3E, let from = day(bytes: range.dropFirst()) {  // ">"
            code.from = from
            code.dated = true
        } else if lead == 0x3C, let until = day(bytes: range.dropFirst()) {  // "<"
            code.until = until
            code.dated = true
        } else if let dash = range.firstIndex(of: 0x2D), let from = day(bytes: range[..<dash]), let until = day(bytes: range[(dash + 1)...]) {
            code.from = from
            code.until = until
            code.dated = true
        }
        return code
    }

    static func day(bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 10, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return day(digits: Substring(String(decoding: bytes, as: UTF8.self)))
    }

    /// A dictionary date as YYYYMMDD: 8 digits as they are, 6 digits with the century guessed
    /// (30–99 → 1900s), and the Phoenix files' typo "1920030320" (a stray "19") read as its
    /// last eight digits.
    public static func day(digits: Substring) -> Int? {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(digits) else { return nil }
        switch digits.utf8.count {
        case 8: return value
        case 6:
            let year = value / 10_000
            return (year >= 30 ? 1900 + year : 2000 + year) * 10_000 + value % 10_000
        case 10 where digits.hasPrefix("19"):
            let date = value % 100_000_000
            return date >= 19_000_000 ? date : nil
        default: return nil
        }
    }

    /// A document date as YYYYMMDD: `1999-04-05` (or a longer ISO time), `19990405`, `990405`.
    public static func day(_ date: String?) -> Int? {
        guard let date else { return nil }
        let head = date.prefix(10)
        if head.count == 10, head.dropFirst(4).first == "-" { return Int(String(head.filter { $0 != "-" })) }
        return day(digits: Substring(date))
    }
}

extension Array where Element == DatedCode {
    /// The code for a document date: the first dated code that covers it (as PETRARCH reads
    /// them, in order), else the undated one, else (no date, or no range covers it) the last
    /// code listed.
    public func code(on date: String?) -> DatedCode? {
        if let day = DatedCode.day(date), let hit = first(where: { $0.dated && $0.from <= day && day <= $0.until }) { return hit }
        return first(where: { !$0.dated }) ?? last
    }
}
