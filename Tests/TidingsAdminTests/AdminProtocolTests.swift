import Foundation
import Testing

@testable import TidingsAdmin

struct LineFramerTests {
    @Test func splitsAcrossChunksAndDropsCR() {
        var framer = LineFramer(maxLength: 100)
        #expect(framer.feed(Array("{\"a\":".utf8)) == [])
        #expect(framer.feed(Array("1}\r\n\n{\"b\":2}\n{\"c\"".utf8)) == [.line(Array("{\"a\":1}".utf8)), .line(Array("{\"b\":2}".utf8))])
        #expect(framer.feed(Array(":3}\n".utf8)) == [.line(Array("{\"c\":3}".utf8))])
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
        let line = AdminResponse.success(id: .string("x"), result: .object(["text": .string("a\nb")]), more: true).line()
        #expect(line.last == 0x0A)
        #expect(line.dropLast().contains(0x0A) == false)
        let decoded = try AdminJSON.decoder().decode(AdminResponse.self, from: Data(line))
        #expect(decoded.more == true)
        #expect(decoded.result?["text"] == .string("a\nb"))
        let failure = AdminResponse.failure(AdminFailure(id: nil, code: "not_found", message: "no source")).line()
        #expect(String(decoding: failure, as: UTF8.self) == #"{"error":{"code":"not_found","message":"no source"},"ok":false}"# + "\n")
    }
}

import TidingsCore
