import Foundation

/// UTC timestamps as the store and the wire protocol write them: `2026-11-29T08:07:58Z`.
/// They sort as text and read well in `sqlite3`.
public enum Timestamps {
    /// Formats `date` as ISO-8601 UTC with second precision.
    public static func iso(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        // Digits written by hand into one buffer: String(format:) was a noticeable part of
        // reading a feed, and an array per field a noticeable part of recording a poll.
        let year = Int(parts.tm_year) + 1900
        guard year >= 0 && year <= 9999 else {
            // Outside four digits (absurd dates): as it is, sign and all.
            return String(year) + String(fourDigitYear: nil, parts)
        }
        return String(fourDigitYear: year, parts)
    }

    /// Parses the forms `iso(_:)` writes, plus a bare date `YYYY-MM-DD` (midnight UTC).
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for b in bytes[from..<(from + count)] {
                guard b >= 48 && b <= 57 else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == 45, bytes[7] == 45,
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        if bytes.count > 10 {
            guard bytes.count == 20, bytes[10] == 84 || bytes[10] == 32, bytes[13] == 58, bytes[16] == 58,
                bytes[19] == 90, let h = number(11, 2), let m = number(14, 2), let s = number(17, 2),
                h < 24, m < 60, s < 61
            else { return nil }
            (hour, minute, second) = (h, m, s)
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}

extension String {
    /// `YYYY-MM-DDTHH:MM:SSZ`, or without the year when it is nil (the caller wrote it).
    fileprivate init(fourDigitYear year: Int?, _ parts: tm) {
        self.init(unsafeUninitializedCapacity: 20) { buffer in
            var index = 0
            func put(_ value: Int, _ width: Int) {
                var value = value
                var position = index + width - 1
                while position >= index {
                    buffer[position] = UInt8(0x30 + value % 10)
                    value /= 10
                    position -= 1
                }
                index += width
            }
            func mark(_ byte: UInt8) {
                buffer[index] = byte
                index += 1
            }
            if let year { put(year, 4) }
            mark(0x2D)
            put(Int(parts.tm_mon) + 1, 2)
            mark(0x2D)
            put(Int(parts.tm_mday), 2)
            mark(0x54)
            put(Int(parts.tm_hour), 2)
            mark(0x3A)
            put(Int(parts.tm_min), 2)
            mark(0x3A)
            put(Int(parts.tm_sec), 2)
            mark(0x5A)
            return index
        }
    }
}
