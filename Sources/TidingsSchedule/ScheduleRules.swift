import Foundation

/// When to fetch a source next. Pure functions, so that the rules are tested without clocks.
public enum FetchSchedule {
    /// First retry after an error, in seconds; doubles with each consecutive error.
    public static let backoffBase: Double = 30
    /// Retries never wait longer than this or the source's interval, whichever is longer.
    public static let backoffCap: Double = 4 * 3600
    /// The longest wait a server's Retry-After is honoured for.
    public static let maxRetryAfter: Double = 86_400

    /// The next fetch after a success: the interval, with up to ±10% jitter so that sources
    /// added together drift apart. `random` is in 0..<1.
    public static func afterSuccess(now: Date, interval: Double, random: Double) -> Date {
        now.addingTimeInterval(interval * (0.9 + 0.2 * random))
    }

    /// The next attempt after `consecutiveErrors` (≥ 1) failures in a row: exponential backoff
    /// with jitter, capped. A failing source is never disabled; it keeps retrying, and
    /// `tidingsctl sources` shows its error count and next attempt.
    public static func afterError(now: Date, interval: Double, consecutiveErrors: Int, random: Double) -> Date {
        let exponent = Double(min(max(consecutiveErrors - 1, 0), 20))
        let cap = max(interval, backoffCap)
        let delay = min(cap, backoffBase * pow(2, exponent))
        return now.addingTimeInterval(delay * (0.8 + 0.4 * random))
    }

    /// Pushes `next` back while the server says its answer stays fresh (`max-age`, `Expires`,
    /// RSS `ttl`), up to `cap` seconds from now; never earlier than `next`.
    public static func honouringFreshness(_ next: Date, now: Date, freshFor: Double, cap: Double) -> Date {
        max(next, now.addingTimeInterval(min(max(freshFor, 0), cap)))
    }

    /// The interval a feed's own rhythm suggests: half the mean gap between its newest dated
    /// items (so a new item waits half a gap on average), kept within `bounds`. Without at
    /// least three dated items the configured interval stands.
    public static func adaptiveInterval(itemDates: [Date], configured: Double, bounds: ClosedRange<Double>) -> Double {
        let newest = itemDates.sorted(by: >).prefix(10)
        guard newest.count >= 3, let first = newest.first, let last = newest.last, first > last else { return configured }
        let meanGap = first.timeIntervalSince(last) / Double(newest.count - 1)
        return min(max(meanGap / 2, bounds.lowerBound), bounds.upperBound)
    }

    /// Longest window over which overdue sources are spread at start-up.
    public static let startupSpread: Double = 2

    /// At start-up, overdue sources are spread over a short window instead of all firing in
    /// the same instant; sources not yet due keep their persisted time, so a restart does not
    /// fetch everything again.
    public static func atStartup(persisted: Date?, now: Date, interval: Double, random: Double) -> Date {
        guard let persisted, persisted > now else {
            return now.addingTimeInterval(min(interval / 10, startupSpread) * random)
        }
        return persisted
    }
}
