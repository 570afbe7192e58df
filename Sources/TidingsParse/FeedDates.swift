import Foundation

/// Dates as feeds write them: RFC 822/1123 (`Mon, 05 Apr 1999 08:00:00 GMT`) with the usual
/// sloppiness (no weekday, two-digit years, named zones, missing seconds), and RFC 3339 /
/// ISO 8601 (`1999-04-05T08:00:00+09:00`). Everything is normalized to UTC.
public enum FeedDates {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = [
        "gmt": 0, "ut": 0, "utc": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6,
        "pst": -8, "pdt": -7, "cet": 1, "cest": 2, "bst": 1, "jst": 9, "msk": 3,
    ]

    /// Parses either form; nil when the text is not a recognisable date.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmedWhitespace()
        guard let first = trimmed.first else { return nil }
        return first.isNumber && trimmed.count >= 10 && trimmed.dropFirst(4).first == "-"
            ? parseISO(trimmed) : parseRFC822(trimmed)
    }

    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, offsetSeconds: Int) -> Date? {
        // Out-of-range fields (and absurd years or zones from hostile feeds) are not dates.
        guard (1...9999).contains(y), (1...12).contains(mo), (1...31).contains(d), (0...23).contains(h),
            (0...59).contains(mi), (0...60).contains(s), abs(offsetSeconds) <= 18 * 3600
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(y - 1900)
        parts.tm_mon = Int32(mo - 1)
        parts.tm_mday = Int32(d)
        parts.tm_hour = Int32(h)
        parts.tm_min = Int32(mi)
        parts.tm_sec = Int32(min(s, 59))
        return Date(timeIntervalSince1970: TimeInterval(Int(timegm(&parts)) - offsetSeconds))
    }

    static func parseRFC822(_ text: String) -> Date? {
        var words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        if let w = words.first, w.count >= 3, months.firstIndex(of: String(w.prefix(3))) == nil, Int(w) == nil {
            words.removeFirst()  // weekday, in any spelling
        }
        guard words.count >= 3 else { return nil }
        var day: Int?, month: Int?
        if let d = Int(words[0]), let m = months.firstIndex(of: String(words[1].prefix(3))) {
            (day, month) = (d, m + 1)
        } else if let m = months.firstIndex(of: String(words[0].prefix(3))), let d = Int(words[1]) {
            (day, month) = (d, m + 1)  // "Apr 05 1999"
        }
        guard let day, let month, words[2].count <= 4, var year = Int(words[2]) else { return nil }
        if year < 100 { year += year < 50 ? 2000 : 1900 }
        var hour = 0, minute = 0, second = 0, offset = 0
        if words.count > 3 {
            let clock = words[3].split(separator: ":").compactMap { Int($0) }
            guard clock.count >= 2 else { return nil }
            hour = clock[0]
            minute = clock[1]
            second = clock.count > 2 ? clock[2] : 0
        }
        if words.count > 4 {
            let zone = words[4]
            if let hours = zones[zone] {
                offset = hours * 3600
            } else if let sign = zone.first, sign == "+" || sign == "-", zone.count <= 6,
                let value = Int(zone.dropFirst().replacingOccurrences(of: ":", with: ""))
            {
                offset = (value / 100 * 3600 + value % 100 * 60) * (sign == "-" ? -1 : 1)
            }
        }
        return utc(year, month, day, hour, minute, second, offsetSeconds: offset)
    }

    static func parseISO(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        func num(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= chars.count else { return nil }
            var v = 0
            for c in chars[at..<(at + n)] {
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2) else { return nil }
        guard chars.count > 10 else { return utc(y, mo, d, 0, 0, 0, offsetSeconds: 0) }
        guard chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " ") || chars[10] == UInt8(ascii: "t"),
            let h = num(11, 2), let mi = num(14, 2)
        else { return nil }
        var index = 16
        var s = 0
        if index < chars.count, chars[index] == UInt8(ascii: ":"), let sec = num(17, 2) {
            s = sec
            index = 19
        }
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 { index += 1 }
        }
        var offset = 0
        if index < chars.count {
            let sign = chars[index]
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                guard let oh = num(index + 1, 2) else { return nil }
                let colon = index + 3 < chars.count && chars[index + 3] == UInt8(ascii: ":")
                let om = num(index + (colon ? 4 : 3), 2) ?? 0
                offset = (oh * 3600 + om * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
            } else if sign != UInt8(ascii: "Z") && sign != UInt8(ascii: "z") {
                return nil
            }
        }
        return utc(y, mo, d, h, mi, s, offsetSeconds: offset)
    }
}
