import Foundation

/// Encodable values as `JSON`, the way the admin protocol and every `--json` output write them:
///
/// - a type's keys in snake_case, like the database's columns (`sourceID` → `source_id`,
///   `refusedCount` → `refused_count`); a dictionary's own keys are data and stay as they are;
/// - a nil optional as `null`, its key kept, so a reader sees every field of the type;
/// - dates as ISO 8601 text (`Timestamps.iso`), as the store keeps them;
/// - numbers as `Double`: integers are exact up to 2^53, and are written without a fraction.
///
/// `JSON.decode(_:)` reads the same shape back.
extension JSON {
    public static func encode<T: Encodable>(_ value: T) throws -> JSON {
        let root = EncodingBox()
        try root.store(value, codingPath: [])
        return root.json
    }

    /// `sourceID` → `source_id`, `refusedCount` → `refused_count`, `lastHTTPStatus` →
    /// `last_http_status`: a word starts at an upper-case letter after a lower-case letter or a
    /// digit, and at the last capital of a run that a lower-case letter follows.
    public static func snakeCase(_ key: String) -> String {
        let bytes = Array(key.utf8)
        func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
        func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 4)
        for (index, byte) in bytes.enumerated() {
            guard isUpper(byte) else {
                out.append(byte)
                continue
            }
            if index > 0 {
                let previous = bytes[index - 1]
                let nextLower = index + 1 < bytes.count && isLower(bytes[index + 1])
                if isUpper(previous) ? nextLower : previous != 0x5F { out.append(0x5F) }
            }
            out.append(byte + 0x20)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A dictionary whose keys are strings: encoded and decoded with its keys as they are.
protocol StringKeyedDictionary {}
extension Dictionary: StringKeyedDictionary where Key == String {}

/// A node of the value being built: a leaf, an object or an array, filled in by containers
/// that hold the box (the Encoder protocol hands containers out before values arrive).
final class EncodingBox {
    private enum Content {
        case value(JSON)
        case object([(key: String, box: EncodingBox)])
        case array([EncodingBox])
    }
    private var content: Content = .value(.null)

    var json: JSON {
        switch content {
        case .value(let value): return value
        case .object(let members): return .object(members.map { (key: $0.key, value: $0.box.json) })
        case .array(let elements): return .array(elements.map(\.json))
        }
    }

    func set(_ value: JSON) { content = .value(value) }

    func beginObject() {
        if case .object = content { return }
        content = .object([])
    }

    func beginArray() {
        if case .array = content { return }
        content = .array([])
    }

    /// The box for `key` (a repeated key replaces the earlier value).
    func member(_ key: String) -> EncodingBox {
        let box = EncodingBox()
        guard case .object(var members) = content else { preconditionFailure("not an object") }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].box = box
        } else {
            members.append((key: key, box: box))
        }
        content = .object(members)
        return box
    }

    func element() -> EncodingBox {
        let box = EncodingBox()
        guard case .array(var elements) = content else { preconditionFailure("not an array") }
        elements.append(box)
        content = .array(elements)
        return box
    }

    var count: Int {
        switch content {
        case .value: 0
        case .object(let members): members.count
        case .array(let elements): elements.count
        }
    }

    /// Stores any value: dates and string-keyed dictionaries are special, the rest encode
    /// themselves.
    func store<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let date as Date: set(.string(Timestamps.iso(date)))
        case let json as JSON: set(json)
        case is any StringKeyedDictionary:
            try value.encode(to: BoxEncoder(box: self, codingPath: codingPath, convertKeys: false))
        default:
            try value.encode(to: BoxEncoder(box: self, codingPath: codingPath, convertKeys: true))
        }
    }
}

private struct BoxEncoder: Encoder {
    let box: EncodingBox
    var codingPath: [any CodingKey]
    let convertKeys: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        box.beginObject()
        return KeyedEncodingContainer(KeyedBoxContainer<Key>(box: box, codingPath: codingPath, convertKeys: convertKeys))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        box.beginArray()
        return UnkeyedBoxContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleBoxContainer(box: box, codingPath: codingPath) }
}

