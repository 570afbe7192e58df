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
    /// or YYYYMMDD. Nil when there is no code.
    public static func parse(_ text: Substring) -> DatedCode? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = parts.first else { return nil }
        var code = DatedCode(code: String(first).uppercased())
        guard code.code.first?.isLetter == true || code.isNull else { return nil }
        if parts.count > 1 {
            // "< 950601" and "19950601 - 19990815" are written with spaces too.
            let range = Substring(parts[1...].joined())
            if range.hasPrefix(">"), let from = day(digits: range.dropFirst()) {
                code.from = from
                code.dated = true
            } else if range.hasPrefix("<"), let until = day(digits: range.dropFirst()) {
                code.until = until
                code.dated = true
            } else if let dash = range.firstIndex(of: "-"), let from = day(digits: range[..<dash]),
                let until = day(digits: range[range.index(after: dash)...])
            {
                code.from = from
                code.until = until
                code.dated = true
            }
        }
        return code
    }

    /// A dictionary date as YYYYMMDD: 8 digits as they are, 6 digits with the century guessed
    /// (30–99 → 1900s), and the Phoenix files' typo "1920030320" (a stray "19") read as its
    /// last eight digits.
    public static func day(digits: Substring) -> Int? {
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let value = Int(digits) else { return nil }
        switch digits.count {
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
