/// A header value that is almost always an HTTP date (`Last-Modified`), kept in 9 bytes when it
/// is one in the standard form (RFC 9110's IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT") and
/// as its text otherwise. The value given back is always the exact text that was kept: a date
/// is stored as seconds only when formatting those seconds gives the same text again.
///
/// Every polled source keeps one; as a `String` each was a 64-byte heap object.
struct HTTPDateText: Sendable, Equatable {
    private enum Storage: Sendable, Equatable {
        case none
        case date(Int64)
        case text(String)
    }

    private let storage: Storage

    init(_ text: String?) {
        guard let text else {
            storage = .none
            return
        }
        if let seconds = HTTPDateText.seconds(of: text), HTTPDateText.format(seconds) == text {
            storage = .date(seconds)
        } else {
            storage = .text(text)
        }
    }

    var text: String? {
        switch storage {
        case .none: nil
        case .date(let seconds): HTTPDateText.format(seconds)
        case .text(let text): text
        }
    }

    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since 1970 of an IMF-fixdate, without checking the day name (the round trip
    /// through ``format(_:)`` does).
    static func seconds(of text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 29, bytes[3] == UInt8(ascii: ","), bytes[4] == 32, bytes[7] == 32, bytes[11] == 32,
            bytes[16] == 32, bytes[19] == UInt8(ascii: ":"), bytes[22] == UInt8(ascii: ":"), bytes[25] == 32,
            bytes[26...] == [UInt8(ascii: "G"), UInt8(ascii: "M"), UInt8(ascii: "T")]
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        let monthName = String(decoding: bytes[8..<11], as: UTF8.self)
        guard let day = number(5..<7), let year = number(12..<16), let hour = number(17..<19), let minute = number(20..<22),
            let second = number(23..<25), let month = months.firstIndex(of: monthName),
            (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        return civilDays(year: year, month: Int64(month) + 1, day: day) * 86_400 + hour * 3_600 + minute * 60 + second
    }

    /// The IMF-fixdate of seconds since 1970.
    static func format(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let (year, month, day) = civil(days: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let weekday = HTTPDateText.days[Int(((days % 7) + 7) % 7)]
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(weekday), \(two(day)) \(months[Int(month) - 1]) \(yearText) \(two(time / 3_600)):\(two(time % 3_600 / 60)):\(two(time % 60)) GMT"
    }

    /// Days since 1970-01-01 of a date in the proleptic Gregorian calendar. Counted in 400-year
    /// eras of 146,097 days, with years starting in March so that the leap day comes last.
    static func civilDays(year: Int64, month: Int64, day: Int64) -> Int64 {
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01: the inverse of ``civilDays(year:month:day:)``.
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
