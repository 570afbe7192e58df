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
    /// What an optional that is nil becomes.
    public enum Nils: Sendable {
        /// `null` with its key: what every reply and `--json` output writes.
        case null
        /// Nothing: a request's params, which a decoder reads as nil when missing. A request
        /// of 100,000 import outlines with three nil keys each was a third larger, on the wire
        /// and in the daemon's memory.
        case omitted
    }

    public static func encode<T: Encodable>(_ value: T, nils: Nils = .null) throws -> JSON {
        try JSON.parse(encodeText(value, nils: nils))
    }

    /// The same as `encode`, straight to JSON text on one line, with no tree in between: for
    /// replies that may be large (`sources.list` of 100,000 sources is tens of megabytes).
    public static func encodeText<T: Encodable>(_ value: T, nils: Nils = .null) throws -> [UInt8] {
        let sink = TextSink(nils: nils)
        try sink.store(value, codingPath: [])
        try sink.finish()
        return sink.writer.bytes
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

/// Where the streaming encoder writes. Containers are written as they are used: a container
/// is closed when the value that opened it has finished encoding itself, or when its parent
/// is written to again. Codable's synthesized code uses containers one after the other, which
/// is what this supports; a container written to after it was closed is an error.
final class TextSink {
    var writer = JSONWriter()
    let nils: JSON.Nils

    init(nils: JSON.Nils = .null) { self.nils = nils }
    /// Open containers, innermost last: their ids and whether they are objects.
    private var open: [(id: Int, object: Bool)] = []
    private var nextID = 0

    /// Opens an object or array as the next value, and returns its id.
    func begin(object: Bool) -> Int {
        nextID += 1
        if object { writer.beginObject() } else { writer.beginArray() }
        open.append((nextID, object))
        return nextID
    }

    /// Makes `id` the innermost open container again (closing the finished ones inside it),
    /// before something is written into it.
    func resume(_ id: Int, codingPath: [any CodingKey]) throws {
        guard let index = open.lastIndex(where: { $0.id == id }) else {
            throw EncodingError.invalidValue(
                id, .init(codingPath: codingPath, debugDescription: "a container was written to after it was finished"))
        }
        close(downTo: index + 1)
    }

    /// Closes containers until `depth` remain open.
    func close(downTo depth: Int) {
        while open.count > depth {
            if open.removeLast().object { writer.endObject() } else { writer.endArray() }
        }
    }

    /// Any value: dates and string-keyed dictionaries are special, the rest encode themselves.
    func store<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        let depth = open.count
        let before = writer.bytes.count
        switch value {
        case let date as Date: writer.string(Timestamps.iso(date))
        case is any StringKeyedDictionary:
            try value.encode(to: StreamEncoder(sink: self, codingPath: codingPath, convertKeys: false))
        default:
            try value.encode(to: StreamEncoder(sink: self, codingPath: codingPath, convertKeys: true))
        }
        // A value that wrote nothing at all (no container, no value) is an empty object.
        if writer.bytes.count == before && open.count == depth {
            writer.beginObject()
            writer.endObject()
        }
        close(downTo: depth)
    }

    func finish() throws { close(downTo: 0) }
}

private struct StreamEncoder: Encoder {
    let sink: TextSink
    var codingPath: [any CodingKey]
    let convertKeys: Bool
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(StreamKeyedContainer<Key>(sink: sink, id: sink.begin(object: true), codingPath: codingPath, convertKeys: convertKeys))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        StreamUnkeyedContainer(sink: sink, id: sink.begin(object: false), codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { StreamSingleContainer(sink: sink, codingPath: codingPath) }
}

private struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: TextSink
    let id: Int
    var codingPath: [any CodingKey]
    let convertKeys: Bool

    /// Writes the key; the value written next belongs to it.
    private func key(_ key: Key) throws {
        try sink.resume(id, codingPath: codingPath)
        sink.writer.key(convertKeys ? JSON.snakeCase(key.stringValue) : key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws { try self.key(key); sink.writer.null() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try self.key(key); sink.writer.bool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { try self.key(key); sink.writer.string(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try self.key(key); sink.writer.number(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try self.key(key); sink.writer.number(Double(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try self.key(key)
        try sink.store(value, codingPath: codingPath + [key])
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
        if let value {
            try encode(value, forKey: key)
        } else if sink.nils == .null {
            try encodeNil(forKey: key)
        } else {
            try sink.resume(id, codingPath: codingPath)
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        // The protocol gives no way to throw here: a misuse shows as the next write's error.
        try? self.key(key)
        return KeyedEncodingContainer(
            StreamKeyedContainer<NestedKey>(sink: sink, id: sink.begin(object: true), codingPath: codingPath + [key], convertKeys: convertKeys))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        try? self.key(key)
        return StreamUnkeyedContainer(sink: sink, id: sink.begin(object: false), codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        try? sink.resume(id, codingPath: codingPath)
        sink.writer.key("super")
        return StreamEncoder(sink: sink, codingPath: codingPath, convertKeys: convertKeys)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        try? self.key(key)
        return StreamEncoder(sink: sink, codingPath: codingPath + [key], convertKeys: convertKeys)
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

private struct StreamUnkeyedContainer: UnkeyedEncodingContainer {
    let sink: TextSink
    let id: Int
    var codingPath: [any CodingKey]
    private(set) var count = 0

    init(sink: TextSink, id: Int, codingPath: [any CodingKey]) {
        self.sink = sink
        self.id = id
        self.codingPath = codingPath
    }

    /// Before each element: back to this array, and one more element.
    private mutating func element() throws {
        try sink.resume(id, codingPath: codingPath)
        count += 1
    }

    mutating func encodeNil() throws { try element(); sink.writer.null() }
    mutating func encode(_ value: Bool) throws { try element(); sink.writer.bool(value) }
    mutating func encode(_ value: String) throws { try element(); sink.writer.string(value) }
    mutating func encode(_ value: Double) throws { try element(); sink.writer.number(value) }
    mutating func encode(_ value: Float) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int8) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int16) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int32) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int64) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt8) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt16) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt32) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt64) throws { try element(); sink.writer.number(Double(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try element()
        try sink.store(value, codingPath: codingPath + [IndexKey(count - 1)])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        try? element()
        return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(sink: sink, id: sink.begin(object: true), codingPath: codingPath, convertKeys: true))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        try? element()
        return StreamUnkeyedContainer(sink: sink, id: sink.begin(object: false), codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        try? element()
        return StreamEncoder(sink: sink, codingPath: codingPath, convertKeys: true)
    }
}

private struct StreamSingleContainer: SingleValueEncodingContainer {
    let sink: TextSink
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { sink.writer.null() }
    mutating func encode(_ value: Bool) throws { sink.writer.bool(value) }
    mutating func encode(_ value: String) throws { sink.writer.string(value) }
    mutating func encode(_ value: Double) throws { sink.writer.number(value) }
    mutating func encode(_ value: Float) throws { sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int) throws { sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int8) throws { sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int16) throws { sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int32) throws { sink.writer.number(Double(value)) }
    mutating func encode(_ value: Int64) throws { sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt) throws { sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt8) throws { sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt16) throws { sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt32) throws { sink.writer.number(Double(value)) }
    mutating func encode(_ value: UInt64) throws { sink.writer.number(Double(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try sink.store(value, codingPath: codingPath) }
}
