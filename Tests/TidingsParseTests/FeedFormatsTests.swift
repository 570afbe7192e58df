import Foundation
import Testing

@testable import TidingsParse

func parse(_ text: String, url: String? = "https://feeds.example/main.xml", headers: [String: String] = [:]) throws -> ParsedFeed {
    try FeedParser.parse(Array(text.utf8), url: url, headers: headers)
}

struct FeedFormatsTests {
    @Test func atom10WithXmlBaseTextConstructsAndAuthors() throws {
        let feed = try parse(
            """
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="https://news.example/world/">
              <title type="html">Russia &amp;amp; Japan</title>
              <link rel="self" href="/feed.atom"/><link href="index.html"/>
              <id>tag:news.example,1999:feed</id><updated>1999-04-05T08:00:00Z</updated>
              <entry>
                <title>Talks fail</title><link rel="alternate" href="kurils.html"/><id>tag:news.example,1999:1</id>
                <published>1999-04-04T10:00:00+09:00</published>
                <author><name>Monitor staff</name><email>desk@news.example</email></author>
                <summary type="text">Short &lt;b&gt;summary&lt;/b&gt;</summary>
                <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Full <em>text</em></p><script>x()</script></div></content>
              </entry>
            </feed>
            """)
        #expect(feed.format == "atom10")
        #expect(feed.title == "Russia &amp; Japan")  // html text construct: the markup as written
        #expect(feed.link == "https://news.example/world/index.html")
        #expect(feed.id == "tag:news.example,1999:feed")
        #expect(feed.language == "en")
        let entry = try #require(feed.items.first)
        #expect(entry.link == "https://news.example/world/kurils.html")
        #expect(entry.published == Date(timeIntervalSince1970: 923_187_600))
        #expect(entry.updated == entry.published)
        #expect(entry.author == "Monitor staff (desk@news.example)")
        #expect(entry.summary == "Short <b>summary</b>")
        #expect(entry.content == "<p>Full <em>text</em></p>")
        #expect(entry.document(sourceID: nil).text == "Full text")
    }

