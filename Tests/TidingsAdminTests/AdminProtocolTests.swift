import Foundation
import Testing

@testable import TidingsAdmin
import TidingsCore

struct LineFramerTests {
    @Test func splitsAcrossChunksAndDropsCR() {
        var framer = LineFramer(maxLength: 100)
        #expect(framer.feed(Array("{\"a\":".utf8)) == [])
        #expect(framer.feed(Array("1}\r\n\n{\"b\":2}\n{\"c\"".utf8)) == [.line(Array("{\"a\":1}".utf8)), .line(Array("{\"b\":2}".utf8))])
        #expect(framer.feed(Array(":3}\n".utf8)) == [.line(Array("{\"c\":3}".utf8))])
    }

    @Test func anyChunkingGivesTheSameLines() {
        var text: [UInt8] = []
        var expected: [LineFramer.Event] = []
        for index in 0..<200 {
            let line = Array(String(repeating: "x", count: index * 37 % 300).utf8)
            text += line + (index % 3 == 0 ? [0x0D, 0x0A] : [0x0A])
            if line.count > 250 { expected.append(.tooLong) } else if !line.isEmpty { expected.append(.line(line)) }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var framer = LineFramer(maxLength: 250)
            var events: [LineFramer.Event] = []
            var offset = 0
            while offset < text.count {
                let size = Int.random(in: 1...700, using: &generator)
                events += framer.feed(text[offset..<min(offset + size, text.count)])
                offset += size
            }
            #expect(events == expected)
        }
    }

    @Test func overlongLineIsReportedOnceAndSkipped() {
        var framer = LineFramer(maxLength: 8)
        let events = framer.feed(Array("0123456789abcdef".utf8)) + framer.feed(Array("more\nok\n".utf8))
        #expect(events == [.tooLong, .line(Array("ok".utf8))])
    }
}

