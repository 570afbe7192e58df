/// How a table came to exist, which decides what may still be added to it.
enum TOMLTableOrigin {
    /// Only named on the way to a deeper header (`a` in `[a.b]`); may be defined later.
    case implicit
    /// Defined by a `[header]` (the root counts as one).
    case header
    /// Created by a dotted key (`a` in `a.b = 1`); only headers may add sub-tables to it.
    case dotted
    /// One element of an array of tables, opened by `[[header]]`.
    case arrayElement
    /// The `{ ... }` of an inline table; complete once its `}` is read.
    case inline
}

/// A table under construction. A class, so that headers can reach deep into the tree and
/// keep adding to the table they opened.
final class TOMLTableBuilder {
    enum Entry {
        case value(TOMLNode)
        case table(TOMLTableBuilder)
        case tables(TOMLTableArrayBuilder)
    }

    /// The table's path for messages, e.g. `plugins.events`.
    let name: String
    var origin: TOMLTableOrigin
    var position: TOMLPosition
    let depth: Int
    private(set) var order: [String] = []
    private(set) var entries: [String: Entry] = [:]

    init(name: String, origin: TOMLTableOrigin, position: TOMLPosition, depth: Int = 0) {
        self.name = name
        self.origin = origin
        self.position = position
        self.depth = depth
    }

    func add(_ key: String, _ entry: Entry) {
        if entries.updateValue(entry, forKey: key) == nil { order.append(key) }
    }

    func childName(_ key: String) -> String {
        name.isEmpty ? Self.displayName([key]) : name + "." + Self.displayName([key])
    }

    func build() -> TOMLTable {
        var table = TOMLTable(position: position)
        for key in order {
            guard let entry = entries[key] else { continue }
            switch entry {
            case .value(let node):
                table.set(key, node)
            case .table(let child):
                table.set(key, TOMLNode(value: .table(child.build()), position: child.position))
            case .tables(let array):
                let elements = array.elements.map { TOMLNode(value: .table($0.build()), position: $0.position) }
                table.set(key, TOMLNode(value: .array(elements), position: array.position))
            }
        }
        return table
    }

    /// A key path as TOML would write it: bare segments as they are, others quoted.
    static func displayName(_ segments: [String]) -> String {
        segments.map { segment in
            if !segment.isEmpty && segment.utf8.allSatisfy(TOMLByte.isBare) { return segment }
            var quoted = "\""
            for scalar in segment.unicodeScalars {
                switch scalar {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                case "\n": quoted += "\\n"
                case "\t": quoted += "\\t"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        let hex = String(scalar.value, radix: 16, uppercase: true)
                        quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        quoted.unicodeScalars.append(scalar)
                    }
                }
            }
            return quoted + "\""
        }.joined(separator: ".")
    }

    /// `"interval"` for bare keys; `a."b c"` when a segment needs quotes of its own.
    static func keyPhrase(_ segments: [String]) -> String {
        let shown = displayName(segments)
        return shown.contains("\"") ? shown : "\"" + shown + "\""
    }

    /// What an existing plain value is, for messages: `a string (line 3)`.
    static func describe(_ node: TOMLNode) -> String {
        let kind: String
        switch node.value {
        case .table: return "an inline table (line \(node.position.line)), which cannot be extended"
        case .array: kind = "an array"
        case .integer: kind = "an integer"
        default: kind = "a " + node.value.typeName
        }
        return "\(kind) (line \(node.position.line))"
    }
}

/// An array of tables under construction: one element per `[[header]]`.
final class TOMLTableArrayBuilder {
    let position: TOMLPosition
    var elements: [TOMLTableBuilder] = []

    init(position: TOMLPosition) {
        self.position = position
    }
}

extension TOMLScanner {
    /// A new table under `parent`, or nil when tables are already nested too deeply.
    func makeChild(
        of parent: TOMLTableBuilder, key: String, origin: TOMLTableOrigin, position: TOMLPosition
    ) -> TOMLTableBuilder? {
        guard parent.depth < Self.maxDepth else { return nil }
        return TOMLTableBuilder(
            name: parent.childName(key), origin: origin, position: position, depth: parent.depth + 1)
    }

