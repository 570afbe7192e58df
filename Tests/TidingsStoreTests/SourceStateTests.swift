import Foundation
import Testing

@testable import TidingsStore

/// The in-memory state of a source: small, and giving back exactly what it was given.
struct SourceStateTests {
    @Test func standardHTTPDatesAreKeptAsSecondsAndComeBackAsTheSameText() {
        #expect(HTTPDateText.seconds(of: "Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDateText.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDateText.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDateText.format(951_782_400) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(HTTPDateText.format(-1) == "Wed, 31 Dec 1969 23:59:59 GMT")
        // Against Foundation's calendar, over two centuries of days and times.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        while seconds < 4_102_444_800 {  // 2100-01-01
            let text = formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
            #expect(HTTPDateText.format(seconds) == text)
            #expect(HTTPDateText.seconds(of: text) == seconds)
            seconds += 3_601_937  // about 42 days and a few seconds: every month, day and hour in turn
        }
    }

    @Test func anyOtherTextIsKeptAsItIs() {
        for text in [
            "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Mon, 06 Nov 1994 08:49:37 GMT",  // the wrong weekday
            "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Feb 1994 08:49:37 GMT", "", "yesterday",
        ] {
            #expect(HTTPDateText(text).text == text)
        }
        #expect(HTTPDateText(nil).text == nil)
        #expect(HTTPDateText("Sun, 06 Nov 1994 08:49:37 GMT") != HTTPDateText("Sun, 06 Nov 1994 08:49:38 GMT"))
    }

    @Test func aSourceStateIsSmallAndKeepsItsFields() {
        // One per source in memory: 100,000 sources at 152 bytes plus a 64-byte string each
        // for Last-Modified were 22 MB.
        #expect(MemoryLayout<SourceState>.stride <= 112)
        #expect(MemoryLayout<SourceState?>.stride <= 112)
        var state = SourceState(
            id: 7, name: "kurils", url: "https://News.Example:8443/feed.xml", enabled: true, interval: 900, nextFetchAt: nil,
            etag: "\"abc\"", lastModified: "Sun, 06 Nov 1994 08:49:37 GMT", consecutiveErrors: 3)
        #expect(state.host == "news.example")
        #expect(state.nextFetchAt == nil)
        #expect(state.lastModified == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(state.consecutiveErrors == 3)
        state.nextFetchAt = Date(timeIntervalSince1970: 1_000.5)
        #expect(state.nextFetchAt == Date(timeIntervalSince1970: 1_000.5))
        state.lastModified = "not a date"
        #expect(state.lastModified == "not a date")
        state.discoveryHops = 300
        #expect(state.discoveryHops == 255)
        state.url = "file:///srv/news"
        #expect(state.host == nil)
        var copy = state
        #expect(copy == state)
        copy.nextFetchAt = nil
        #expect(copy != state)
        state.nextFetchAt = nil
        #expect(copy == state)  // no time equals no time
    }
}
