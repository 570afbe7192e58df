import Foundation
import Testing

@testable import TidingsCore
@testable import TidingsDaemon

func load(_ text: String) throws(ConfigError) -> DaemonConfig {
    try ConfigLoader.parse(text, file: "/etc/tidings/t.toml", workingDirectory: "/work")
}

func configError(_ text: String) -> ConfigError? {
    do {
        _ = try load(text)
        return nil
    } catch {
        return error
    }
}

struct ConfigTests {
    @Test func readsTheDocumentedKeysAndResolvesRelativePaths() throws {
        let config = try load(
            """
            [daemon]
            database = "var/tidings.db"
            socket = "var/tidingsd.sock"
            socket_mode = "0600"
            log_level = "debug"
            [fetch]
            allow_private_networks = true
            interval = "10m"
            timeout = "5s"
            max_body_size = "2MiB"
            user_agent = "test/1"
            [[sources]]
            url = "https://news.example/feed.xml"
            interval = "15m"
            [[sources]]
            url = "share/demo/feed.xml"
            name = "demo"
            enabled = false
            """)
        #expect(config.database == "/work/var/tidings.db")
        #expect(config.socket == "/work/var/tidingsd.sock")
        #expect(config.socketMode == 0o600)
        #expect(config.logLevel == "debug")
        #expect(config.fetch.allowPrivateNetworks)
        #expect(config.fetch.interval == 600)
        #expect(config.fetch.timeout == 5)
        #expect(config.fetch.maxBytes == 2 << 20)
        #expect(config.sources == [
            SourceDefinition(name: "news.example", url: "https://news.example/feed.xml", interval: 900),
            SourceDefinition(name: "demo", url: "file:///work/share/demo/feed.xml", interval: 600, enabled: false),
        ])
    }

    @Test func defaultsAreSensible() throws {
        let config = try load("")
        #expect(config.database == "/var/lib/tidings/tidings.db")
        #expect(config.socket == "/run/tidings/tidingsd.sock")
        #expect(config.socketMode == 0o660)
        #expect(!config.fetch.allowPrivateNetworks)
        #expect(config.fetch.interval == 900)
    }

    @Test(arguments: [
        // (config, line, key, message fragment)
        ("[daemon]\ndatabse = \"x\"", 2, "daemon.databse", "unknown key in daemon; allowed: database, socket"),
        ("[fetch]\nallow_private_networks = \"yes\"", 2, "fetch.allow_private_networks", "must be true or false, not a string"),
        ("[fetch]\n\ninterval = \"15 minutes\"", 3, "fetch.interval", "bad duration \"15 minutes\""),
        ("[fetch]\ninterval = 15", 2, "fetch.interval", "must be a duration string"),
        ("[[sources]]\nurl = \"https://a.example/\"\n[[sources]]\nurl = \"ftp://b.example/\"", 4, "sources[1].url", "must be an http://"),
        ("[[sources]]\nname = \"x\"", 1, "sources[0]", "missing \"url\""),
        ("[[sources]]\nurl = \"https://a.example/\"\nintervall = \"5m\"", 3, "sources[0].intervall", "unknown key"),
        ("[[sources]]\nurl = \"https://a.example/\"\n[[sources]]\nurl = \"https://a.example/\"", 4, "sources[1].url", "already configured at line 1"),
        ("[[sources]]\nurl = \"https://a.example/\"\nname=\"n\"\n[[sources]]\nurl = \"https://b.example/\"\nname = \"n\"", 6, "sources[1].name", "already used"),
        ("[daemon]\nlog_level = \"loud\"", 2, "daemon.log_level", "must be one of trace, debug"),
        ("[daemon]\nsocket_mode = \"0777\"", 2, "daemon.socket_mode", "must be \"0660\""),
        ("[fetch]\nmax_body_size = \"lots\"", 2, "fetch.max_body_size", "bad size"),
        ("[fetch]\nmax_body_size = \"1e30GB\"", 2, "fetch.max_body_size", "at most 1GiB"),
        ("[fetch]\ninterval = \"1ms\"", 2, "fetch.interval", "out of range; use between 100ms and 365d"),
        ("[fetch]\ntimeout = \"2h\"", 2, "fetch.timeout", "out of range"),
        ("sources = \"x\"", 1, "sources", "must be an array of tables"),
        ("[extra]\nx = 1", 1, "extra", "unknown key at the top level; allowed: daemon, fetch, sources, plugins"),
        ("[[sources]]\nurl = \"https://a.example/\"\nkind = \"blog\"", 3, "sources[0].kind", "must be \"feed\", \"page\" or \"folder\""),
        ("[[sources]]\nurl = \"https://a.example/\"\nkind = \"folder\"", 3, "sources[0].kind", "must be a local directory"),
        ("[fetch]\nproxy = \"not a url\"", 2, "fetch.proxy", "must be a proxy URL"),
        ("[fetch]\nmin_interval = \"2h\"\nmax_interval = \"1h\"", 2, "fetch.min_interval", "must not be longer than max_interval (1h)"),
        ("[fetch]\narticle_min_length = \"long\"", 2, "fetch.article_min_length", "must be a number of characters"),
    ])
    func errorsNameFileLineAndKey(text: String, line: Int, key: String, fragment: String) throws {
        let error = try #require(configError(text))
        #expect(error.file == "/etc/tidings/t.toml")
        #expect(error.line == line)
        #expect(error.key == key)
        #expect(error.message.contains(fragment), "message was: \(error.message)")
        #expect(error.description.hasPrefix("/etc/tidings/t.toml:\(line): \(key): "))
    }

    @Test func tomlSyntaxErrorsCarryTheirLine() throws {
        let error = try #require(configError("[daemon]\ndatabase = \"unterminated\n"))
        #expect(error.line == 2)
        #expect(error.message.hasPrefix("not valid TOML"))
    }

    @Test func missingFileIsAClearError() {
        #expect { try ConfigLoader.load(path: "/nonexistent/tidingsd.toml") } throws: { error in
            (error as? ConfigError)?.message == "the config file does not exist"
        }
    }

    @Test(arguments: [
        ("https://a.example/feed", "https://a.example/feed"), ("file:///srv/f.xml", "file:///srv/f.xml"),
        ("feeds/f.xml", "file:///work/feeds/f.xml"), ("/srv/f.xml", "file:///srv/f.xml"),
    ])
    func sourceURLs(text: String, expected: String) {
        #expect(SourceURL.normalize(text, workingDirectory: "/work") == expected)
    }

    @Test func sourceURLsLoseTheSpacesAtTheirEndsAsFoundationTrimsThem() {
        for text in ["  https://a.example/feed\t", "\u{00A0}https://a.example/feed\u{3000}", "https://a.example/feed", " \t ", "", "a b", "\u{2003}é\u{2003}"] {
            #expect(SourceURL.trimmingSpaces(text) == text.trimmingCharacters(in: .whitespaces))
        }
        #expect(SourceURL.normalize(" https://a.example/feed ", workingDirectory: "/work") == "https://a.example/feed")
    }

    @Test(arguments: ["gopher://a.example/", "https://", "", "javascript:alert(1)"])
    func rejectedSourceURLs(text: String) {
        #expect(SourceURL.normalize(text, workingDirectory: "/work") == nil)
    }
}