private struct KeyedBoxContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: EncodingBox
    var codingPath: [any CodingKey]
    let convertKeys: Bool

    private func member(_ key: Key) -> EncodingBox {
        box.member(convertKeys ? JSON.snakeCase(key.stringValue) : key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws { member(key).set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { member(key).set(.bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { member(key).set(.string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { member(key).set(.number(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { member(key).set(.number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try member(key).store(value, codingPath: codingPath + [key])
    }

    // A nil optional keeps its key, as null (the protocol's default leaves the key out).
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try encodeOptional(value, key) }

    private mutating func encodeOptional<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = member(key)
        child.beginObject()
        return KeyedEncodingContainer(KeyedBoxContainer<NestedKey>(box: child, codingPath: codingPath + [key], convertKeys: convertKeys))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = member(key)
        child.beginArray()
        return UnkeyedBoxContainer(box: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        BoxEncoder(box: box.member("super"), codingPath: codingPath, convertKeys: convertKeys)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        BoxEncoder(box: member(key), codingPath: codingPath + [key], convertKeys: convertKeys)
    }
}

/// An array index as a coding key, for error paths.
struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue ?? 0)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedBoxContainer: UnkeyedEncodingContainer {
    let box: EncodingBox
    var codingPath: [any CodingKey]
    var count: Int { box.count }

    mutating func encodeNil() throws { box.element().set(.null) }
    mutating func encode(_ value: Bool) throws { box.element().set(.bool(value)) }
    mutating func encode(_ value: String) throws { box.element().set(.string(value)) }
    mutating func encode(_ value: Double) throws { box.element().set(.number(value)) }
    mutating func encode(_ value: Float) throws { box.element().set(.number(Double(value))) }
    mutating func encode(_ value: Int) throws { box.element().set(.number(Double(value))) }
    mutating func encode(_ value: Int8) throws { box.element().set(.number(Double(value))) }
    mutating func encode(_ value: Int16) throws { box.element().set(.number(Double(value))) }
    mutating func encode(_ value: Int32) throws { box.element().set(.number(Double(value))) }
    mutating func encode(_ value: Int64) throws { box.element().set(.number(Double(value))) }
    mutating func encode(_ value: UInt) throws { box.element().set(.number(Double(value))) }
    mutating func encode(_ value: UInt8) throws { box.element().set(.number(Double(value))) }
    mutating func encode(_ value: UInt16) throws { box.element().set(.number(Double(value))) }
    mutating func encode(_ value: UInt32) throws { box.element().set(.number(Double(value))) }
    mutating func encode(_ value: UInt64) throws { box.element().set(.number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = count
        try box.element().store(value, codingPath: codingPath + [IndexKey(index)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = box.element()
        child.beginObject()
        return KeyedEncodingContainer(KeyedBoxContainer<NestedKey>(box: child, codingPath: codingPath, convertKeys: true))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = box.element()
        child.beginArray()
        return UnkeyedBoxContainer(box: child, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { BoxEncoder(box: box.element(), codingPath: codingPath, convertKeys: true) }
}

private struct SingleBoxContainer: SingleValueEncodingContainer {
    let box: EncodingBox
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.set(.null) }
    mutating func encode(_ value: Bool) throws { box.set(.bool(value)) }
    mutating func encode(_ value: String) throws { box.set(.string(value)) }
    mutating func encode(_ value: Double) throws { box.set(.number(value)) }
    mutating func encode(_ value: Float) throws { box.set(.number(Double(value))) }
    mutating func encode(_ value: Int) throws { box.set(.number(Double(value))) }
    mutating func encode(_ value: Int8) throws { box.set(.number(Double(value))) }
    mutating func encode(_ value: Int16) throws { box.set(.number(Double(value))) }
    mutating func encode(_ value: Int32) throws { box.set(.number(Double(value))) }
    mutating func encode(_ value: Int64) throws { box.set(.number(Double(value))) }
    mutating func encode(_ value: UInt) throws { box.set(.number(Double(value))) }
    mutating func encode(_ value: UInt8) throws { box.set(.number(Double(value))) }
    mutating func encode(_ value: UInt16) throws { box.set(.number(Double(value))) }
    mutating func encode(_ value: UInt32) throws { box.set(.number(Double(value))) }
    mutating func encode(_ value: UInt64) throws { box.set(.number(Double(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { try box.store(value, codingPath: codingPath) }
}