struct AdminRequestTests {
    @Test func parsesAValidRequest() throws {
        let request = try AdminRequest.parse(Array(#"{"id":7,"method":"sources.add","params":{"url":"https://a.example/"}}"#.utf8)).get()
        #expect(request.id == .number(7))
        #expect(request.method == "sources.add")
        let params = try request.decodeParams(AddSourceParams.self)
        #expect(params == AddSourceParams(url: "https://a.example/"))
    }

    @Test(arguments: [
        ("{nope", "parse_error"), ("[1,2]", "invalid_request"), (#"{"id":1}"#, "invalid_request"),
        (#"{"id":1,"method":5}"#, "invalid_request"), (#"{"id":1,"method":"status","params":[1]}"#, "invalid_params"),
    ])
    func rejectsBadRequests(line: String, code: String) {
        guard case .failure(let failure) = AdminRequest.parse(Array(line.utf8)) else {
            Issue.record("accepted \(line)")
            return
        }
        #expect(failure.code == code)
    }

    @Test func badParamsNameTheParameter() throws {
        let missing = try AdminRequest.parse(Array(#"{"id":1,"method":"sources.add","params":{}}"#.utf8)).get()
        #expect { try missing.decodeParams(AddSourceParams.self) } throws: { error in
            let message = (error as? TidingsCore.TidingsError)?.message ?? ""
            return message.contains("missing parameter \"url\"")
        }
        let wrongType = try AdminRequest.parse(Array(#"{"id":1,"method":"sources.add","params":{"url":5}}"#.utf8)).get()
        #expect { try wrongType.decodeParams(AddSourceParams.self) } throws: { error in
            ((error as? TidingsCore.TidingsError)?.message ?? "").contains("\"url\" must be a string")
        }
    }

    @Test func accessRule() {
        #expect(AdminProtocol.access(peerUID: 0, daemonUID: 998) == .admin)
        #expect(AdminProtocol.access(peerUID: 998, daemonUID: 998) == .admin)
        #expect(AdminProtocol.access(peerUID: 1000, daemonUID: 998) == .read)
        #expect(AdminProtocol.methods["status"] == .read)
        #expect(AdminProtocol.methods["sources.add"] == .admin)
        #expect(AdminProtocol.methods["shutdown"] == .admin)
    }

    @Test func responsesAreSingleLines() throws {
        let line = AdminResponse.success(id: .string("x"), result: ["text": .string("a\nb")], more: true).line()
        #expect(line.last == 0x0A)
        #expect(line.dropLast().contains(0x0A) == false)
        let decoded = try #require(AdminResponse.parse(line))
        #expect(decoded.more == true)
        #expect(decoded.result?["text"] == .string("a\nb"))
        let failure = AdminResponse.failure(AdminFailure(id: nil, code: "not_found", message: "no source")).line()
        #expect(String(decoding: failure, as: UTF8.self) == #"{"id":null,"ok":false,"error":{"code":"not_found","message":"no source"}}"# + "\n")
    }

    @Test func unknownParametersAreRefusedByName() throws {
        let request = try AdminRequest.parse(Array(#"{"id":1,"method":"sources.add","params":{"url":"https://a.example/","intervall":"5m"}}"#.utf8)).get()
        #expect { try request.decodeParams(AddSourceParams.self) } throws: { error in
            let message = (error as? TidingsCore.TidingsError)?.message ?? ""
            return message.contains("unknown parameter \"intervall\"") && message.contains("interval")
        }
        let none = try AdminRequest.parse(Array(#"{"id":1,"method":"status","params":{"verbose":true}}"#.utf8)).get()
        #expect { try none.decodeParams(NoParams.self) } throws: { error in
            ((error as? TidingsCore.TidingsError)?.message ?? "").contains("it takes no parameters")
        }
        // Also inside a list: one misspelt key in one outline of an import.
        let nested = try AdminRequest.parse(
            Array(#"{"id":1,"method":"sources.import","params":{"sources":[{"url":"https://a.example/"},{"url":"https://b.example/","nmae":"b"}]}}"#.utf8)).get()
        #expect { try nested.decodeParams(ImportSourcesParams.self) } throws: { error in
            let message = (error as? TidingsCore.TidingsError)?.message ?? ""
            return message.contains("unknown parameter \"sources.1.nmae\"") && message.contains("it takes interval, kind, name, url")
        }
        // null params, or none, are no params.
        let null = try AdminRequest.parse(Array(#"{"id":1,"method":"status","params":null}"#.utf8)).get()
        #expect(try null.decodeParams(NoParams.self) == NoParams())
    }

    @Test func paramsAreSnakeCase() throws {
        let request = try AdminRequest(id: .number(1), AdminMethods.SourcesImport.self, ImportSourcesParams(sources: [AddSourceParams(url: "https://a.example/")]))
        let text = String(decoding: request.line(), as: UTF8.self)
        #expect(text == #"{"id":1,"method":"sources.import","params":{"sources":[{"url":"https://a.example/"}]}}"# + "\n")
        let parsed = try AdminRequest.parse(Array(request.line().dropLast())).get()
        #expect(try parsed.decodeParams(ImportSourcesParams.self).sources.first?.url == "https://a.example/")
    }

    @Test func everyMethodIsListedOnceWithItsAccess() {
        #expect(AdminMethods.all.count == AdminProtocol.methods.count)
        for method in AdminMethods.all {
            #expect(AdminProtocol.methods[method.name] == method.access)
        }
        #expect(AdminProtocol.methods["tail"] == .read)
        #expect(AdminProtocol.methods["sources.import"] == .admin)
    }
}

/// The wire shape of results: snake_case keys named as the database's columns, every key
/// present (null when empty), and a round trip back to the same typed value.
struct AdminResultShapeTests {
    @Test func sourceIsNamedAsItsTableAndKeepsNullKeys() throws {
        let source = Source(id: 3, name: "kurils", url: "https://a.example/feed", origin: .admin, enabled: true, interval: 900)
        let json = try JSON.encode(source)
        let keys = json.members?.map(\.key) ?? []
        #expect(keys == [
            "id", "name", "url", "kind", "origin", "enabled", "interval_s", "tls_verify", "last_fetch_at", "last_status", "last_error",
            "consecutive_errors", "next_fetch_at", "documents", "articles_pending",
        ])
        #expect(json["last_error"] == .null)
        #expect(json["interval_s"] == .number(900))
        #expect(try json.decode(Source.self) == source)
    }

    @Test func resultsRoundTrip() throws {
        let job = JobInfo(
            id: 9, kind: "reprocess", plugin: "tone", since: nil, sourceID: 4, status: "running", total: 10, done: 2, failed: 0,
            error: nil, createdAt: "2026-12-03T10:00:00Z", updatedAt: "2026-12-03T10:00:01Z", finishedAt: nil)
        let json = try JSON.encode(job)
        #expect(json["source_id"] == .number(4))
        #expect(json["finished_at"] == .null)
        #expect(try json.decode(JobInfo.self) == job)

        let fetch = FetchNowResult(sourceID: 1, status: "not_modified", items: 0, new: 0, updated: 0, seenElsewhere: 0, articlesQueued: 0, error: nil)
        let fetched = try JSON.encode(fetch)
        #expect(fetched.members?.map(\.key) == ["source_id", "status", "items", "new", "updated", "seen_elsewhere", "articles_queued", "error"])
        #expect(try fetched.decode(FetchNowResult.self) == fetch)

        let imported = ImportSourcesResult(added: 1, present: 2, renamed: 0, refused: [.init(url: "x", reason: "bad")], refusedCount: 1)
        #expect(try JSON.encode(imported)["refused_count"] == .number(1))
        #expect(try JSON.encode(imported).decode(ImportSourcesResult.self) == imported)

        let switched = PluginSwitchResult(name: "tone", enabled: false)
        #expect(try JSON.encode(switched).text() == #"{"name":"tone","enabled":false,"warning":null}"#)
    }
}