struct FeedRecordTests {
    @Test func itemsSharingALinkAreKeptApartByTheirGUIDs() throws {
        let xml = """
            <rss version="2.0"><channel><title>Pod</title>
            <item><title>Ep 1</title><link>https://pod.example/</link><guid>ep-1</guid><description>one</description></item>
            <item><title>Ep 2</title><link>https://pod.example/</link><guid>ep-2</guid><description>two</description></item>
            <item><title>Post</title><link>https://pod.example/post</link><guid>p</guid><description>three</description></item>
            </channel></rss>
            """
        let state = SourceState(
            id: 4, name: "pod", url: "https://pod.example/feed", enabled: true, interval: 900, nextFetchAt: nil, etag: nil,
            lastModified: nil, consecutiveErrors: 0)
        let response = FetchResponse(status: 200, effectiveURL: state.url, headers: [:], body: Array(xml.utf8), duration: 0.01)
        let record = FetchReading.read(state: state, startedAt: Date(), result: .success(response)).record
        #expect(record.documents.map(\.key) == ["guid:4:ep-1", "guid:4:ep-2", "url:https://pod.example/post"])
    }

    @Test func aHostileRetryAfterCannotTrapOrWaitBeyondADay() {
        let state = SourceState(
            id: 1, name: "s", url: "https://x.example/f", enabled: true, interval: 900, nextFetchAt: nil, etag: nil,
            lastModified: nil, consecutiveErrors: 0)
        var error = FetchError("HTTP 429", status: 429)
        error.retryAfter = HTTPDates.retryAfter("1e30")
        let reading = FetchReading.read(state: state, startedAt: Date(), result: .failure(error))
        // The scheduler caps the wait at a day (SchedulerTests.retryAfterIsHonouredUpToADay).
        #expect(reading.outcome == .failure(retryAfter: error.retryAfter))
        #expect(reading.record.error?.contains("asked to wait 1d") == true)
    }
}

import TidingsFetch
import TidingsStore
