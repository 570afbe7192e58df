import Testing

@testable import TidingsFetch

struct RobotsTxtTests {
    let text = """
        # comments are ignored
        User-agent: *
        Disallow: /private/
        Allow: /private/open.html

        User-agent: OtherBot
        Disallow: /

        User-agent: tidingsd
        User-agent: SomeoneElse
        Disallow: /no-tidings/
        Disallow: /*.pdf$
        Disallow:
        """

    @Test func ourGroupWinsOverTheWildcard() {
        let rules = RobotsTxt(text, product: "tidingsd")
        #expect(!rules.allows("/no-tidings/page"))
        #expect(rules.allows("/private/secret.html"))  // only the * group says so
        #expect(!rules.allows("/files/report.pdf"))
        #expect(rules.allows("/files/report.pdf?download=1"))
        #expect(rules.allows("/"))
    }

    @Test func theWildcardGroupAppliesWithoutOurs() {
        let rules = RobotsTxt(text, product: "curious-reader")
        #expect(!rules.allows("/private/secret.html"))
        #expect(rules.allows("/private/open.html"))  // the longer Allow wins
        #expect(rules.allows("/public"))
    }

    @Test func emptyAndAllOrNothing() {
        #expect(RobotsTxt("", product: "tidingsd").allows("/anything"))
        #expect(RobotsTxt.allowAll.allows("/x"))
        #expect(!RobotsTxt.disallowAll.allows("/x"))
        #expect(!RobotsTxt("User-agent: *\nDisallow: /", product: "tidingsd").allows("/index.html"))
    }
}
