import Dispatch
import Foundation
import TestSupport
import Testing

@testable import TidingsFetch

func local(_ url: String, timeout: Double = 10, maxBytes: Int = 16 << 20) -> FetchRequest {
    FetchRequest(url: url, userAgent: "tidings-test", timeout: timeout, maxBytes: maxBytes, allowPrivateNetworks: true)
}

/// The fetcher against a loopback server that misbehaves in the ways real ones do.
struct FetcherFaultTests {
    @Test func permanentRedirectChainsMoveTheSourceAndTemporaryOnesDoNot() throws {
        let server = try LocalHTTPServer()
        server.route("/a", .init(status: 301, headers: ["Location": "/b"], body: ""))
        server.route("/b", .init(status: 308, headers: ["Location": "/c"], body: ""))
        server.route("/c", .init(body: makeRSS(items: 1)))
        server.route("/t", .init(status: 302, headers: ["Location": "/c"], body: ""))
        let moved = try fetch(local(server.url("/a"))).get()
        #expect(moved.permanentRedirect == server.url("/c"))
        #expect(moved.status == 200)
        #expect(try fetch(local(server.url("/t"))).get().permanentRedirect == nil)
        #expect(try fetch(local(server.url("/c"))).get().permanentRedirect == nil)
    }

    @Test func aConfiguredProxyCarriesTheRequestsRedirectsIncluded() throws {
        // The loopback server plays an HTTP proxy: it is asked for absolute URLs, and the site's
        // name is never resolved by us.
        let proxy = try LocalHTTPServer()
        proxy.route("http://feeds.example.invalid/old", .init(status: 301, headers: ["Location": "http://feeds.example.invalid/new"], body: ""))
        proxy.route("http://feeds.example.invalid/new", .init(body: makeRSS(items: 2)))
        var request = local("http://feeds.example.invalid/old")
        request.proxy = proxy.url("")
        let response = try fetch(request).get()
        #expect(response.status == 200)
        #expect(response.permanentRedirect == "http://feeds.example.invalid/new")
        #expect(proxy.requests == ["GET http://feeds.example.invalid/old", "GET http://feeds.example.invalid/new"])
    }

    @Test func aRedirectLoopIsAnError() throws {
        let server = try LocalHTTPServer()
        server.route("/loop", .init(status: 301, headers: ["Location": "/loop"], body: ""))
        guard case .failure(let error) = fetch(local(server.url("/loop"))) else {
            Issue.record("a redirect loop succeeded")
            return
        }
        #expect(error.message.lowercased().contains("redirect"))
        #expect(server.requests.count == 11)  // the first request and 10 redirects, no more
    }

    @Test func retryAfterIsReadAsSecondsOrADate() throws {
        let server = try LocalHTTPServer()
        server.route("/busy", .init(status: 429, headers: ["Retry-After": "120"], body: "slow down"))
        server.route("/down", .init(status: 503, headers: ["Retry-After": "Wed, 21 Oct 2065 07:28:00 GMT"], body: ""))
        server.route("/broken", .init(status: 500, headers: [:], body: "oops"))
        guard case .failure(let busy) = fetch(local(server.url("/busy"))) else {
            Issue.record("429 succeeded")
            return
        }
        #expect(busy.status == 429)
        #expect(busy.retryAfter == 120)
        guard case .failure(let down) = fetch(local(server.url("/down"))) else {
            Issue.record("503 succeeded")
            return
        }
        #expect(down.retryAfter == Double(86_400 * 365))  // a date decades away, clamped to a year
        guard case .failure(let broken) = fetch(local(server.url("/broken"))) else {
            Issue.record("500 succeeded")
            return
        }
        #expect(broken.status == 500)
        #expect(broken.retryAfter == nil)
    }

