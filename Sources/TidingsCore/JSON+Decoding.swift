import Foundation

/// Decodable values from `JSON`, the shape `JSON.encode` writes: a type's keys looked up in
/// snake_case, null or a missing key as nil, dates from ISO 8601 text. Errors are the standard
/// `DecodingError`s with their coding path (`keyNotFound`, `typeMismatch`, `valueNotFound`).
extension JSON {
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.unbox(self, as: T.self, codingPath: [], audit: nil)
    }

    /// Decodes like `decode`, and then refuses a key that no part of `T` asked for, at any
    /// depth (`JSONUnknownKeys`): a misspelt parameter must not be ignored in silence.
    public func decodeStrictly<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSON.unbox(self, as: T.self, codingPath: [], audit: KeyAudit())
    }

    static func unbox<T: Decodable>(_ json: JSON, as type: T.Type, codingPath: [any CodingKey], audit: KeyAudit?) throws -> T {
        if T.self == Date.self {
            guard case .string(let text) = json, let date = Timestamps.parse(text) else {
                throw DecodingError.typeMismatch(Date.self, .init(codingPath: codingPath, debugDescription: "expected an ISO 8601 time"))
            }
            return date as! T
        }
        let convertKeys = !(T.self is any StringKeyedDictionary.Type)
        let mark = audit?.mark ?? 0
        let value = try T(from: JSONValueDecoder(json: json, codingPath: codingPath, convertKeys: convertKeys, audit: audit))
        // Every object this value read is done with: its keys are checked now, so the audit
        // holds the objects being read (the depth), not every object of a large request.
        try audit?.check(from: mark)
        return value
    }

    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A key known only at run time.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Keys an object had that nothing asked for, at any depth of a strictly decoded value.
public struct JSONUnknownKeys: Error, Sendable, Equatable {
    /// Where: the dotted path of the object (empty at the top), and its unknown keys.
    public var path: String
    public var unknown: [String]
    /// The keys the type there reads.
    public var known: [String]
}

/// Which keys each object of a strictly decoded value was asked about.
final class KeyAudit {
    final class Asked {
        var names: Set<String> = []
    }
    private var objects: [(path: [any CodingKey], keys: [String], asked: Asked)] = []

    /// Where the objects registered from now on start.
    var mark: Int { objects.count }

    func register(path: [any CodingKey], keys: [String]) -> Asked {
        let asked = Asked()
        objects.append((path, keys, asked))
        return asked
    }

    /// Checks the objects registered since `mark`, whose decoding has finished, and forgets them.
    func check(from mark: Int) throws {
        guard mark < objects.count else { return }
        defer { objects.removeSubrange(mark...) }
        for object in objects[mark...] {
            let unknown = object.keys.filter { !object.asked.names.contains($0) }
            guard !unknown.isEmpty else { continue }
            throw JSONUnknownKeys(
                path: object.path.map(\.stringValue).joined(separator: "."), unknown: unknown, known: object.asked.names.sorted())
        }
    }
}

struct JSONValueDecoder: Decoder {
    let json: JSON
    var codingPath: [any CodingKey]
    let convertKeys: Bool
    let audit: KeyAudit?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = json else {
            throw DecodingError.typeMismatch(
                [String: JSON].self, .init(codingPath: codingPath, debugDescription: "expected an object, found \(json.kindName)"))
        }
        var byKey: [String: JSON] = [:]
        for member in members { byKey[member.key] = member.value }
        let order = members.map(\.key)
        return KeyedDecodingContainer(
            KeyedJSONContainer<Key>(
                members: byKey, order: order, codingPath: codingPath, convertKeys: convertKeys,
                asked: audit?.register(path: codingPath, keys: order), audit: audit))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = json else {
            throw DecodingError.typeMismatch(
                [JSON].self, .init(codingPath: codingPath, debugDescription: "expected an array, found \(json.kindName)"))
        }
        return UnkeyedJSONContainer(elements: elements, codingPath: codingPath, audit: audit)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleJSONContainer(json: json, codingPath: codingPath, audit: audit) }
}

/// Leaf values: the one place JSON's kinds meet Swift's primitive types.
private enum Leaf {
    static func mismatch<T>(_ type: T.Type, _ json: JSON, _ path: [any CodingKey]) -> DecodingError {
        if json.isNull {
            return DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "expected \(type), found null"))
        }
        return DecodingError.typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(type), found \(json.kindName)"))
    }

    static func bool(_ json: JSON, _ path: [any CodingKey]) throws -> Bool {
        guard case .bool(let value) = json else { throw mismatch(Bool.self, json, path) }
        return value
    }

    static func string(_ json: JSON, _ path: [any CodingKey]) throws -> String {
        guard case .string(let value) = json else { throw mismatch(String.self, json, path) }
        return value
    }

    static func double(_ json: JSON, _ path: [any CodingKey]) throws -> Double {
        guard case .number(let value) = json else { throw mismatch(Double.self, json, path) }
        return value
    }

    /// A whole number that fits `T`.
    static func integer<T: FixedWidthInteger>(_ json: JSON, _ path: [any CodingKey]) throws -> T {
        guard case .number(let value) = json else { throw mismatch(T.self, json, path) }
        guard value.rounded() == value, let exact = T(exactly: value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(value) is not a whole number that fits \(T.self)"))
        }
        return exact
    }
}

