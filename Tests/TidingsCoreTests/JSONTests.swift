import Foundation
import TestSupport
import Testing

@testable import TidingsCore

struct JSONTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSON.parse(#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}, "e": "", "a2": 0} "#)
        #expect(value["a"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(value["b"]?["c"]?.string == "d")
        #expect(value["e"]?.string == "")
        #expect(value["a2"]?.int == 0)
        #expect(value["missing"] == nil)
        #expect(value.members?.map(\.key) == ["a", "b", "e", "a2"])
    }

    @Test func decodesEscapesSurrogatesAndKeepsUTF8() throws {
        let value = try JSON.parse(#"["tab\there", "quote\" slash\/ back\\", "\u00e9\u4e2d", "\ud83d\ude00", "Ωmega", "\ud800x"]"#)
        #expect(value.array?.compactMap(\.string) == ["tab\there", "quote\" slash/ back\\", "é中", "😀", "Ωmega", "\u{FFFD}x"])
    }

    @Test func repeatedKeysKeepTheLastValue() throws {
        #expect(try JSON.parse(#"{"k": 1, "k": 2}"#)["k"]?.int == 2)
    }

    @Test func rejectsMalformedTextWithItsOffset() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"unterminated", "\"bad \\q escape\"", "tru", "[1] x", "{\"a\":1,}",
            "\"control \u{01} char\"", "nul", "[\"\\u12\"]"] {
            #expect(throws: JSONError.self, "accepted \(bad)") { try JSON.parse(bad) }
        }
        do {
            _ = try JSON.parse("[1, ?]")
            Issue.record("accepted [1, ?]")
        } catch {
            #expect(error.offset == 4)
            #expect(error.description.contains("byte 4"))
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSON.parse(deep) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect((try? JSON.parse(fine)) != nil)
    }

    @Test func numbersKeepTheirValue() throws {
        #expect(try JSON.parse("12345678901").int == 12_345_678_901)
        #expect(try JSON.parse("1.5").int == nil)
        #expect(try JSON.parse("1.5").number == 1.5)
        #expect(try JSON.parse("-0.25E-2").number == -0.0025)
    }

    @Test func writerEscapesAndPlacesCommas() throws {
        var json = JSONWriter()
        json.beginObject()
        json.field("a", "x\"y\\z\n\t\u{01}é")
        json.field("b", nil)
        json.key("list")
        json.beginArray()
        json.string("one")
        json.number(2)
        json.number(2.5)
        json.beginObject()
        json.endObject()
        json.beginArray()
        json.endArray()
        json.bool(true)
        json.endArray()
        json.key("dynamic \"key\"")
        json.number(Double.nan)
        json.endObject()
        let text = String(decoding: json.bytes, as: UTF8.self)
        #expect(text == #"{"a":"x\"y\\z\n\t\u0001é","b":null,"list":["one",2,2.5,{},[],true],"dynamic \"key\"":null}"#)
        // What it writes, it reads back.
        let parsed = try JSON.parse(json.bytes)
        #expect(parsed["a"]?.string == "x\"y\\z\n\t\u{01}é")
        var again = JSONWriter()
        again.value(parsed)
        #expect(again.bytes == json.bytes)
    }

    @Test func readsWholeFilesAndRefusesWhatIsNotOne() throws {
        let dir = TempDirectory()
        let path = dir.path + "/data.bin"
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(FileBytes.read(path) == bytes)
        #expect(FileBytes.read(path, limit: 99_999) == nil)
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(FileBytes.read(path) == [])
        #expect(FileBytes.read(dir.path) == nil)
        #expect(FileBytes.read(dir.path + "/missing") == nil)
    }

    @Test func trimsAsFoundationDoes() {
        for text in ["", " ", "plain", "  both  ", "\n\ttabs\r\n", "\u{00A0}nbsp\u{3000}", "inner  space", "é", " é ", "\u{2003}"] {
            #expect(text.trimmedWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        }
    }
}
