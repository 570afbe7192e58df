import Testing
import TidingsTOML

// MARK: - Cases

/// Documents and what parsing them must give, shared by the tests below.
enum TOMLCases {
    /// One step of a path into a parsed document: a key or an array index.
    enum PathStep: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
        CustomStringConvertible
    {
        case key(String)
        case index(Int)

        init(stringLiteral value: String) { self = .key(value) }
        init(integerLiteral value: Int) { self = .index(value) }

        var description: String {
            switch self {
            case .key(let key): return "." + key
            case .index(let index): return "[\(index)]"
            }
        }
    }

    /// What a node found at a path must be.
    enum Expectation: Sendable {
        /// A scalar, compared exactly.
        case value(TOMLValue)
        /// A float that is NaN.
        case nan
        /// A table with exactly these keys, in this order.
        case keys([String])
        /// An array with this many elements.
        case count(Int)
        /// A table whose own position (header or `{`) is this line and column.
        case tableAt(Int, Int)

        static func string(_ value: String) -> Expectation { .value(.string(value)) }
        static func integer(_ value: Int64) -> Expectation { .value(.integer(value)) }
        static func float(_ value: Double) -> Expectation { .value(.float(value)) }
        static func bool(_ value: Bool) -> Expectation { .value(.bool(value)) }
        static func datetime(_ value: String) -> Expectation { .value(.datetime(value)) }
    }

    /// One expectation about a parsed document, optionally with the node's position.
    struct Check: Sendable {
        var path: [PathStep]
        var expect: Expectation
        var line: Int?
        var column: Int?
    }

    static func at(_ path: [PathStep], _ expect: Expectation, _ line: Int? = nil, _ column: Int? = nil) -> Check {
        Check(path: path, expect: expect, line: line, column: column)
    }

    /// A document that must parse, and what must be in it.
    struct Valid: Sendable, CustomStringConvertible {
        var name: String
        var toml: String
        var checks: [Check]
        var description: String { name }
    }

    /// A document that must be rejected, with where and (a fragment of) why.
    struct Invalid: Sendable, CustomStringConvertible {
        var name: String
        var toml: String
        var line: Int
        var column: Int
        var message: String
        var description: String { name }
    }

    static let config = """
        [daemon]
        database = "var/tidings.db"
        socket = "var/tidingsd.sock"
        [fetch]
        allow_private_networks = false   # comment
        interval = "15m"
        [[sources]]
        url = "https://example.org/feed.xml"
        interval = "15m"
        [[sources]]
        url = "file:share/demo/feed.xml"
        name = "demo"
        [plugins.events]
        dictionaries = "DIR"
        [[plugins.exec]]
        name = "keywords"
        command = ["/path/to/program", "arg"]
        timeout = "5s"

        """

