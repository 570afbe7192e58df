import Foundation
import Testing

@testable import TidingsCore

struct JSONCodingTests {
    struct Sample: Codable, Equatable {
        struct Inner: Codable, Equatable {
            var lastHTTPStatus: Int
            var sha256Hex: String
        }
        var sourceID: Int64
        var refusedCount: Int
        var note: String?
        var when: Date
        var ratio: Double
        var tags: [String]
        var inner: Inner?
        /// A dictionary's keys are data: they stay as they are.
        var countsByName: [String: Int]
    }

    let sample = Sample(
        sourceID: 42, refusedCount: 0, note: nil, when: Date(timeIntervalSince1970: 1_764_720_000), ratio: 0.25, tags: ["a", "b"],
        inner: .init(lastHTTPStatus: 304, sha256Hex: "ff"), countsByName: ["camelCase": 1])

    @Test(arguments: [
        ("sourceID", "source_id"), ("refusedCount", "refused_count"), ("lastHTTPStatus", "last_http_status"),
        ("sha256Hex", "sha256_hex"), ("id", "id"), ("URL", "url"), ("interval_s", "interval_s"), ("meanMs", "mean_ms"),
    ])
    func snakeCase(key: String, expected: String) {
        #expect(JSON.snakeCase(key) == expected)
    }

    @Test func encodesSnakeCaseWithNullsDatesAndDictionaryKeysAsTheyAre() throws {
        let json = try JSON.encode(sample)
        #expect(json.text() == #"{"source_id":42,"refused_count":0,"note":null,"when":"2025-12-03T00:00:00Z","ratio":0.25,"tags":["a","b"],"inner":{"last_http_status":304,"sha256_hex":"ff"},"counts_by_name":{"camelCase":1}}"#)
        #expect(try json.decode(Sample.self) == sample)
    }

    @Test func nilsAreNullOrLeftOut() throws {
        struct Params: Codable, Equatable { var url: String; var name: String?; var interval: Double? }
        let params = Params(url: "u", name: nil, interval: 5)
        #expect(String(decoding: try JSON.encodeText(params), as: UTF8.self) == #"{"url":"u","name":null,"interval":5}"#)
        let short = try JSON.encodeText(params, nils: .omitted)
        #expect(String(decoding: short, as: UTF8.self) == #"{"url":"u","interval":5}"#)
        #expect(try JSON.parse(short).decodeStrictly(Params.self) == params)
    }

    @Test func decodesMissingOptionalsAsNil() throws {
        let json = try JSON.parse(#"{"source_id":1,"refused_count":2,"when":"2025-12-03T00:00:00Z","ratio":1,"tags":[],"counts_by_name":{}}"#)
        let decoded = try json.decode(Sample.self)
        #expect(decoded.note == nil)
        #expect(decoded.inner == nil)
        #expect(decoded.sourceID == 1)
    }

    @Test func errorsNameTheKeyAndTheProblem() throws {
        #expect {
            try JSON.parse(#"{"source_id":"one"}"#).decode(Sample.self)
        } throws: { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["source_id"]
        }
        #expect {
            try JSON.parse(#"{"refused_count":1}"#).decode(Sample.self)
        } throws: { error in
            guard case DecodingError.keyNotFound(let key, _) = error else { return false }
            return key.stringValue == "sourceID"
        }
        // A fraction where an integer belongs is refused, not truncated.
        #expect(throws: DecodingError.self) { try JSON.number(1.5).decode(Int.self) }
        #expect(throws: DecodingError.self) { try JSON.number(300).decode(UInt8.self) }
        #expect(throws: DecodingError.self) { try JSON.string("yesterday").decode(Date.self) }
    }

    @Test func integersAreExactUpTo2To53AndWrittenWithoutAFraction() throws {
        let big: Int64 = 9_007_199_254_740_992
        let json = try JSON.encode(big)
        #expect(json.text() == "9007199254740992")
        #expect(try json.decode(Int64.self) == big)
        #expect(JSON.number(3).text() == "3")
        #expect(JSON.number(-0.5).text() == "-0.5")
        #expect(try JSON.parse("12").int == 12)
    }

    @Test func prettyTextIsIndentedAndParsesBack() throws {
        let json: JSON = ["a": [.number(1), .string("x"), .null], "b": [:], "c": []]
        let pretty = json.text(pretty: true)
        #expect(pretty == "{\n  \"a\": [\n    1,\n    \"x\",\n    null\n  ],\n  \"b\": {},\n  \"c\": []\n}")
        #expect(try JSON.parse(pretty) == json)
    }

    /// Hand-written encoders that use nested containers one after the other, as Codable's own
    /// code does, stream correctly; an empty value is an empty object.
    @Test func nestedContainersAndEmptyValuesStream() throws {
        struct Nested: Encodable {
            enum Keys: String, CodingKey { case point, tags, after }
            enum PointKeys: String, CodingKey { case xValue, y }
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.container(keyedBy: Keys.self)
                var point = outer.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
                try point.encode(1, forKey: .xValue)
                try point.encode(2, forKey: .y)
                var tags = outer.nestedUnkeyedContainer(forKey: .tags)
                try tags.encode("a")
                try tags.encodeNil()
                try outer.encode(true, forKey: .after)
            }
        }
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        #expect(String(decoding: try JSON.encodeText(Nested()), as: UTF8.self) == #"{"point":{"x_value":1,"y":2},"tags":["a",null],"after":true}"#)
        #expect(String(decoding: try JSON.encodeText([Nothing(), Nothing()]), as: UTF8.self) == "[{},{}]")
        #expect(String(decoding: try JSON.encodeText([String: Int]()), as: UTF8.self) == "{}")
    }

    @Test func aListOf100000RowsEncodesWhole() throws {
        struct Row: Codable { var id: Int64; var name: String; var note: String? }
        let rows = (0..<100_000).map { Row(id: Int64($0), name: "feed \($0)", note: nil) }
        let text = try JSON.encodeText(rows)
        #expect(text.count > 3_000_000)
        #expect(try JSON.parse(text).array?.count == 100_000)
    }

    @Test func strictDecodingChecksEachObjectWhenItIsReadAndKeepsOnlyTheDepth() throws {
        struct Outline: Decodable { var url: String; var name: String? }
        struct Params: Decodable { var sources: [Outline] }
        let good = JSON.object([("sources", .array((0..<10_000).map { .object([("url", .string("https://a.example/\($0)"))]) }))])
        let audit = KeyAudit()
        let params = try JSON.unbox(good, as: Params.self, codingPath: [], audit: audit)
        #expect(params.sources.count == 10_000)
        // Nothing is left to check at the end: 100,000 outlines of an import once held 50 MB
        // of key lists until then.
        #expect(audit.mark == 0)
        // A misspelt key in the last outline is still found, by its path.
        var outlines = (0..<10_000).map { JSON.object([("url", .string("https://a.example/\($0)"))]) }
        outlines.append(.object([("url", .string("https://b.example/")), ("nmae", .string("b"))]))
        #expect { try JSON.object([("sources", .array(outlines))]).decodeStrictly(Params.self) } throws: { error in
            (error as? JSONUnknownKeys) == JSONUnknownKeys(path: "sources.10000", unknown: ["nmae"], known: ["name", "url"])
        }
        // And at the top, after the nested objects are read.
        #expect { try JSON.object([("sources", .array([])), ("extra", .null)]).decodeStrictly(Params.self) } throws: { error in
            (error as? JSONUnknownKeys) == JSONUnknownKeys(path: "", unknown: ["extra"], known: ["sources"])
        }
    }
}
