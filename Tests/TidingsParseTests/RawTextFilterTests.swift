import Testing

@testable import TidingsParse

struct RawTextFilterTests {
    func filtered(_ html: String) -> String {
        String(decoding: RawTextFilter.emptyingScriptsAndStyles(Array(html.utf8)), as: UTF8.self)
    }

    @Test func scriptsAndStylesAreEmptiedAndTheirTagsKept() {
        #expect(filtered("<p>a</p><script src=x.js>var x = '<p>no</p>';</script><p>b</p>") == "<p>a</p><script src=x.js></script><p>b</p>")
        #expect(filtered("<STYLE type=\"text/css\">p { color: red }</Style ><p>c</p>") == "<STYLE type=\"text/css\"></Style ><p>c</p>")
        // Contents end at the first "</script" in any case, as libxml2 reads them.
        #expect(filtered("<script>if (a </b) {}</SCRIPT><p>d</p>") == "<script></SCRIPT><p>d</p>")
    }

    @Test func jsonLDIsKeptWhole() {
        let page = "<script type=\"application/LD+JSON\">{\"datePublished\": \"2020-01-02\"}</script><script>x()</script>"
        #expect(filtered(page) == "<script type=\"application/LD+JSON\">{\"datePublished\": \"2020-01-02\"}</script><script></script>")
    }

    @Test func onlyScriptAndStyleTagsCountAndCommentsArePassedOver() {
        #expect(filtered("<scripts>kept</scripts><style-guide>kept</style-guide>") == "<scripts>kept</scripts><style-guide>kept</style-guide>")
        #expect(filtered("<!-- <script> --><p>kept</p><!-- </script> -->") == "<!-- <script> --><p>kept</p><!-- </script> -->")
        #expect(filtered("<p>x</p><script>unclosed to the end <p>y</p>") == "<p>x</p><script>")
        #expect(filtered("<p>x</p><script") == "<p>x</p><script")
        #expect(filtered("") == "")
    }

    @Test func tagsInsideQuotedAttributeValuesAreNotTags() {
        #expect(filtered("<div title=\"<script>x</script>\">a</div><p>b</p>") == "<div title=\"<script>x</script>\">a</div><p>b</p>")
        #expect(filtered("<script data-x='a>b'>drop()</script><p>c</p>") == "<script data-x='a>b'></script><p>c</p>")
        // A quote not after "=" opens nothing; the tag ends at its ">".
        #expect(filtered("<p class=x \"odd>keep<script>y</script>") == "<p class=x \"odd>keep<script></script>")
    }

    @Test func theArticleReadsTheSameWithAndWithoutScripts() throws {
        let body = "<article><h1>Talks fail</h1><p>" + String(repeating: "Russia and Japan failed to agree, officials said. ", count: 8) + "</p></article>"
        let plain = try ArticleExtractor.extract(Array("<html><body>\(body)</body></html>".utf8), url: nil)
        let scripted = try ArticleExtractor.extract(
            Array("<html><head><style>h1 { x }</style><script>var s = \"<p>not text</p>\";</script></head><body>\(body)<script>track()</script></body></html>".utf8),
            url: nil)
        #expect(scripted.text == plain.text)
        #expect(scripted.title == plain.title)
    }
}

struct ClassWeightTests {
    /// The class/id weight by words and prefixes, as the byte path must give it.
    func reference(_ label: String) -> Double {
        guard label.count > 1 else { return 0 }
        let words = label.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        var weight = 0.0
        if words.contains(where: { BodyFinder.negativeWords.contains($0) || BodyFinder.negativePrefixes.contains(where: $0.hasPrefix) }) { weight -= 25 }
        if words.contains(where: { word in BodyFinder.positivePrefixes.contains(where: word.hasPrefix) }) { weight += 25 }
        return weight
    }

    @Test func asciiLabelsWeighAsWordsAndPrefixesSay() {
        for label in [
            "article-body main", "sidebar-left", "comments", "nav", "navx", "xnav", "ad", "ads adx", "story content", "share-bar story",
            "col-md-4", "", "a", "entry_content post-123", "footer1", "foot", "related-posts", "trending now", "ad-slot article", "tags",
            "post--featured byline", "rss", "modalities",
        ] {
            #expect(BodyFinder.weight(ofLabel: label) == reference(label), "\(label)")
        }
    }
}

struct CommaCountTests {
    func commas(_ paragraph: String) throws -> Int {
        let document = try #require(XMLDocument(html: Array("<html><body><p>\(paragraph)</p></body></html>".utf8), url: nil))
        let root = try #require(document.root)
        let finder = BodyFinder(root: root)
        let p = try #require(finder.findBody(root)?.elements.first)
        return finder.commas(p)
    }

    @Test func commasAreCountedAsCharacters() throws {
        #expect(try commas("Russia, Japan, and the Kurils") == 2)
        #expect(try commas("东京，莫斯科，") == 2)
        #expect(try commas("café, thé,") == 2)
        // A combining mark after a comma makes one character that is no comma.
        #expect(try commas("a,\u{301} b, c") == 1)
        #expect(try commas("a <b>b,</b><i>,c</i> <script>x, y</script>") == 2)
        #expect(try commas("no commas") == 0)
    }
}