    @Test func gzipIsDecodedAndAGzipBombIsStopped() throws {
        let server = try LocalHTTPServer()
        let feed = makeRSS(items: 3)
        server.route("/gz", .init(headers: ["Content-Encoding": "gzip"], bytes: try #require(gzip(Array(feed.utf8)))))
        let bomb = try #require(gzip([UInt8](repeating: 0x20, count: 20 << 20)))
        #expect(bomb.count < 100_000)
        server.route("/bomb", .init(headers: ["Content-Encoding": "gzip"], bytes: bomb))
        let response = try fetch(local(server.url("/gz"))).get()
        #expect(String(decoding: response.body, as: UTF8.self) == feed)
        guard case .failure(let error) = fetch(local(server.url("/bomb"), maxBytes: 1 << 20)) else {
            Issue.record("a gzip bomb was accepted")
            return
        }
        #expect(error.message.contains("larger than the limit of 1048576 bytes"))
    }

    @Test func aTricklingOrEndlessBodyTimesOut() throws {
        let server = try LocalHTTPServer()
        server.route("/trickle", .init(headers: ["Content-Length": "100"], bytes: [UInt8](repeating: 0x41, count: 100), trickle: 0.5))
        let started = Date()
        guard case .failure(let error) = fetch(local(server.url("/trickle"), timeout: 1.5)) else {
            Issue.record("a trickling body did not time out")
            return
        }
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(error.message.lowercased().contains("timeout") || error.message.lowercased().contains("timed out"))
    }

    @Test func freshnessFromCacheControlAndExpires() {
        func response(_ headers: [String: String]) -> FetchResponse {
            FetchResponse(status: 200, effectiveURL: "https://x.example/", headers: headers, body: [], duration: 0)
        }
        #expect(response(["cache-control": "public, max-age=600"]).freshness() == 600)
        #expect(response(["cache-control": "no-cache, max-age=600"]).freshness() == nil)
        let expires = response(["date": "Mon, 05 Apr 1999 08:00:00 GMT", "expires": "Mon, 05 Apr 1999 09:00:00 GMT"])
        #expect(expires.freshness() == 3600)
        #expect(response([:]).freshness() == nil)
        #expect(HTTPDates.retryAfter("Mon, 05 Apr 1999 08:00:30 GMT", now: Date(timeIntervalSince1970: 923_299_200)) == 30)
        #expect(HTTPDates.retryAfter("1e30") == Double(365 * 86_400))
        #expect(HTTPDates.retryAfter("inf") == nil)
        #expect(HTTPDates.retryAfter("-5") == nil)
    }
}

/// A self-signed HTTPS endpoint (openssl s_server serving a folder), when openssl is there.
struct TLSTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
    func aSelfSignedCertificateIsRefusedUnlessTheSourceOptsOut() throws {
        let dir = TempDirectory("tls")
        dir.write("www/feed.xml", makeRSS(items: 1))
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        make.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.file("key.pem"), "-out", dir.file("cert.pem"),
            "-days", "1", "-subj", "/CN=127.0.0.1",
        ]
        make.standardOutput = FileHandle.nullDevice
        make.standardError = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        #expect(make.terminationStatus == 0)
        // A free port: bind, read it, close, hand it to s_server.
        let probe = try LocalHTTPServer()
        let port = probe.port
        probe.stop()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        server.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", dir.file("cert.pem"), "-key", dir.file("key.pem"), "-WWW", "-quiet"]
        server.currentDirectoryURL = URL(fileURLWithPath: dir.file("www"))
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        server.standardInput = Pipe()
        try server.run()
        defer {
            kill(server.processIdentifier, SIGKILL)  // Process.terminate's SIGTERM may be blocked in test threads
            server.waitUntilExit()
        }
        let url = "https://127.0.0.1:\(port)/feed.xml"
        var checked = FetchRequest(url: url, userAgent: "t", timeout: 5, allowPrivateNetworks: true)
        // Wait for the server to listen.
        #expect(waitFor(timeout: 10) {
            if case .failure(let error) = fetch(checked), error.message.contains("onnect") { return false }
            return true
        })
        guard case .failure(let error) = fetch(checked) else {
            Issue.record("a self-signed certificate was accepted")
            return
        }
        #expect(error.message.lowercased().contains("certificate") || error.message.contains("SSL"))
        checked.tlsVerify = false
        let response = try fetch(checked).get()
        #expect(String(decoding: response.body, as: UTF8.self).contains("<title>item 0</title>"))
    }
}

