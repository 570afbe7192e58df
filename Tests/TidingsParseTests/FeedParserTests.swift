import Foundation
import Testing

@testable import TidingsParse

/// The bundled demo feed (the seed article), found from this file's location in the checkout.
let demoFeedPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("share/demo/feed.xml").path

struct FeedParserTests {
    @Test func readsTheDemoFeed() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: demoFeedPath)))
        let feed = try FeedParser.parse(bytes, url: "file:///srv/demo/feed.xml")
        #expect(feed.format == "rss20")
        #expect(feed.encoding == "utf-8")
        #expect(feed.title == "Monitor (sample)")
        #expect(feed.items.count == 1)
        let item = try #require(feed.items.first)
        #expect(item.title == "Russia-Japan talks on Kurils fail; Komura visit put off")
        #expect(item.link == "file:///srv/demo/monitor-5-66.html")
        #expect(item.guid == "monitor-5-66")
        #expect(item.author == "Monitor staff")
        #expect(item.published == Date(timeIntervalSince1970: 923_299_200))
        let document = item.document(sourceID: 3)
        #expect(document.text.hasPrefix("Relations between Russia and Japan took a step back"))
        #expect(!document.text.contains("<p>"))
        #expect(document.text.contains("postpone–until “sometime in May”–a visit"))
        #expect(document.text.split(separator: "\n").count >= 3)
        #expect(document.key == "url:file:///srv/demo/monitor-5-66.html")
    }

    @Test func prefersContentEncodedAndResolvesRelativeLinks() throws {
        let xml = """
            <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
            <item><title>A &amp; B</title><link>/news/1?utm_source=x&amp;id=4#top</link>
            <description>short</description><content:encoded><![CDATA[<p>Full <b>text</b></p><script>x()</script>]]></content:encoded>
            <pubDate>Tue, 6 Apr 99 10:30 +0900</pubDate></item></channel></rss>
            """
        let feed = try FeedParser.parse(Array(xml.utf8), url: "https://Example.ORG:443/feeds/main.xml")
        let item = try #require(feed.items.first)
        #expect(item.title == "A & B")
        #expect(item.document(sourceID: nil).url == "https://example.org/news/1?id=4")
        #expect(item.document(sourceID: nil).text == "Full text")
        #expect(item.published == Date(timeIntervalSince1970: 923_362_200))  // 1999-04-06T01:30:00Z
    }

    @Test func malformedFeedRecoversItems() throws {
        let xml = "<rss version=\"2.0\"><channel><title>Broken</title><item><title>One</title><description>ok &nope; text</description></item><item><title>Two</title>"
        let feed = try FeedParser.parse(Array(xml.utf8), url: nil)
        #expect(feed.items.map(\.title) == ["One", "Two"])
        #expect(feed.warnings.contains { $0.hasPrefix("malformed XML at line") })
    }

    @Test func unsupportedOrEmptyInputIsAClearError() {
        #expect(throws: FeedParseError(message: "the feed is empty (0 bytes)")) { try FeedParser.parse([], url: nil) }
        #expect {
            try FeedParser.parse(Array("<html><body>a page</body></html>".utf8), url: nil)
        } throws: { error in
            (error as? FeedParseError)?.message.contains("the root element is <html>") == true
        }
        #expect {
            try FeedParser.parse(Array(#"{"title": "not a feed"}"#.utf8), url: nil)
        } throws: { error in
            (error as? FeedParseError)?.message.contains("not a JSON Feed") == true
        }
        #expect {
            try FeedParser.parse(Array("this is not xml at all".utf8), url: nil)
        } throws: { error in
            (error as? FeedParseError)?.message.contains("not XML") == true
        }
    }

    /// Nested entities ("billion laughs") are not expanded: parsing stays small and fast.
    @Test func entityBombsAreNotExpanded() throws {
        var dtd = "<!ENTITY a0 \"lol\">"
        for level in 1...12 { dtd += "<!ENTITY a\(level) \"" + String(repeating: "&a\(level - 1);", count: 10) + "\">" }
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE rss [\(dtd)]><rss><channel><item><title>T &a12;</title><description>x</description></item></channel></rss>"
        let started = Date()
        let feed = try FeedParser.parse(Array(xml.utf8), url: nil)
        #expect(Date().timeIntervalSince(started) < 2)
        let title = try #require(feed.items.first?.title)
        #expect(title.count < 100)
    }

    @Test func keepsEveryItemEvenWithoutText() throws {
        let empty = String(repeating: "<item><link>https://a.example/</link></item>", count: 500)
        let xml = "<rss><channel>\(empty)<item><title>Kept</title></item></channel></rss>"
        let feed = try FeedParser.parse(Array(xml.utf8), url: nil)
        #expect(feed.items.count == 501)
        #expect(feed.items.last?.title == "Kept")
    }
}

struct FeedDatesTests {
    @Test(arguments: [
        ("Mon, 05 Apr 1999 08:00:00 GMT", 923_299_200.0),
        ("05 Apr 1999 08:00:00 GMT", 923_299_200.0),
        ("Monday, 05 Apr 1999 08:00 UT", 923_299_200.0),
        ("Mon, 05 Apr 1999 03:00:00 EST", 923_299_200.0),
        ("Mon, 05 Apr 1999 17:00:00 +0900", 923_299_200.0),
        ("1999-04-05T08:00:00Z", 923_299_200.0),
        ("1999-04-05T17:00:00+09:00", 923_299_200.0),
        ("1999-04-05T08:00:00.123Z", 923_299_200.0),
        ("1999-04-05", 923_270_400.0),
    ])
    func parses(text: String, epoch: Double) {
        #expect(FeedDates.parse(text) == Date(timeIntervalSince1970: epoch))
    }

    @Test(arguments: [
        "", "soon", "Mon, 45 Foo 1999", "1999-04-05T99:00:00Z", "Mon, 05 Apr 99999999999 08:00:00 GMT",
        "1999-04-05T08:00:00+99:00",
    ])
    func rejects(text: String) {
        #expect(FeedDates.parse(text) == nil)
    }

    @Test func absurdZonesDoNotTrap() {
        #expect(FeedDates.parse("Mon, 05 Apr 1999 08:00:00 +99999999999999999999") != nil)
    }
}

struct HTMLTextTests {
    @Test func paragraphsAndEntities() {
        #expect(HTMLText.plainText("<p>One &amp; two</p><p>Three<br>four</p>") == "One & two\nThree\nfour")
        #expect(HTMLText.plainText("  plain\n text  ") == "plain text")
        #expect(HTMLText.plainText("<div><style>p{}</style>Kept</div>") == "Kept")
    }
}

struct URLCanonicalizerTests {
    @Test func canonicalForms() {
        #expect(URLCanonicalizer.canonical("HTTP://Example.COM:80/a?utm_medium=x#frag") == "http://example.com/a")
        #expect(URLCanonicalizer.canonical("https://x.example/a?id=3&fbclid=abc&gclid=d") == "https://x.example/a?id=3")
        #expect(URLCanonicalizer.canonical("https://example.com") == "https://example.com/")
        #expect(URLCanonicalizer.canonical("relative/path") == nil)
        #expect(URLCanonicalizer.resolve("../b.html", base: "https://x.example/a/c/feed.xml") == "https://x.example/a/b.html")
    }
}
