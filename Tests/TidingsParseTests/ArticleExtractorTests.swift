import Foundation
import TestSupport
import Testing

@testable import TidingsParse

let demoPagePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("share/demo/monitor-5-66.html").path

struct ArticleExtractorTests {
    @Test func readsTheSeedPageWithoutNavigationSidebarOrFooter() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: demoPagePath)))
        let article = try ArticleExtractor.extract(bytes, url: "https://monitor.example/monitor-5-66.html")
        #expect(article.title == "Russia-Japan talks on Kurils fail; Komura visit put off")
        #expect(article.author == "Monitor staff")
        #expect(article.published == Date(timeIntervalSince1970: 923_299_200))
        #expect(article.language == "en")
        #expect(article.text.contains("Relations between Russia and Japan took a step back"))
        #expect(article.text.hasSuffix("by the year 2000."))
        for boilerplate in ["Most read", "Subscribe", "All rights reserved", "Privacy"] {
            #expect(!article.text.contains(boilerplate), "kept \(boilerplate)")
        }
        #expect(article.text.split(separator: "\n").count >= 4)  // one paragraph per line
    }

    @Test func gzipPagesAreInflatedAndCorruptOnesRefused() throws {
        let html = "<html><body><article><p>" + String(repeating: "Talks in Tokyo failed to resolve differences, again. ", count: 10)
            + "</p></article></body></html>"
        let compressed = try #require(gzip(Array(html.utf8)))
        let article = try ArticleExtractor.extract(compressed, url: nil)
        #expect(article.text.hasPrefix("Talks in Tokyo failed"))
        #expect(throws: FeedParseError.self) { try ArticleExtractor.extract([0x1F, 0x8B, 0x08, 0x00, 0x01, 0x02], url: nil) }
    }

    @Test func aBoilerplateClassOnAnArticleAncestorDoesNotHideIt() throws {
        let paragraph = "<p>" + String(repeating: "The two sides failed to agree on the islands, officials said. ", count: 6) + "</p>"
        let html = """
            <html><body><div class="container with-sidebar"><div class="non-ad-column"><article>\(paragraph)\(paragraph)</article></div>
            <div class="sidebar"><p>\(String(repeating: "Sponsored: buy now, limited offer, click here. ", count: 5))</p></div></div></body></html>
            """
        let article = try ArticleExtractor.extract(Array(html.utf8), url: nil)
        #expect(article.text.contains("The two sides failed to agree"))
        #expect(!article.text.contains("Sponsored"))
    }

    @Test func linkListsAreNotProse() throws {
        let prose = "<p>" + String(repeating: "Yeltsin will not travel to Japan this spring, as had been expected. ", count: 5) + "</p>"
        let links = "<ul>" + (0..<10).map { "<li><a href='/\($0)'>Related story number \($0) about something</a></li>" }.joined() + "</ul>"
        let article = try ArticleExtractor.extract(Array("<html><body><div class='story'>\(prose)\(links)\(prose)</div></body></html>".utf8), url: nil)
        #expect(article.text.contains("Yeltsin will not travel"))
        #expect(!article.text.contains("Related story"))
    }
}
