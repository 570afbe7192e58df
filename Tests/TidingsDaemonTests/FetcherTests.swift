import CTidingsSys
import Foundation
import TestSupport
import Testing

@testable import TidingsFetch

func fetch(_ request: FetchRequest) -> Result<FetchResponse, FetchError> { Fetcher.perform(request) }

struct AddressPolicyTests {
    @Test(arguments: [
        ([127, 0, 0, 1], false), ([10, 1, 2, 3], false), ([172, 16, 0, 1], false), ([172, 32, 0, 1], true),
        ([192, 168, 1, 1], false), ([169, 254, 169, 254], false), ([100, 64, 0, 1], false), ([0, 0, 0, 0], false),
        ([224, 0, 0, 1], false), ([93, 184, 216, 34], true), ([8, 8, 8, 8], true),
    ] as [([UInt8], Bool)])
    func ipv4(bytes: [UInt8], isPublic: Bool) {
        #expect(AddressPolicy.isPublic(ipv4: bytes) == isPublic)
    }

    @Test func ipv6() {
        var loopback = [UInt8](repeating: 0, count: 16)
        loopback[15] = 1
        #expect(!AddressPolicy.isPublic(ipv6: loopback))
        let mappedPrivate: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 0, 1]
        #expect(!AddressPolicy.isPublic(ipv6: mappedPrivate))
        #expect(!AddressPolicy.isPublic(ipv6: [0xfe, 0x80] + [UInt8](repeating: 0, count: 14)))
        #expect(!AddressPolicy.isPublic(ipv6: [0xfd, 0x00] + [UInt8](repeating: 1, count: 14)))
        #expect(AddressPolicy.isPublic(ipv6: [0x2a, 0x00, 0x14, 0x50] + [UInt8](repeating: 1, count: 12)))
        let sixToFourPrivate: [UInt8] = [0x20, 0x02, 192, 168, 1, 1] + [UInt8](repeating: 0, count: 10)
        #expect(!AddressPolicy.isPublic(ipv6: sixToFourPrivate))
        let compatibleLoopback: [UInt8] = [UInt8](repeating: 0, count: 12) + [127, 0, 0, 1]
        #expect(!AddressPolicy.isPublic(ipv6: compatibleLoopback))
        #expect(!AddressPolicy.isPublic(ipv6: [0xfe, 0xc0] + [UInt8](repeating: 0, count: 13) + [1]))
        #expect(!AddressPolicy.isPublic(ipv6: [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01] + [UInt8](repeating: 0, count: 9) + [1]))
        let nat64Public: [UInt8] = [0x00, 0x64, 0xff, 0x9b] + [UInt8](repeating: 0, count: 8) + [8, 8, 8, 8]
        #expect(AddressPolicy.isPublic(ipv6: nat64Public))
    }
}

struct FetcherTests {
    @Test func fetchesFromALoopbackServerWhenAllowed() throws {
        let server = try LocalHTTPServer()
        server.route("/feed.xml", .init(headers: ["ETag": "\"v1\"", "Content-Type": "application/rss+xml"], body: makeRSS(items: 2)))
        let response = try fetch(FetchRequest(url: server.url("/feed.xml"), userAgent: "tidings-test/1", allowPrivateNetworks: true)).get()
        #expect(response.status == 200)
        #expect(response.headers["etag"] == "\"v1\"")
        #expect(String(decoding: response.body, as: UTF8.self).contains("<title>item 1</title>"))
    }

    @Test func refusesLoopbackByDefault() throws {
        let server = try LocalHTTPServer()
        server.route("/feed.xml", .init(body: makeRSS(items: 1)))
        let result = fetch(FetchRequest(url: server.url("/feed.xml"), userAgent: "t"))
        guard case .failure(let error) = result else {
            Issue.record("fetched a loopback address with allow_private_networks off")
            return
        }
        #expect(error.message.contains("refused to connect to 127.0.0.1"))
        #expect(error.message.contains("allow_private_networks"))
        #expect(server.requests.isEmpty)
    }

    @Test func httpErrorsAndOversizedBodiesFailClearly() throws {
        let server = try LocalHTTPServer()
        server.route("/big", .init(body: String(repeating: "x", count: 100_000)))
        let missing = fetch(FetchRequest(url: server.url("/missing"), userAgent: "t", allowPrivateNetworks: true))
        #expect(throws: FetchError.self) { try missing.get() }
        if case .failure(let error) = missing { #expect(error.status == 404) }
        let big = fetch(FetchRequest(url: server.url("/big"), userAgent: "t", maxBytes: 10_000, allowPrivateNetworks: true))
        if case .failure(let error) = big {
            #expect(error.message.contains("larger than the limit of 10000 bytes"))
        } else {
            Issue.record("an oversized body was accepted")
        }
    }

    @Test func sendsConditionalHeadersAndSeesNotModified() throws {
        let server = try LocalHTTPServer()
        server.route("/feed.xml", .init(status: 304, headers: [:], body: ""))
        let response = try fetch(
            FetchRequest(url: server.url("/feed.xml"), etag: "\"v1\"", userAgent: "t", allowPrivateNetworks: true)).get()
        #expect(response.notModified)
        #expect(server.requestHeaders.first?["if-none-match"] == "\"v1\"")
        #expect(server.requestHeaders.first?["user-agent"] == "t")
        #expect(server.requestHeaders.first?["accept-encoding"]?.contains("gzip") == true)
    }

    @Test func readsFileURLsAndReportsMissingFiles() throws {
        let dir = TempDirectory()
        let path = dir.write("feed.xml", makeRSS(items: 1))
        let response = try fetch(FetchRequest(url: "file://" + path, userAgent: "t")).get()
        #expect(response.status == nil)
        #expect(response.body.count > 100)
        #expect(throws: FetchError.self) { try fetch(FetchRequest(url: "file://" + dir.file("nope.xml"), userAgent: "t")).get() }
    }
}