    @Test func rss10RDFWithDublinCore() throws {
        let feed = try parse(
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
              <channel rdf:about="https://news.example/"><title>RDF news</title><link>https://news.example/</link><dc:language>ru</dc:language></channel>
              <item rdf:about="https://news.example/1"><title>One</title><link>https://news.example/1</link>
                <dc:date>1999-04-05T08:00:00Z</dc:date><dc:creator>A. Author</dc:creator><description>Body</description></item>
            </rdf:RDF>
            """)
        #expect(feed.format == "rss10")
        #expect(feed.title == "RDF news")
        #expect(feed.language == "ru")
        let item = try #require(feed.items.first)
        #expect(item.guid == "https://news.example/1")
        #expect(item.updated == Date(timeIntervalSince1970: 923_299_200))
        #expect(item.author == "A. Author")
    }

    @Test func jsonFeed() throws {
        let feed = try parse(
            """
            {"version": "https://jsonfeed.org/version/1.1", "title": "JSON news", "home_page_url": "https://news.example/",
             "items": [{"id": "1", "url": "/a/1", "title": "Talks", "content_html": "<p>Hi<script>x</script></p>",
                        "date_published": "1999-04-05T08:00:00Z", "authors": [{"name": "Desk"}]}]}
            """)
        #expect(feed.format == "json1")
        #expect(feed.title == "JSON news")
        let item = try #require(feed.items.first)
        #expect(item.link == "https://feeds.example/a/1")
        #expect(item.content == "<p>Hi</p>")
        #expect(item.author == "Desk")
        #expect(item.published == Date(timeIntervalSince1970: 923_299_200))
    }

    @Test func htmlEntitiesAndBareAmpersandsAreRead() throws {
        let feed = try parse(
            "<rss version=\"2.0\"><channel><title>caf&eacute; &mdash; &#X41; &nope;</title><link>https://x.example/?a=1&b=2</link></channel></rss>")
        #expect(feed.title == "café — A &nope;")
        #expect(feed.link == "https://x.example/?a=1&b=2")
    }

    @Test func cdataIsLeftAlone() throws {
        let feed = try parse("<rss><channel><item><description><![CDATA[a &amp; b & c]]></description></item></channel></rss>")
        // The CDATA reaches the HTML reader untouched: "&amp;" is an escaped "&", the bare "&" too.
        #expect(feed.items.first?.summary == "<p>a &amp; b &amp; c</p>")
    }

    @Test func guidPermalinkBecomesTheLink() throws {
        let feed = try parse("<rss><channel><item><guid>https://x.example/p/1</guid><title>t</title></item><item><guid isPermaLink=\"false\">https://x.example/p/2</guid><title>u</title></item></channel></rss>")
        #expect(feed.items.map(\.link) == ["https://x.example/p/1", nil])
    }
}

struct CharsetTests {
    @Test(arguments: [
        ("windows-1251", [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2], "Привет"),
        ("koi8-r", [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], "Привет"),
        ("shift_jis", [0x93, 0xFA, 0x96, 0x7B], "日本"),
        ("euc-jp", [0xC6, 0xFC, 0xCB, 0xDC], "日本"),
        ("gb2312", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
        ("big5", [0xA4, 0xA4, 0xA4, 0xE5], "中文"),
        ("windows-1255", [0xF9, 0xEC, 0xE5, 0xED], "שלום"),  // the last letter needs iconv's flush
    ] as [(String, [UInt8], String)])
    func declaredInTheProlog(encoding: String, bytes: [UInt8], text: String) throws {
        let document = Array("<?xml version=\"1.0\" encoding=\"\(encoding)\"?><rss><channel><title>".utf8) + bytes
            + Array("</title></channel></rss>".utf8)
        let feed = try FeedParser.parse(document, url: nil)
        #expect(feed.title == text)
        let decoded = Charset.decode(bytes + Array(" ".utf8), contentType: "text/plain; charset=\(encoding)")
        #expect(decoded.text == text + " ")
    }

    @Test func evidenceOrder() {
        let cyrillic: [UInt8] = [0xCF, 0xF0, 0xE8]
        // BOM beats everything.
        #expect(Charset.decode([0xEF, 0xBB, 0xBF] + Array("é".utf8), contentType: "text/xml; charset=koi8-r").text == "é")
        // HTTP charset beats the prolog.
        let prolog = Array("<?xml version=\"1.0\" encoding=\"koi8-r\"?>".utf8)
        #expect(Charset.decode(prolog + cyrillic, contentType: "application/xml; charset=windows-1251").encoding == "windows-1251")
        // Valid UTF-8 without a declaration is UTF-8; invalid falls back to windows-1252.
        #expect(Charset.decode(Array("naïve".utf8)).encoding == "utf-8")
        let fallback = Charset.decode([0x64, 0x6F, 0x6E, 0x92, 0x74])
        #expect(fallback.encoding == "windows-1252")
        #expect(fallback.text == "don’t")
        // A declared charset that does not decode is reported, and the next evidence is used.
        let wrong = Charset.decode(Array("plain".utf8), contentType: "text/xml; charset=no-such-charset")
        #expect(wrong.warning?.contains("no-such-charset") == true)
        #expect(wrong.text == "plain")
        // UTF-16 with a BOM.
        #expect(Charset.decode([0xFF, 0xFE, 0x41, 0x00, 0x42, 0x00]).text == "AB")
    }

    @Test func declarationsInPrologsAndEveryMetaTag() {
        #expect(Charset.declaredEncoding(Array("<?xml version='1.0' encoding='KOI8-R'?><rss/>".utf8)) == "KOI8-R")
        #expect(Charset.declaredEncoding(Array("<?xml version=\"1.0\"?><rss/>".utf8)) == nil)
        // The first <meta> is often a viewport; the charset may come later, in either form.
        let later = "<html><head><meta name=\"viewport\" content=\"width=device-width\"><META CHARSET=\"Shift_JIS\"></head>"
        #expect(Charset.declaredEncoding(Array(later.utf8)) == "shift_jis")
        let httpEquiv = "<head><meta name=x><meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\"></head>"
        #expect(Charset.declaredEncoding(Array(httpEquiv.utf8)) == "koi8-r")
        #expect(Charset.declaredEncoding(Array("<meta charset=utf-8/>".utf8)) == "utf-8")
        // Non-ASCII bytes can neither match nor become part of a name.
        #expect(Charset.declaredEncoding([0x3C, 0x6D, 0x65, 0x74, 0x61, 0x20, 0xE9] + Array("charset=\"big5\">".utf8)) == "big5")
        #expect(Charset.declaredEncoding(Array("<p>no declaration</p>".utf8)) == nil)
    }

    @Test func numericReferencesLeaveValidXMLAsItIs() {
        let valid = Array("<a>&amp; &lt; &#233; &#xE9; <![CDATA[&nbsp; &]]> <!-- & --></a>".utf8)
        #expect(HTMLEntities.numericReferences(in: valid) == valid)
        let fixed = HTMLEntities.numericReferences(in: Array("<a>&nbsp;&#XE9; & &bogus; &#12x;</a>".utf8))
        #expect(String(decoding: fixed, as: UTF8.self) == "<a>&#160;&#xE9; &amp; &amp;bogus; &amp;#12x;</a>")
    }

    @Test func c1ControlsBecomeWindows1252Characters() {
        #expect(Charset.demoronize("don\u{92}t \u{93}x\u{94}") == "don’t “x”")
    }
}

struct EnclosureTests {
    @Test func rssAtomAndJSONFeedEnclosures() throws {
        let rss = try parse(
            """
            <rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><item><title>Episode</title>
            <enclosure url="/audio/1.mp3" type="audio/mpeg" length="12345"/>
            <media:content url="https://cdn.example/pic.jpg" type="image/jpeg" fileSize="99"/></item></channel></rss>
            """)
        #expect(rss.items.first?.enclosures == [
            Enclosure(url: "https://feeds.example/audio/1.mp3", type: "audio/mpeg", length: 12345),
            Enclosure(url: "https://cdn.example/pic.jpg", type: "image/jpeg", length: 99),
        ])
        let atom = try parse(
            """
            <feed xmlns="http://www.w3.org/2005/Atom"><entry><title>E</title><link rel="alternate" href="/e"/>
            <link rel="enclosure" href="/e.pdf" type="application/pdf" length="10"/></entry></feed>
            """)
        #expect(atom.items.first?.link == "https://feeds.example/e")
        #expect(atom.items.first?.enclosures == [Enclosure(url: "https://feeds.example/e.pdf", type: "application/pdf", length: 10)])
        let json = try parse(
            #"{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "t", "attachments": [{"url": "/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 5}]}]}"#)
        #expect(json.items.first?.enclosures == [Enclosure(url: "https://feeds.example/a.mp3", type: "audio/mpeg", length: 5)])
        #expect(rss.items.first?.document(sourceID: nil).enclosures.count == 2)
    }
}

import TidingsCore

struct HostileFeedTests {
    @Test func entityDeclarationsAreDroppedAttributesIncluded() throws {
        let big = String(repeating: "x", count: 100_000)
        let links = String(repeating: "<link href=\"&e;\"/>", count: 50)
        let feed = try parse("<?xml version=\"1.0\"?><!DOCTYPE feed [<!ENTITY e \"\(big)\">]><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>&e;</title><entry><title>t</title>\(links)</entry></feed>")
        #expect((feed.title ?? "").count < 100)
        #expect((feed.items.first?.link ?? "").count < 200)
    }

    @Test func aMalformedFeedSaysWhere() throws {
        let feed = try parse("<rss version=\"2.0\"><channel><title>t</title><item><title>One</title></item>\n<item><title>Two</oops></item></channel></rss>")
        #expect(feed.items.count >= 1)
        #expect(feed.warnings.contains { $0.hasPrefix("malformed XML at line 2") })
    }

    @Test func wellFormedFeedsHaveNoWarning() throws {
        #expect(try parse("<rss version=\"2.0\"><channel><title>t</title></channel></rss>").warnings.isEmpty)
    }
}

/// The UTF-8 check agrees with the standard library's on any bytes, ASCII runs or not.
struct UTF8ValidityTests {
    @Test func agreesWithTheStandardLibrary() {
        let pieces: [[UInt8]] = [
            Array("<p class=\"a\">text</p>".utf8), Array("é".utf8), Array("日本".utf8), Array("👍".utf8), [0x80], [0xC0, 0xAF], [0xE0, 0x80, 0x80],
            [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3], [0xE2, 0x82], [0xFF], Array("12345678".utf8), [0x00],
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 0...10, using: &generator)).flatMap { _ in pieces.randomElement(using: &generator)! }
            #expect(Charset.isValidUTF8(bytes) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }
}