private struct KeyedJSONContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSON]
    let order: [String]
    var codingPath: [any CodingKey]
    let convertKeys: Bool
    /// Records every key looked up, when decoding strictly.
    let asked: KeyAudit.Asked?
    let audit: KeyAudit?

    private func name(_ key: Key) -> String {
        let name = convertKeys ? JSON.snakeCase(key.stringValue) : key.stringValue
        asked?.names.insert(name)
        return name
    }

    var allKeys: [Key] { order.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[name(key)] != nil }

    private func value(_ key: Key) throws -> JSON {
        guard let value = members[name(key)] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no key \"\(name(key))\""))
        }
        return value
    }

    private func path(_ key: Key) -> [any CodingKey] { codingPath + [AnyKey(name(key))] }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Leaf.bool(value(key), path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Leaf.string(value(key), path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Leaf.double(value(key), path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try Leaf.double(value(key), path(key))) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Leaf.integer(value(key), path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Leaf.integer(value(key), path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Leaf.integer(value(key), path(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Leaf.integer(value(key), path(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Leaf.integer(value(key), path(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Leaf.integer(value(key), path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Leaf.integer(value(key), path(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Leaf.integer(value(key), path(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Leaf.integer(value(key), path(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Leaf.integer(value(key), path(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let json = try value(key)
        if json.isNull {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: path(key), debugDescription: "expected \(T.self), found null"))
        }
        return try JSON.unbox(json, as: T.self, codingPath: path(key), audit: audit)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try JSONValueDecoder(json: value(key), codingPath: path(key), convertKeys: convertKeys, audit: audit).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try JSONValueDecoder(json: value(key), codingPath: path(key), convertKeys: convertKeys, audit: audit).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        JSONValueDecoder(json: members["super"] ?? .null, codingPath: codingPath, convertKeys: convertKeys, audit: audit)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        JSONValueDecoder(json: members[name(key)] ?? .null, codingPath: path(key), convertKeys: convertKeys, audit: audit)
    }
}

private struct UnkeyedJSONContainer: UnkeyedDecodingContainer {
    let elements: [JSON]
    var codingPath: [any CodingKey]
    var currentIndex = 0

    let audit: KeyAudit?

    init(elements: [JSON], codingPath: [any CodingKey], audit: KeyAudit?) {
        self.elements = elements
        self.codingPath = codingPath
        self.audit = audit
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next<T>(_ type: T.Type) throws -> (JSON, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the array has ended"))
        }
        defer { currentIndex += 1 }
        return (elements[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (json, path) = try next(type); return try Leaf.bool(json, path) }
    mutating func decode(_ type: String.Type) throws -> String { let (json, path) = try next(type); return try Leaf.string(json, path) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (json, path) = try next(type); return try Leaf.double(json, path) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (json, path) = try next(type); return Float(try Leaf.double(json, path)) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (json, path) = try next(type); return try Leaf.integer(json, path) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (json, path) = try next(type); return try Leaf.integer(json, path) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (json, path) = try next(type); return try Leaf.integer(json, path) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (json, path) = try next(type); return try Leaf.integer(json, path) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (json, path) = try next(type); return try Leaf.integer(json, path) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (json, path) = try next(type); return try Leaf.integer(json, path) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (json, path) = try next(type); return try Leaf.integer(json, path) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (json, path) = try next(type); return try Leaf.integer(json, path) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (json, path) = try next(type); return try Leaf.integer(json, path) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (json, path) = try next(type); return try Leaf.integer(json, path) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (json, path) = try next(type)
        return try JSON.unbox(json, as: T.self, codingPath: path, audit: audit)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (json, path) = try next([String: JSON].self)
        return try JSONValueDecoder(json: json, codingPath: path, convertKeys: true, audit: audit).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (json, path) = try next([JSON].self)
        return try JSONValueDecoder(json: json, codingPath: path, convertKeys: true, audit: audit).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (json, path) = try next(JSON.self)
        return JSONValueDecoder(json: json, codingPath: path, convertKeys: true, audit: audit)
    }
}

private struct SingleJSONContainer: SingleValueDecodingContainer {
    let json: JSON
    var codingPath: [any CodingKey]
    let audit: KeyAudit?

    func decodeNil() -> Bool { json.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try Leaf.bool(json, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Leaf.string(json, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Leaf.double(json, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try Leaf.double(json, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try Leaf.integer(json, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Leaf.integer(json, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Leaf.integer(json, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Leaf.integer(json, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Leaf.integer(json, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Leaf.integer(json, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Leaf.integer(json, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Leaf.integer(json, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Leaf.integer(json, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Leaf.integer(json, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSON.unbox(json, as: T.self, codingPath: codingPath, audit: audit) }
}