    /// Stores a key/value pair, creating the tables of a dotted key on the way.
    mutating func insert(
        _ segments: [TOMLKeySegment], _ node: TOMLNode, into root: TOMLTableBuilder
    ) throws(TOMLParseError) {
        let names = segments.map(\.name)
        let phrase = TOMLTableBuilder.keyPhrase(names)
        let at = segments[0].offset
        var table = root
        for (index, segment) in segments.dropLast().enumerated() {
            switch table.entries[segment.name] {
            case nil:
                guard let child = makeChild(of: table, key: segment.name, origin: .dotted, position: node.position)
                else { throw error("key \(phrase) is nested too deeply", at: segment.offset) }
                table.add(segment.name, .table(child))
                table = child
            case .table(let child) where child.origin == .dotted:
                table = child
            case .table(let child):
                throw error(
                    "cannot add key \(phrase) with a dotted key: table [\(child.name)] was already "
                        + "created by a [table] header (line \(child.position.line))", at: at)
            case .tables(let array):
                throw error(
                    "cannot add key \(phrase) with a dotted key: [[\(table.childName(segment.name))]] "
                        + "is an array of tables (line \(array.position.line))", at: at)
            case .value(let existing):
                let prefix = TOMLTableBuilder.keyPhrase(Array(names[...index]))
                throw error(
                    "cannot define key \(phrase): key \(prefix) is already "
                        + TOMLTableBuilder.describe(existing), at: at)
            }
        }
        let last = names[names.count - 1]
        switch table.entries[last] {
        case nil:
            table.add(last, .value(node))
        case .value(let existing):
            throw error("key \(phrase) is defined twice (first at line \(existing.position.line))", at: at)
        case .table(let child):
            throw error(
                "key \(phrase) is already defined as table [\(child.name)] (line \(child.position.line))", at: at)
        case .tables(let array):
            throw error(
                "key \(phrase) is already defined as array of tables [[\(table.childName(last))]] "
                    + "(line \(array.position.line))", at: at)
        }
    }

    /// Walks the first segments of a header, creating implicit tables; returns the parent of
    /// the table the header names.
    private mutating func walkHeader(
        _ segments: [TOMLKeySegment], shown: String, at position: TOMLPosition, offset: Int,
        root: TOMLTableBuilder
    ) throws(TOMLParseError) -> TOMLTableBuilder {
        var table = root
        for (index, segment) in segments.dropLast().enumerated() {
            switch table.entries[segment.name] {
            case nil:
                guard let child = makeChild(of: table, key: segment.name, origin: .implicit, position: position)
                else { throw error("table \(shown) is nested too deeply", at: offset) }
                table.add(segment.name, .table(child))
                table = child
            case .table(let child):
                table = child
            case .tables(let array):
                table = array.elements[array.elements.count - 1]
            case .value(let existing):
                let prefix = TOMLTableBuilder.keyPhrase(segments[...index].map(\.name))
                throw error(
                    "cannot define table \(shown): key \(prefix) is already "
                        + TOMLTableBuilder.describe(existing), at: offset)
            }
        }
        return table
    }

    /// Opens the table named by a `[header]`.
    mutating func openTable(
        _ segments: [TOMLKeySegment], at position: TOMLPosition, offset: Int, root: TOMLTableBuilder
    ) throws(TOMLParseError) -> TOMLTableBuilder {
        let shown = "[" + TOMLTableBuilder.displayName(segments.map(\.name)) + "]"
        let parent = try walkHeader(segments, shown: shown, at: position, offset: offset, root: root)
        let last = segments[segments.count - 1].name
        switch parent.entries[last] {
        case nil:
            guard let child = makeChild(of: parent, key: last, origin: .header, position: position)
            else { throw error("table \(shown) is nested too deeply", at: offset) }
            parent.add(last, .table(child))
            return child
        case .table(let child):
            switch child.origin {
            case .implicit:
                child.origin = .header
                child.position = position
                return child
            case .dotted:
                throw error(
                    "table \(shown) is already defined by dotted keys (line \(child.position.line))", at: offset)
            case .header, .arrayElement, .inline:
                throw error("table \(shown) is defined twice (first at line \(child.position.line))", at: offset)
            }
        case .tables(let array):
            throw error(
                "table \(shown) conflicts with array of tables [\(shown)] (first at line \(array.position.line))",
                at: offset)
        case .value(let existing):
            throw error(
                "cannot define table \(shown): key \(TOMLTableBuilder.keyPhrase(segments.map(\.name))) is already "
                    + TOMLTableBuilder.describe(existing), at: offset)
        }
    }

    /// Appends a new table to the array named by a `[[header]]`.
    mutating func openArrayTable(
        _ segments: [TOMLKeySegment], at position: TOMLPosition, offset: Int, root: TOMLTableBuilder
    ) throws(TOMLParseError) -> TOMLTableBuilder {
        let name = TOMLTableBuilder.displayName(segments.map(\.name))
        let shown = "[[" + name + "]]"
        let parent = try walkHeader(segments, shown: shown, at: position, offset: offset, root: root)
        let last = segments[segments.count - 1].name
        guard let element = makeChild(of: parent, key: last, origin: .arrayElement, position: position)
        else { throw error("table \(shown) is nested too deeply", at: offset) }
        switch parent.entries[last] {
        case nil:
            let array = TOMLTableArrayBuilder(position: position)
            array.elements.append(element)
            parent.add(last, .tables(array))
        case .tables(let array):
            array.elements.append(element)
        case .table(let child):
            throw error(
                "array of tables \(shown) conflicts with table [\(name)] (line \(child.position.line))", at: offset)
        case .value(let existing):
            let phrase = TOMLTableBuilder.keyPhrase(segments.map(\.name))
            if case .array = existing.value {
                throw error(
                    "cannot append to static array \(phrase) (line \(existing.position.line)) with \(shown)",
                    at: offset)
            }
            throw error(
                "cannot define array of tables \(shown): key \(phrase) is already "
                    + TOMLTableBuilder.describe(existing), at: offset)
        }
        return element
    }
}