    static let valid: [Valid] = [
        Valid(
            name: "the daemon's config shape", toml: config,
            checks: [
                at([], .keys(["daemon", "fetch", "sources", "plugins"]), 1, 1),
                at(["daemon"], .keys(["database", "socket"]), 1, 1),
                at(["daemon"], .tableAt(1, 1)),
                at(["daemon", "database"], .string("var/tidings.db"), 2, 1),
                at(["daemon", "socket"], .string("var/tidingsd.sock"), 3, 1),
                at(["fetch"], .keys(["allow_private_networks", "interval"]), 4, 1),
                at(["fetch", "allow_private_networks"], .bool(false), 5, 1),
                at(["fetch", "interval"], .string("15m"), 6, 1),
                at(["sources"], .count(2), 7, 1),
                at(["sources", 0], .keys(["url", "interval"]), 7, 1),
                at(["sources", 0, "url"], .string("https://example.org/feed.xml"), 8, 1),
                at(["sources", 0, "interval"], .string("15m"), 9, 1),
                at(["sources", 1], .tableAt(10, 1), 10, 1),
                at(["sources", 1, "url"], .string("file:share/demo/feed.xml"), 11, 1),
                at(["sources", 1, "name"], .string("demo"), 12, 1),
                at(["plugins"], .keys(["events", "exec"]), 13, 1),
                at(["plugins", "events"], .keys(["dictionaries"]), 13, 1),
                at(["plugins", "events", "dictionaries"], .string("DIR"), 14, 1),
                at(["plugins", "exec"], .count(1), 15, 1),
                at(["plugins", "exec", 0], .keys(["name", "command", "timeout"]), 15, 1),
                at(["plugins", "exec", 0, "name"], .string("keywords"), 16, 1),
                at(["plugins", "exec", 0, "command"], .count(2), 17, 1),
                at(["plugins", "exec", 0, "command", 0], .string("/path/to/program"), 17, 12),
                at(["plugins", "exec", 0, "command", 1], .string("arg"), 17, 32),
                at(["plugins", "exec", 0, "timeout"], .string("5s"), 18, 1),
            ]),
        Valid(
            name: "empty document", toml: "",
            checks: [at([], .keys([]), 1, 1)]),
        Valid(
            name: "comments and blank lines only", toml: "# one\n\n   # two\t\u{e9}\n",
            checks: [at([], .keys([]))]),
        Valid(
            name: "comments, blank lines and indentation", toml: "# header\n\n  a = 1 # trailing\n\tb = 2\n",
            checks: [at(["a"], .integer(1), 3, 3), at(["b"], .integer(2), 4, 2)]),
        Valid(
            name: "bare, quoted, literal, empty and numeric keys",
            toml: "bare_key-1 = 1\n\"quoted key\" = 2\n'lit.eral' = 3\n\"\" = 4\n1234 = 5\n\"\\u00e9\" = 6\n",
            checks: [
                at([], .keys(["bare_key-1", "quoted key", "lit.eral", "", "1234", "\u{e9}"])),
                at(["quoted key"], .integer(2), 2, 1),
                at(["lit.eral"], .integer(3), 3, 1),
                at([""], .integer(4), 4, 1),
                at(["\u{e9}"], .integer(6), 6, 1),
            ]),
        Valid(
            name: "dotted keys with spaces; intermediate tables take the key's position",
            toml: "x = 0\n  site . \"google.com\" . up = true\nsite.other = 1\n",
            checks: [
                at(["site"], .keys(["google.com", "other"]), 2, 3),
                at(["site"], .tableAt(2, 3)),
                at(["site", "google.com"], .keys(["up"]), 2, 3),
                at(["site", "google.com", "up"], .bool(true), 2, 3),
                at(["site", "other"], .integer(1), 3, 1),
            ]),
        Valid(
            name: "a number-like dotted key is two keys", toml: "3.14159 = \"pi\"\n",
            checks: [at(["3", "14159"], .string("pi"), 1, 1)]),
        Valid(
            name: "basic string escapes",
            toml: #"s = "tab\t nl\n q\" bs\\ b\b f\f r\r e\u00E9 smile\U0001F600 z\u0000""#,
            checks: [at(["s"], .string("tab\t nl\n q\" bs\\ b\u{8} f\u{c} r\r e\u{e9} smile\u{1F600} z\u{0}"), 1, 1)]),
        Valid(
            name: "literal strings keep backslashes",
            toml: #"p = 'C:\Users\nodejs\templates'"# + "\nq = '<\\i\\c*\\s*>'",
            checks: [at(["p"], .string(#"C:\Users\nodejs\templates"#)), at(["q"], .string(#"<\i\c*\s*>"#), 2, 1)]),
        Valid(
            name: "multi-line basic string trims the first newline and reads CRLF as LF",
            toml: "s = \"\"\"\r\nRoses are red\r\n\tViolets are blue\"\"\"\nt = 1\n",
            checks: [at(["s"], .string("Roses are red\n\tViolets are blue"), 1, 1), at(["t"], .integer(1), 4, 1)]),
        Valid(
            name: "line-ending backslash joins lines",
            toml: "s = \"\"\"\nThe quick brown \\\n\n\n  fox jumps \\   \n    over.\"\"\"\nnext = 2\n",
            checks: [at(["s"], .string("The quick brown fox jumps over.")), at(["next"], .integer(2), 7, 1)]),
        Valid(
            name: "quotes inside and right before the end of multi-line strings",
            toml: #"""
                a = """Here are two quotation marks: "". Simple enough."""
                b = """Here are three quotation marks: ""\"."""
                c = """"This," she said, "is just a pointless statement.""""
                d = '''Here are fifteen quotation marks: """""""""""""""'''
                e = ''''That,' she said, 'is still pointless.''''
                """#,
            checks: [
                at(["a"], .string(#"Here are two quotation marks: "". Simple enough."#)),
                at(["b"], .string(#"Here are three quotation marks: """."#)),
                at(["c"], .string(#""This," she said, "is just a pointless statement.""#)),
                at(["d"], .string("Here are fifteen quotation marks: " + String(repeating: "\"", count: 15))),
                at(["e"], .string(#"'That,' she said, 'is still pointless.'"#), 5, 1),
            ]),
        Valid(
            name: "multi-line literal string", toml: "re = '''\nI [dw]on't need \\d{2} apples\n'''\n",
            checks: [at(["re"], .string("I [dw]on't need \\d{2} apples\n"))]),
        Valid(
            name: "integers in every base, with signs and underscores",
            toml: """
                a = +99
                b = -17
                c = 0
                d = 5_349_221
                e = 0xDEAD_beef
                f = 0o755
                g = 0b1101_0110
                h = -9223372036854775808
                i = 9223372036854775807
                j = 0x7FFFFFFFFFFFFFFF
                k = -0
                """,
            checks: [
                at(["a"], .integer(99)), at(["b"], .integer(-17)), at(["c"], .integer(0)),
                at(["d"], .integer(5_349_221)), at(["e"], .integer(0xDEAD_BEEF)), at(["f"], .integer(0o755)),
                at(["g"], .integer(0b1101_0110)), at(["h"], .integer(Int64.min)), at(["i"], .integer(Int64.max)),
                at(["j"], .integer(Int64.max)), at(["k"], .integer(0), 11, 1),
            ]),
        Valid(
            name: "floats: fractions, exponents, underscores, inf and nan",
            toml: """
                a = +1.0
                b = 3.1415
                c = -0.01
                d = 5e+22
                e = 1e06
                f = -2E-2
                g = 6.626e-34
                h = 224_617.445_991_228
                i = inf
                j = +inf
                k = -inf
                l = nan
                m = -nan
                n = 0e0
                o = 1e1_0
                """,
            checks: [
                at(["a"], .float(1)), at(["b"], .float(3.1415)), at(["c"], .float(-0.01)), at(["d"], .float(5e22)),
                at(["e"], .float(1e6)), at(["f"], .float(-0.02)), at(["g"], .float(6.626e-34)),
                at(["h"], .float(224_617.445_991_228)), at(["i"], .float(.infinity)), at(["j"], .float(.infinity)),
                at(["k"], .float(-.infinity)), at(["l"], .nan), at(["m"], .nan), at(["n"], .float(0)),
                at(["o"], .float(1e10), 15, 1),
            ]),
        Valid(
            name: "booleans", toml: "t = true\nf = false # no\n",
            checks: [at(["t"], .bool(true), 1, 1), at(["f"], .bool(false), 2, 1)]),
        Valid(
            name: "offset date-times keep their text",
            toml: """
                a = 1979-05-27T07:32:00Z
                b = 1979-05-27T00:32:00-07:00
                c = 1979-05-27T00:32:00.999999+05:30
                d = 1979-05-27 07:32:00z
                e = 1979-05-27t07:32:00Z # comment
                """,
            checks: [
                at(["a"], .datetime("1979-05-27T07:32:00Z")), at(["b"], .datetime("1979-05-27T00:32:00-07:00")),
                at(["c"], .datetime("1979-05-27T00:32:00.999999+05:30")),
                at(["d"], .datetime("1979-05-27 07:32:00z")), at(["e"], .datetime("1979-05-27t07:32:00Z"), 5, 1),
            ]),
        Valid(
            name: "local date-times, dates and times",
            toml: """
                a = 1979-05-27T07:32:00
                b = 1979-05-27T00:32:00.999999
                c = 1979-05-27
                d = 07:32:00
                e = 00:32:00.999999
                f = 2024-02-29
                g = 2000-02-29 # a leap year
                h = 1990-12-31T23:59:60Z
                i = [1979-05-27, 07:32:00]
                """,
            checks: [
                at(["a"], .datetime("1979-05-27T07:32:00")), at(["b"], .datetime("1979-05-27T00:32:00.999999")),
                at(["c"], .datetime("1979-05-27")), at(["d"], .datetime("07:32:00")),
                at(["e"], .datetime("00:32:00.999999")), at(["f"], .datetime("2024-02-29")),
                at(["g"], .datetime("2000-02-29")), at(["h"], .datetime("1990-12-31T23:59:60Z")),
                at(["i", 1], .datetime("07:32:00"), 9, 18),
            ]),
        Valid(
            name: "arrays: mixed types, nesting, element positions",
            toml: "a = [1, 'two', 3.0, [4, [5]], {six = 6}, true]\nb = []\n",
            checks: [
                at(["a"], .count(6), 1, 1),
                at(["a", 0], .integer(1), 1, 6),
                at(["a", 1], .string("two"), 1, 9),
                at(["a", 2], .float(3), 1, 16),
                at(["a", 3, 1, 0], .integer(5), 1, 26),
                at(["a", 4], .tableAt(1, 31), 1, 31),
                at(["a", 4, "six"], .integer(6), 1, 32),
                at(["a", 5], .bool(true), 1, 42),
                at(["b"], .count(0), 2, 1),
            ]),
        Valid(
            name: "multi-line array with comments and a trailing comma",
            toml: "ports = [ # opening\n  8000,\n\n  8001, # second\n  8002,\n]\nafter = 1\n",
            checks: [
                at(["ports"], .count(3), 1, 1),
                at(["ports", 0], .integer(8000), 2, 3),
                at(["ports", 2], .integer(8002), 5, 3),
                at(["after"], .integer(1), 7, 1),
            ]),
        Valid(
            name: "inline tables: the node is at the key, the table at its brace",
            toml: "name = { first = \"Tom\", last = \"Preston-Werner\" }\nanimal = {type.name = \"pug\"}\ne = {}\n",
            checks: [
                at(["name"], .keys(["first", "last"]), 1, 1),
                at(["name"], .tableAt(1, 8)),
                at(["name", "last"], .string("Preston-Werner"), 1, 25),
                at(["animal", "type", "name"], .string("pug"), 2, 11),
                at(["e"], .keys([]), 3, 1),
            ]),
        Valid(
            name: "inline table with a multi-line array value",
            toml: "t = { a = [\n  1,\n  2], b = 'x' }\nz = 0\n",
            checks: [
                at(["t", "a", 1], .integer(2), 3, 3), at(["t", "b"], .string("x"), 3, 7), at(["z"], .integer(0), 4, 1),
            ]),
        Valid(
            name: "array of inline tables",
            toml: "points = [ { x = 1, y = 2 },\n           { x = 7, y = 8 } ]\n",
            checks: [at(["points", 1], .tableAt(2, 12), 2, 12), at(["points", 1, "y"], .integer(8), 2, 21)]),
        Valid(
            name: "a super-table may be defined after its sub-table",
            toml: "[x.y.z.w]\na = 1\n\n[x]\nb = 2\n",
            checks: [
                at(["x"], .keys(["y", "b"]), 4, 1),
                at(["x"], .tableAt(4, 1)),
                at(["x", "y"], .tableAt(1, 1), 1, 1),
                at(["x", "y", "z", "w", "a"], .integer(1), 2, 1),
                at(["x", "b"], .integer(2), 5, 1),
            ]),
        Valid(
            name: "headers with spaces and quoted segments",
            toml: "[ a . \"b.c\" . 'd' ]\nk = 1\n[\"\"]\nempty = true\n",
            checks: [
                at(["a", "b.c", "d", "k"], .integer(1), 2, 1), at([""], .tableAt(3, 1)), at(["", "empty"], .bool(true)),
            ]),
        Valid(
            name: "nested arrays of tables with sub-tables",
            toml: """
                [[fruits]]
                name = "apple"

                [fruits.physical]
                color = "red"

                [[fruits.varieties]]
                name = "red delicious"

                [[fruits.varieties]]
                name = "granny smith"

                [[fruits]]
                name = "banana"

                [[fruits.varieties]]
                name = "plantain"
                """,
            checks: [
                at(["fruits"], .count(2), 1, 1),
                at(["fruits", 0], .keys(["name", "physical", "varieties"]), 1, 1),
                at(["fruits", 0, "physical", "color"], .string("red"), 5, 1),
                at(["fruits", 0, "varieties"], .count(2), 7, 1),
                at(["fruits", 0, "varieties", 1], .tableAt(10, 1), 10, 1),
                at(["fruits", 0, "varieties", 1, "name"], .string("granny smith"), 11, 1),
                at(["fruits", 1], .tableAt(13, 1), 13, 1),
                at(["fruits", 1, "varieties", 0, "name"], .string("plantain"), 17, 1),
            ]),
        Valid(
            name: "sub-table header inside a table made by dotted keys",
            toml: "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n\n[fruit.apple.texture]\nsmooth = true\n",
            checks: [
                at(["fruit", "apple"], .keys(["color", "taste", "texture"]), 2, 1),
                at(["fruit", "apple", "taste", "sweet"], .bool(true), 3, 1),
                at(["fruit", "apple", "texture"], .tableAt(5, 1), 5, 1),
                at(["fruit", "apple", "texture", "smooth"], .bool(true), 6, 1),
            ]),
        Valid(
            name: "byte-order mark is skipped", toml: "\u{FEFF}a = 1\nb = 2",
            checks: [at(["a"], .integer(1), 1, 1), at(["b"], .integer(2), 2, 1)]),
        Valid(
            name: "CRLF line ends", toml: "a = 1\r\n[t]\r\nb = 'x' # c\r\n",
            checks: [at(["a"], .integer(1), 1, 1), at(["t"], .tableAt(2, 1)), at(["t", "b"], .string("x"), 3, 1)]),
        Valid(
            name: "columns count Unicode scalars, not bytes",
            toml: "\"\u{43A}\u{43B}\u{44E}\u{447}\" = \"\u{e9}\"\nx = [\"\u{e9}\", \"\u{fc}\"] # \u{1F600}\n",
            checks: [
                at(["\u{43A}\u{43B}\u{44E}\u{447}"], .string("\u{e9}"), 1, 1),
                at(["x", 1], .string("\u{fc}"), 2, 11),
            ]),
        Valid(
            name: "keys keep document order", toml: "z = 1\ny = 2\nx = 3\n[b]\n[a]\n",
            checks: [at([], .keys(["z", "y", "x", "b", "a"]))]),
        Valid(
            name: "tabs are allowed in strings and comments", toml: "s = \"a\tb\"\nl = 'c\td' #\tcomment\n",
            checks: [at(["s"], .string("a\tb")), at(["l"], .string("c\td"))]),
    ]

    static let invalid: [Invalid] = [
        Invalid(
            name: "missing '='", toml: "[fetch]\na = 1\n\ninterval 15m\n", line: 4, column: 10,
            message: "expected '=' after key \"interval\""),
        Invalid(
            name: "table defined twice", toml: "[daemon]\na = 1\n\n[fetch]\nb = 2\n\n[daemon]\n", line: 7, column: 1,
            message: "table [daemon] is defined twice (first at line 1)"),
        Invalid(
            name: "key defined twice", toml: "a = 1\n  a = 2\n", line: 2, column: 3,
            message: "key \"a\" is defined twice (first at line 1)"),
        Invalid(
            name: "quoted and bare spelling of the same key", toml: "spelling = 1\n\"spelling\" = 2\n",
            line: 2, column: 1,
            message: "key \"spelling\" is defined twice"),
        Invalid(
            name: "dotted key through a value", toml: "a = 1\na.b = 2\n", line: 2, column: 1,
            message: "cannot define key \"a.b\": key \"a\" is already an integer (line 1)"),
        Invalid(
            name: "value over a table made by dotted keys", toml: "a.b = 1\na = 2\n", line: 2, column: 1,
            message: "key \"a\" is already defined as table [a] (line 1)"),
        Invalid(
            name: "[[ ]] appending to a static array", toml: "a = [1]\n[[a]]\n", line: 2, column: 1,
            message: "cannot append to static array \"a\" (line 1) with [[a]]"),
        Invalid(
            name: "extending an inline table with a dotted key", toml: "a = {b = 1}\na.c = 2\n", line: 2, column: 1,
            message: "inline table (line 1), which cannot be extended"),
        Invalid(
            name: "extending an inline table with a header", toml: "a = {}\n[a.b]\n", line: 2, column: 1,
            message: "cannot define table [a.b]: key \"a\" is already an inline table"),
        Invalid(
            name: "redefining an inline table with a header", toml: "a = {}\n[a]\n", line: 2, column: 1,
            message: "cannot define table [a]"),
        Invalid(
            name: "header over a table made by dotted keys",
            toml: "[fruit]\napple.color = 'red'\n[fruit.apple]\n", line: 3, column: 1,
            message: "table [fruit.apple] is already defined by dotted keys (line 2)"),
        Invalid(
            name: "dotted key into a header table", toml: "[a.b]\nx = 1\n[a]\nb.y = 2\n", line: 4, column: 1,
            message: "table [a.b] was already created by a [table] header (line 1)"),
        Invalid(
            name: "table after array of tables", toml: "[[a]]\n[a]\n", line: 2, column: 1,
            message: "table [a] conflicts with array of tables [[a]] (first at line 1)"),
        Invalid(
            name: "array of tables after table", toml: "[a]\n[[a]]\n", line: 2, column: 1,
            message: "array of tables [[a]] conflicts with table [a] (line 1)"),
        Invalid(
            name: "header over a value", toml: "a = 1\n[a]\n", line: 2, column: 1,
            message: "cannot define table [a]: key \"a\" is already an integer (line 1)"),
        Invalid(
            name: "value over a sub-table", toml: "[a.b]\n[a]\nb = 1\n", line: 3, column: 1,
            message: "key \"b\" is already defined as table [a.b] (line 1)"),
        Invalid(
            name: "super-table defined twice after its sub-table", toml: "[x.y]\n[x]\n[x]\n", line: 3, column: 1,
            message: "table [x] is defined twice (first at line 2)"),
        Invalid(
            name: "unterminated string", toml: "a = \"abc", line: 1, column: 5, message: "unterminated string"),
        Invalid(
            name: "newline in a basic string", toml: "a = \"ab\nc\"\n", line: 1, column: 5,
            message: "must end on the line it starts"),
        Invalid(
            name: "newline in a literal string", toml: "a = 'ab\nc'\n", line: 1, column: 5,
            message: "unterminated literal string"),
        Invalid(
            name: "unterminated multi-line string", toml: "x = 1\na = \"\"\"abc\n\ndef", line: 2, column: 5,
            message: "unterminated multi-line string"),
        Invalid(
            name: "invalid escape", toml: #"a = "x\qy""#, line: 1, column: 7,
            message: #"invalid escape sequence "\q""#),
        Invalid(
            name: "surrogate escape", toml: #"a = "\uD800""#, line: 1, column: 6,
            message: #"escape \uD800 is not a Unicode scalar value"#),
        Invalid(
            name: "escape beyond U+10FFFF", toml: #"a = "\U00110000""#, line: 1, column: 6,
            message: "is not a Unicode scalar value (U+110000 is beyond U+10FFFF)"),
        Invalid(
            name: "short unicode escape", toml: #"a = "\u12""#, line: 1, column: 6,
            message: #"escape \u needs 4 hexadecimal digits"#),
        Invalid(
            name: "control character in a string", toml: "a = \"a\u{1}b\"", line: 1, column: 7,
            message: "control character U+0001 is not allowed in a string"),
        Invalid(
            name: "DEL in a comment", toml: "# a\u{7F}\n", line: 1, column: 4,
            message: "control character U+007F is not allowed in a comment"),
        Invalid(
            name: "lone carriage return", toml: "a = 1\rb = 2", line: 1, column: 6,
            message: "carriage return (U+000D) must be followed by a line feed"),
        Invalid(
            name: "leading zero", toml: "a = 012", line: 1, column: 5,
            message: "invalid number \"012\": leading zeros are not allowed"),
        Invalid(
            name: "double underscore", toml: "a = 1__2", line: 1, column: 5,
            message: "an underscore must be between two digits"),
        Invalid(
            name: "trailing underscore", toml: "a = 1_", line: 1, column: 5,
            message: "an underscore must be between two digits"),
        Invalid(
            name: "float without fraction digits", toml: "a = 1.", line: 1, column: 5,
            message: "a decimal point must be followed by digits"),
        Invalid(
            name: "float starting with a point", toml: "a = .5", line: 1, column: 5,
            message: "expected a value, found '.'"),
        Invalid(
            name: "exponent without digits", toml: "a = 1e+", line: 1, column: 5,
            message: "an exponent must have digits"),
        Invalid(
            name: "integer overflow", toml: "a = 9223372036854775808", line: 1, column: 5, message: "out of range"),
        Invalid(
            name: "float overflow", toml: "a = 1e400", line: 1, column: 5,
            message: "invalid number \"1e400\": out of range for a 64-bit float"),
        Invalid(
            name: "hex overflow", toml: "a = 0x8000000000000000", line: 1, column: 5, message: "out of range"),
        Invalid(
            name: "signed hex", toml: "a = +0x1F", line: 1, column: 5, message: "only decimal numbers may have a sign"),
        Invalid(
            name: "octal digit out of range", toml: "a = 0o78", line: 1, column: 5,
            message: "'8' is not an octal digit"),
        Invalid(
            name: "unquoted duration", toml: "[fetch]\ninterval = 15m\n", line: 2, column: 12,
            message: "invalid value \"15m\" (text must be in quotes)"),
        Invalid(
            name: "unquoted word", toml: "name = demo", line: 1, column: 8,
            message: "invalid value \"demo\" (text must be in quotes)"),
        Invalid(
            name: "capitalised boolean", toml: "b = True", line: 1, column: 5, message: "invalid value \"True\""),
        Invalid(
            name: "boolean followed by letters", toml: "b = truely", line: 1, column: 5,
            message: "booleans are true or false"),
        Invalid(
            name: "month out of range", toml: "d = 2023-13-01", line: 1, column: 5,
            message: "invalid date \"2023-13-01\": month must be 01 to 12"),
        Invalid(
            name: "February 29th in a common year", toml: "d = 2023-02-29", line: 1, column: 5,
            message: "day must be 01 to 28"),
        Invalid(
            name: "hour out of range", toml: "t = 24:00:00", line: 1, column: 5, message: "hour must be 00 to 23"),
        Invalid(
            name: "time without seconds", toml: "t = 1979-05-27T07:32Z", line: 1, column: 5,
            message: "expected seconds"),
        Invalid(
            name: "malformed offset", toml: "t = 1979-05-27T07:32:00+7:00", line: 1, column: 5,
            message: "expected a time offset like +01:00"),
        Invalid(
            name: "offset on a local time", toml: "t = 07:32:00Z", line: 1, column: 5,
            message: "invalid time \"07:32:00Z\": unexpected 'Z'"),
        Invalid(
            name: "array without comma", toml: "a = [1 2]", line: 1, column: 8,
            message: "expected ',' or ']' after array element, found '2'"),
        Invalid(
            name: "unterminated array", toml: "a = [1,\n2", line: 2, column: 2,
            message: "unterminated array (opened at line 1, column 5)"),
        Invalid(
            name: "empty array element", toml: "a = [1,,2]", line: 1, column: 8,
            message: "expected a value, found ','"),
        Invalid(
            name: "newline in an inline table", toml: "a = {b = 1,\nc = 2}", line: 1, column: 12,
            message: "must be closed with '}' on the same line, found end of line"),
        Invalid(
            name: "trailing comma in an inline table", toml: "a = {b = 1,}", line: 1, column: 12,
            message: "trailing comma is not allowed in an inline table"),
        Invalid(
            name: "duplicate key in an inline table", toml: "a = {b = 1, b = 2}", line: 1, column: 13,
            message: "key \"b\" is defined twice (first at line 1)"),
        Invalid(
            name: "missing value at end of file", toml: "a =", line: 1, column: 4,
            message: "expected a value, found end of file"),
        Invalid(
            name: "missing value before a comment", toml: "a = # nothing\n", line: 1, column: 5,
            message: "expected a value, found '#'"),
        Invalid(
            name: "two pairs on one line", toml: "a = 1 b = 2", line: 1, column: 7,
            message: "expected end of line after value, found 'b'"),
        Invalid(
            name: "text after a header", toml: "[a] b = 1", line: 1, column: 5,
            message: "expected end of line after table header [a], found 'b'"),
        Invalid(
            name: "empty header", toml: "[]", line: 1, column: 2, message: "expected a table name, found ']'"),
        Invalid(
            name: "unclosed header", toml: "[a\nb = 1", line: 1, column: 3,
            message: "expected ']' to close table header [a], found end of line"),
        Invalid(
            name: "half-closed array of tables header", toml: "[[a]\n", line: 1, column: 5,
            message: "expected ']]' to close table header [[a]]"),
        Invalid(
            name: "invalid character in a bare key", toml: "a$ = 1", line: 1, column: 2,
            message: "expected '=' after key \"a\""),
        Invalid(
            name: "nothing after a dot in a key", toml: "a. = 1", line: 1, column: 4,
            message: "expected a key after '.', found '='"),
        Invalid(
            name: "multi-line string as a key", toml: "\"\"\"k\"\"\" = 1", line: 1, column: 1,
            message: "a key cannot be a multi-line string"),
        Invalid(
            name: "columns in errors count Unicode scalars", toml: "\"\u{e9}\u{e9}\" = 1 2", line: 1, column: 10,
            message: "expected end of line after value, found '2'"),
        Invalid(
            name: "nesting too deep", toml: "a = " + String(repeating: "[", count: 200), line: 1, column: 133,
            message: "arrays are nested too deeply"),
    ]

    /// Follows `path` from the root; nil when a step does not exist.
    static func resolve(_ path: [PathStep], in root: TOMLTable) -> TOMLNode? {
        var node = TOMLNode(value: .table(root), position: root.position)
        for step in path {
            switch (step, node.value) {
            case (.key(let key), .table(let table)):
                guard let next = table[key] else { return nil }
                node = next
            case (.index(let index), .array(let elements)):
                guard elements.indices.contains(index) else { return nil }
                node = elements[index]
            default:
                return nil
            }
        }
        return node
    }

    /// Everything about `valid` that does not match its checks; empty when all is well.
    static func problems(_ valid: Valid) -> [String] {
        let root: TOMLTable
        do {
            root = try TOMLParser.parse(valid.toml)
        } catch {
            return ["unexpected error: \(error)"]
        }
        var found: [String] = []
        for check in valid.checks {
            let path = check.path.map(\.description).joined()
            guard let node = resolve(check.path, in: root) else {
                found.append("\(path): missing")
                continue
            }
            switch check.expect {
            case .value(let value):
                if node.value != value { found.append("\(path): expected \(value), got \(node.value)") }
            case .nan:
                if case .float(let number) = node.value, number.isNaN {} else {
                    found.append("\(path): expected nan, got \(node.value)")
                }
            case .keys(let keys):
                if case .table(let table) = node.value, table.keys == keys {} else {
                    found.append("\(path): expected a table with keys \(keys), got \(node.value)")
                }
            case .count(let count):
                if case .array(let elements) = node.value, elements.count == count {} else {
                    found.append("\(path): expected an array of \(count), got \(node.value)")
                }
            case .tableAt(let line, let column):
                if case .table(let table) = node.value, table.position == TOMLPosition(line: line, column: column) {
                } else {
                    found.append("\(path): expected a table at \(line):\(column), got \(node.value)")
                }
            }
            if let line = check.line, node.position.line != line {
                found.append("\(path): expected line \(line), got \(node.position.line)")
            }
            if let column = check.column, node.position.column != column {
                found.append("\(path): expected column \(column), got \(node.position.column)")
            }
        }
        return found
    }
}

// MARK: - Tests

@Suite("TOML parser")
struct TOMLParserTests {
    @Test("valid documents give the expected values and positions", arguments: TOMLCases.valid)
    func validDocument(_ valid: TOMLCases.Valid) {
        let problems = TOMLCases.problems(valid)
        #expect(problems.isEmpty, "\(valid.name): \(problems.joined(separator: "; "))")
    }

    @Test("invalid documents are rejected with a precise line, column and message", arguments: TOMLCases.invalid)
    func invalidDocument(_ invalid: TOMLCases.Invalid) {
        do {
            let table = try TOMLParser.parse(invalid.toml)
            Issue.record("\(invalid.name): parsed, but should fail; keys \(table.keys)")
        } catch {
            #expect(error.line == invalid.line, "\(invalid.name): \(error)")
            #expect(error.column == invalid.column, "\(invalid.name): \(error)")
            #expect(error.message.contains(invalid.message), "\(invalid.name): \(error)")
        }
    }

    @Test("errors describe themselves as line, column and message")
    func errorDescription() {
        #expect(throws: TOMLParseError(line: 2, column: 10, message: "expected '=' after key \"interval\"")) {
            try TOMLParser.parse("[fetch]\ninterval 15m\n")
        }
        let error = TOMLParseError(line: 7, column: 1, message: "table [daemon] is defined twice (first at line 1)")
        #expect(error.description == "line 7, column 1: table [daemon] is defined twice (first at line 1)")
    }

    @Test("type names")
    func typeNames() {
        let values: [(TOMLValue, String)] = [
            (.string("s"), "string"), (.integer(1), "integer"), (.float(1), "float"), (.bool(true), "boolean"),
            (.datetime("07:32:00"), "datetime"), (.array([]), "array"),
            (.table(TOMLTable(position: TOMLPosition(line: 1, column: 1))), "table"),
        ]
        for (value, name) in values {
            #expect(value.typeName == name)
        }
    }

    @Test("TOMLTable keeps insertion order and replaces in place")
    func tableOrder() {
        let origin = TOMLPosition(line: 1, column: 1)
        var table = TOMLTable(position: origin)
        table.set("b", TOMLNode(value: .integer(1), position: origin))
        table.set("a", TOMLNode(value: .integer(2), position: origin))
        table.set("b", TOMLNode(value: .integer(3), position: TOMLPosition(line: 2, column: 1)))
        #expect(table.keys == ["b", "a"])
        #expect(table["b"]?.value == .integer(3))
        #expect(table["b"]?.position.line == 2)
        #expect(table["missing"] == nil)
    }

    @Test("large documents parse with correct positions")
    func largeDocument() throws {
        var text = ""
        for index in 0..<5000 {
            text += "[[sources]]\nurl = \"https://example.org/\(index).xml\"\ninterval = \"15m\"\n"
        }
        text += "long = [" + (0..<50_000).map(String.init).joined(separator: ", ") + "]\n"
        let root = try TOMLParser.parse(text)
        guard case .array(let sources)? = root["sources"]?.value else {
            Issue.record("sources is not an array")
            return
        }
        #expect(sources.count == 5000)
        #expect(sources.last?.position.line == 14_998)
        guard case .array(let long)? = sources.last.flatMap({ node -> TOMLValue? in
            if case .table(let table) = node.value { return table["long"]?.value }
            return nil
        }) else {
            Issue.record("long is not an array in the last source")
            return
        }
        #expect(long.count == 50_000)
        #expect(long.last?.value == .integer(49_999))
        #expect(long.last?.position == TOMLPosition(line: 15_001, column: 338_892))
    }
}
