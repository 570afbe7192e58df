import Foundation
import Testing

@testable import TidingsParse

struct DiscoveryAndOPMLTests {
    @Test func findsAdvertisedFeedsBestFirst() {
        let html = """
            <html><head><base href="https://news.example/world/">
            <link rel="alternate" type="application/feed+json" href="feed.json">
            <link rel="alternate" type="application/atom+xml" href="/atom.xml">
            <link rel="stylesheet" href="/s.css">
            <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
            </head><body></body></html>
            """
        #expect(FeedDiscovery.feeds(in: Array(html.utf8), url: "https://news.example/") == [
            "https://news.example/atom.xml", "https://news.example/world/feed.json",
        ])
        #expect(FeedDiscovery.feeds(in: Array("<html><body>no feeds</body></html>".utf8), url: nil).isEmpty)
    }

    @Test func opmlRoundTrips() throws {
        let opml = """
            <?xml version="1.0"?><opml version="1.0"><head><title>x</title></head><body>
            <outline text="News"><outline text="Monitor &amp; co" xmlUrl="https://monitor.example/feed.xml"/>
            <outline title="Other" xmlUrl="https://other.example/rss"/></outline>
            <outline text="no feed here" htmlUrl="https://x.example/"/></body></opml>
            """
        let outlines = try OPML.read(Array(opml.utf8))
        #expect(outlines == [
            OPML.Outline(title: "Monitor & co", url: "https://monitor.example/feed.xml"),
            OPML.Outline(title: "Other", url: "https://other.example/rss"),
        ])
        let written = OPML.write(outlines)
        #expect(try OPML.read(Array(written.utf8)) == outlines)
        #expect(written.contains("Monitor &amp; co"))
        #expect(throws: FeedParseError.self) { try OPML.read(Array("<rss/>".utf8)) }
    }
}