/// The transfer loop runs fetches side by side: a slow server holds up nobody else.
struct TransferLoopTests {
    @Test func aSlowServerDoesNotHoldUpAFastOne() throws {
        let server = try LocalHTTPServer()
        server.route("/slow", .init(body: makeRSS(items: 1), delay: 3))
        server.route("/fast", .init(body: makeRSS(items: 1)))
        let fetcher = Fetcher()
        let order = Order()
        let done = DispatchGroup()
        for path in ["/slow", "/fast"] {
            done.enter()
            fetcher.fetch(local(server.url(path))) { result in
                if case .success = result { order.append(path) }
                done.leave()
            }
            if path == "/slow" { #expect(waitFor { server.requests.contains("GET /slow") }) }
        }
        #expect(done.wait(timeout: .now() + 15) == .success)
        #expect(order.items == ["/fast", "/slow"])
    }

    @Test func cancellingStopsRunningTransfersQuickly() throws {
        let server = try LocalHTTPServer()
        server.route("/slow", .init(body: makeRSS(items: 1), delay: 10))
        let fetcher = Fetcher()
        let done = DispatchSemaphore(value: 0)
        let outcome = Order()
        fetcher.fetch(local(server.url("/slow"))) { result in
            if case .failure(let error) = result, error.cancelled { outcome.append("cancelled") }
            done.signal()
        }
        #expect(waitFor { server.requests.contains("GET /slow") })
        let started = Date()
        fetcher.cancelAll()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(outcome.items == ["cancelled"])
    }
}

final class Order: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    func append(_ value: String) { lock.withLock { values.append(value) } }
    var items: [String] { lock.withLock { values } }
}

/// Folder sources: read in parts, and only what changed.
struct FolderReadingTests {
    func read(_ fetcher: Fetcher, _ url: String, maxFiles: Int = 1_000, budget: Int = 256 << 20) throws -> FolderListing {
        let box = ResultBox<Result<FolderListing, FetchError>>()
        let done = DispatchSemaphore(value: 0)
        fetcher.readFolder(url, maxFiles: maxFiles, budget: budget, maxBytes: 1 << 20) { result in
            box.value = result
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        return try #require(box.value).get()
    }

    @Test func aLargeFolderIsReadInPartsAndUnchangedFilesAreSkipped() throws {
        let dir = TempDirectory()
        for n in 1...5 { _ = dir.write("inbox/\(n).txt", "Story number \(n).") }
        _ = dir.write("inbox/ignored.bin", "not a document")
        let url = URL(fileURLWithPath: dir.file("inbox")).absoluteString
        let fetcher = Fetcher()
        var seen: [String] = []
        for round in 0..<3 {
            let listing = try read(fetcher, url, maxFiles: 2)
            seen += listing.files.map { ($0.url as NSString).lastPathComponent }
            #expect(listing.more == (round < 2), "round \(round)")
            fetcher.folderRead(url, stamps: listing.stamps)
        }
        #expect(seen == ["1.txt", "2.txt", "3.txt", "4.txt", "5.txt"])
        // Nothing changed: nothing to read.
        #expect(try read(fetcher, url).files.isEmpty)
        // A changed file (new size) and a new one are read again; the rest are not.
        _ = dir.write("inbox/3.txt", "Story number 3, corrected.")
        _ = dir.write("inbox/6.txt", "Story number 6.")
        let changed = try read(fetcher, url)
        #expect(changed.files.map { ($0.url as NSString).lastPathComponent } == ["3.txt", "6.txt"])
        // Not marked as read (its write failed): read again next time.
        #expect(try read(fetcher, url).files.count == 2)
        // Forgotten (the source was removed): everything again.
        fetcher.forgetFolder(url)
        #expect(try read(fetcher, url).files.count == 6)
    }

    @Test func theByteBudgetEndsAReadButAlwaysTakesOneFile() throws {
        let dir = TempDirectory()
        _ = dir.write("big/a.txt", String(repeating: "a", count: 3000))
        _ = dir.write("big/b.txt", String(repeating: "b", count: 3000))
        let url = URL(fileURLWithPath: dir.file("big")).absoluteString
        let fetcher = Fetcher()
        let first = try read(fetcher, url, budget: 1000)
        #expect(first.files.count == 1)
        #expect(first.more)
    }
}

final class ResultBox<Value>: @unchecked Sendable {
    var value: Value?
}

struct CurlLoadingTests {
    @Test func libcurlLoadsOnDemandAndSaysWhichItIs() {
        #expect(Fetcher.libraryError == nil)
        #expect(Fetcher.curlVersion.hasPrefix("libcurl/"))
    }
}
