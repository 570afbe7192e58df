import Testing

@testable import TidingsTOML

/// A reader over `text`'s root table, as the daemon makes one (with a file for messages).
func reader(_ text: String, file: String? = "/etc/t.toml") throws -> TOMLReader {
    TOMLReader(try TOMLParser.parse(text), file: file)
}

/// The error `read` throws, or nil (recorded as an issue) when it throws none.
func readError<T>(_ read: () throws(TOMLReadError) -> T, sourceLocation: SourceLocation = #_sourceLocation) -> TOMLReadError? {
    do {
        let value = try read()
        Issue.record("read \(value), expected an error", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

@Suite("TOML reader")
struct TOMLReaderTests {
    static let document = """
        name = "tidings"
        on = true
        count = 12
        ratio = 0.25
        whole = 3
        words = ["a", "b"]
        every = "1h30m"
        body = "2MiB"
        bytes = 4096

        [fetch]
        timeout = "5s"

        [plugins.tone]
        window = 5

        [[sources]]
        url = "https://a.example/"

        [[sources]]
        url = "https://b.example/"
        """

    @Test func gettersReturnTypedValues() throws {
        var root = try reader(Self.document)
        #expect(try root.string("name") == "tidings")
        #expect(try root.bool("on") == true)
        #expect(try root.int("count", range: 1...100) == 12)
        #expect(try root.double("ratio", range: 0...1) == 0.25)
        #expect(try root.double("whole", range: 0...10) == 3)
        #expect(try root.strings("words") == ["a", "b"])
        #expect(try root.duration("every", range: 1...86_400) == 5400)
        #expect(try root.size("body") == 2 << 20)
        #expect(try root.size("bytes") == 4096)
        var fetch = try #require(try root.table("fetch"))
        #expect(fetch.path == "fetch")
        #expect(fetch.file == "/etc/t.toml")
        #expect(try fetch.duration("timeout", range: 1...60) == 5)
        var plugins = try #require(try root.table("plugins"))
        var tone = try #require(try plugins.table("tone"))
        #expect(tone.path == "plugins.tone")
        #expect(try tone.int("window", range: 1...100) == 5)
        let sources = try #require(try root.tables("sources"))
        #expect(sources.map(\.path) == ["sources[0]", "sources[1]"])
        var second = sources[1]
        #expect(try second.string("url") == "https://b.example/")
        #expect(second.contents.position.line == 20)
    }

    @Test func absentKeysAreNil() throws {
        var root = try reader("")
        #expect(try root.string("a") == nil)
        #expect(try root.bool("a") == nil)
        #expect(try root.int("a", range: 0...1) == nil)
        #expect(try root.double("a", range: 0...1) == nil)
        #expect(try root.strings("a") == nil)
        #expect(try root.duration("a", range: 1...2) == nil)
        #expect(try root.size("a") == nil)
        #expect(try root.table("a") == nil)
        #expect(try root.tables("a") == nil)
        #expect(root.keysRead == ["a"])
    }

    @Test(arguments: [
        // (document, the getter, line, key, message)
        ("\n\nx = 1", "string", 3, "x", "must be a string, not an integer"),
        ("x = \"yes\"", "bool", 1, "x", "must be true or false, not a string"),
        ("x = 1.5", "int", 1, "x", "must be an integer, not a float"),
        ("x = \"1\"", "double", 1, "x", "must be a number, not a string"),
        ("x = \"a\"", "strings", 1, "x", "must be an array of strings, not a string"),
        ("x = [\n  \"a\",\n  2,\n]", "strings", 3, "x", "must be an array of strings; found an integer"),
        ("x = 15", "duration", 1, "x", "must be a duration string (a number followed by ms, s, m, h, d or w"),
        ("x = \"15 minutes\"", "duration", 1, "x", "bad duration \"15 minutes\"; use a number followed by"),
        ("x = true", "size", 1, "x", "must be a positive number of bytes, or a string such as \"512KiB\""),
        ("x = \"lots\"", "size", 1, "x", "bad size \"lots\"; use a positive number of bytes"),
        ("x = \"2GiB\"", "size", 1, "x", "bad size \"2GiB\"; use a positive number of bytes"),
        ("x = 0", "size", 1, "x", "bad size 0; use a positive number of bytes"),
        ("x = 1", "table", 1, "x", "must be a table ([x]), not an integer"),
        ("[a]\nx = 1", "a.table", 2, "a.x", "must be a table ([a.x]), not an integer"),
        ("x = 1", "tables", 1, "x", "must be an array of tables ([[x]]), not an integer"),
        ("x = [{ a = 1 },\n 2]", "tables", 2, "x[1]", "must be a table ([[x]]), not an integer"),
    ])
    func wrongValuesNameTheirLineKeyAndWhatIsAllowed(text: String, getter: String, line: Int, key: String, message: String) throws {
        var root = try reader(text)
        let error = try #require(
            readError { () throws(TOMLReadError) -> Any? in
                switch getter {
                case "string": return try root.string("x")
                case "bool": return try root.bool("x")
                case "int": return try root.int("x", range: 0...10)
                case "double": return try root.double("x", range: 0...10)
                case "strings": return try root.strings("x")
                case "duration": return try root.duration("x", range: 1...60)
                case "size": return try root.size("x")
                case "table": return try root.table("x")
                case "a.table":
                    var a = try root.table("a")
                    return try a?.table("x")
                default: return try root.tables("x")
                }
            })
        #expect(error.file == "/etc/t.toml")
        #expect(error.line == line)
        #expect(error.key == key)
        #expect(error.message.hasPrefix(message), "message was: \(error.message)")
        #expect(error.description == "/etc/t.toml:\(line): \(key): \(error.message)")
    }

    @Test func rangesAreChecked() throws {
        var root = try reader("n = 101\nd = 1.5\nt = \"2h\"\nok = 100")
        #expect(readError { () throws(TOMLReadError) in try root.int("n", range: 1...100) }?.message == "101 is out of range; use 1…100")
        #expect(readError { () throws(TOMLReadError) in try root.double("d", range: 0...0.9) }?.message == "1.5 is out of range; use 0.0…0.9")
        #expect(
            readError { () throws(TOMLReadError) in try root.duration("t", range: 1...3600) }?.message
                == "\"2h\" is out of range; use between 1s and 1h")
        #expect(try root.int("ok", range: 1...100) == 100)
    }

    @Test func unknownKeysAreRefusedWithTheirLineAgainstAnAllowedList() throws {
        let root = try reader("[daemon]\ndatabase = \"x\"\ndatabse = \"y\"\n")
        var top = root
        try top.checkKeys(allowed: ["daemon", "fetch"])
        let daemon = try #require(try top.table("daemon"))
        let error = try #require(readError { () throws(TOMLReadError) in try daemon.checkKeys(allowed: ["database", "socket"]) })
        #expect(error.line == 3)
        #expect(error.key == "daemon.databse")
        #expect(error.message == "unknown key in daemon; allowed: database, socket")
        let topError = try #require(readError { () throws(TOMLReadError) in try root.checkKeys(allowed: ["fetch"]) })
        #expect(topError.line == 1)
        #expect(topError.message == "unknown key at the top level; allowed: fetch")
        let none = try #require(readError { () throws(TOMLReadError) in try root.checkKeys(allowed: []) })
        #expect(none.message == "unknown key at the top level; no keys are allowed here")
    }

    @Test func unknownKeysAreRefusedAgainstTheKeysRead() throws {
        var tone = TOMLReader(try TOMLParser.parse("enabled = true\nwindow = 5\nwindoww = 3\n"), path: "plugins.tone")
        _ = try tone.int("window", range: 1...100)
        _ = try tone.double("decay", range: 0.5...100)
        tone.skip("enabled")
        #expect(tone.keysRead == ["window", "decay", "enabled"])
        let error = try #require(readError { () throws(TOMLReadError) in try tone.checkKeys() })
        #expect(error.file == nil)
        #expect(error.line == 3)
        #expect(error.key == "plugins.tone.windoww")
        #expect(error.message == "unknown key in plugins.tone; allowed: decay, enabled, window")
        #expect(error.description == "line 3: plugins.tone.windoww: unknown key in plugins.tone; allowed: decay, enabled, window")
        _ = try tone.int("windoww", range: 1...100)
        try tone.checkKeys()
    }

    @Test func errorsOfTheCaller() throws {
        var root = try reader("[[sources]]\nname = \"x\"\n\n[[sources]]\nurl = \"y\"")
        let sources = try #require(try root.tables("sources"))
        let missing = sources[0].error("missing \"url\"")
        #expect(missing == TOMLReadError(file: "/etc/t.toml", line: 1, key: "sources[0]", message: "missing \"url\""))
        // About a key: on its line, or on the table's when it is absent.
        #expect(sources[1].error("url", "clash").line == 5)
        #expect(sources[1].error("name", "clash") == TOMLReadError(file: "/etc/t.toml", line: 4, key: "sources[1].name", message: "clash"))
        #expect(sources[1].line(of: "url") == 5)
        #expect(sources[1].line(of: "name") == nil)
        #expect(TOMLReadError(line: nil, key: nil, message: "m").description == "m")
    }

    @Test func inlineTablesAndOptionsReadAsSubTables() throws {
        var root = try reader("options = { keywords = \"a\", depth = 2 }\n")
        var options = try #require(try root.table("options", expected: "a table of strings"))
        #expect(options.path == "options")
        #expect(try options.string("keywords") == "a")
        let error = try #require(readError { () throws(TOMLReadError) in try options.string("depth") })
        #expect(error.key == "options.depth")
        #expect(error.message == "must be a string, not an integer")
        var wrong = try reader("options = 3")
        #expect(
            readError { () throws(TOMLReadError) in try wrong.table("options", expected: "a table of strings") }?.message
                == "must be a table of strings, not an integer")
    }
}
