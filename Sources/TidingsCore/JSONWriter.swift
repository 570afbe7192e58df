/// Writes JSON straight into UTF-8 bytes: objects, arrays, keys and strings, with commas placed
/// by nesting depth. (JSONEncoder, then building Strings, were each a fifth of `parse-feed`'s time.)
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// The container being written already holds a value: the next one needs a comma.
    private var needsComma = false
    /// `needsComma` of the enclosing containers.
    private var stack: [Bool] = []

    public init() { bytes.reserveCapacity(1024) }

    public mutating func beginObject() { beginValue(); bytes.append(0x7B); push() }
    public mutating func endObject() { pop(); bytes.append(0x7D) }
    public mutating func beginArray() { beginValue(); bytes.append(0x5B); push() }
    public mutating func endArray() { pop(); bytes.append(0x5D) }
    public mutating func newline() { bytes.append(0x0A) }

    /// `"key":` inside an object; the value written next belongs to it.
    public mutating func key(_ name: StaticString) {
        beginValue()
        bytes.append(0x22)
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x22)
        bytes.append(0x3A)
        // The value that follows needs no comma.
        needsComma = false
    }

    /// A key only known at run time, escaped.
    public mutating func key(_ name: String) {
        string(name)
        bytes.append(0x3A)
        needsComma = false
    }

    /// Text that is already JSON (a number, a literal), written as one value.
    public mutating func raw(_ json: String) {
        beginValue()
        bytes.append(contentsOf: json.utf8)
    }

    /// Bytes that are already one JSON value (an encoded reply), written as they are.
    public mutating func raw(_ json: [UInt8]) {
        beginValue()
        bytes.append(contentsOf: json)
    }

    /// `"key": value` with nil written as null.
    public mutating func field(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    public mutating func null() {
        beginValue()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
    }

    /// A JSON string literal (RFC 8259 escaping; non-ASCII kept as UTF-8).
    public mutating func string(_ text: String) {
        beginValue()
        var text = text
        text.withUTF8 { appendQuoted($0) }
    }

    private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(0x22)
        var runStart = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            runStart = index + 1
            bytes.append(0x5C)
            switch byte {
            case 0x22, 0x5C: bytes.append(byte)
            case 0x0A: bytes.append(0x6E)
            case 0x0D: bytes.append(0x72)
            case 0x09: bytes.append(0x74)
            default:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        bytes.append(0x22)
    }

    private mutating func beginValue() {
        if needsComma { bytes.append(0x2C) }
        needsComma = true
    }

    private mutating func push() {
        stack.append(needsComma)
        needsComma = false
    }

    private mutating func pop() { needsComma = stack.popLast() ?? true }
}

extension JSONWriter {
    /// A number; whole numbers are written without a fraction, non-finite ones as null.
    public mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        if value.rounded() == value && abs(value) <= JSON.exactIntegerLimit {
            raw(String(Int64(value)))
        } else {
            raw(String(value))
        }
    }

    public mutating func number(_ value: Int) { raw(String(value)) }

    public mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

    /// Any parsed value, written back.
    public mutating func value(_ json: JSON) {
        switch json {
        case .null: null()
        case .bool(let value): bool(value)
        case .number(let value): number(value)
        case .string(let value): string(value)
        case .array(let elements):
            beginArray()
            for element in elements { value(element) }
            endArray()
        case .object(let members):
            beginObject()
            for member in members {
                key(member.key)
                value(member.value)
            }
            endObject()
        }
    }
}

extension JSON {
    /// The value as JSON text: on one line, or indented by two spaces per level for people.
    public func text(pretty: Bool = false) -> String {
        guard pretty else {
            var writer = JSONWriter()
            writer.value(self)
            return String(decoding: writer.bytes, as: UTF8.self)
        }
        var out = ""
        appendPretty(to: &out, indent: "")
        return out
    }

    private func appendPretty(to out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let elements) where !elements.isEmpty:
            out += "[\n"
            for (index, element) in elements.enumerated() {
                out += inner
                element.appendPretty(to: &out, indent: inner)
                out += index + 1 < elements.count ? ",\n" : "\n"
            }
            out += indent + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            for (index, member) in members.enumerated() {
                out += inner + JSON.string(member.key).text() + ": "
                member.value.appendPretty(to: &out, indent: inner)
                out += index + 1 < members.count ? ",\n" : "\n"
            }
            out += indent + "}"
        default:
            out += text()
        }
    }
}
