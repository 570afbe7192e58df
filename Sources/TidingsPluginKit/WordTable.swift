/// Words → small integer ids, looked up straight from a document's code points with case
/// folded on the fly: no token string is built, lower-cased or hashed with `Hasher`. A plugin
/// builds one table of the words it knows when it loads, then turns each document's tokens
/// into ids with one pass (``ids(_:)``) and answers its questions about words with array reads.
///
/// Case folding: ASCII letters byte by byte; other code points by their lower-case mapping when
/// it is one code point ("É" → "é"), else as they are. Both the words inserted and the text
/// looked up are folded the same way, so a word matches whatever its capitals.
public struct WordTable: Sendable {
    /// One slot of the open-addressed index. A word of up to 16 ASCII characters is its own
    /// key (its folded bytes packed into `key` and `key2` by ``packed(_:_:)``), so finding it reads one slot; a
    /// longer or non-ASCII word's key is its hash, and its code points are compared in
    /// `characters`.
    private struct Slot {
        var key: UInt64 = 0
        var key2: UInt64 = 0
        /// The word's id, or −1 for an empty slot.
        var id: Int32 = -1
        /// The word's length in code points, negative when `key` is a hash (one compare
        /// tells both).
        var tag: Int32 = 0
    }
    /// The folded code points of every word, end to end; word `id` is
    /// `characters[starts[id]..<starts[id + 1]]`.
    private var characters: [UInt32] = []
    private var starts: [Int32] = [0]
    /// Its size is a power of two at least twice the word count.
    private var slots = [Slot](repeating: Slot(), count: 16)
    /// Words of one ASCII character ("!", ",", "a"), by code point: −1 or the id. A quarter of
    /// news tokens are punctuation.
    private var single = [Int32](repeating: -1, count: 128)
    private var shift: UInt64 = 60

    public init() {}

    public init<S: Sequence>(_ words: S) where S.Element == String {
        for word in words { insert(word) }
    }

    /// How many words it holds; ids are `0..<count`.
    public var count: Int { starts.count - 1 }

    /// The id of `word` (folded), added if new.
    @discardableResult
    public mutating func insert(_ word: String) -> Int32 {
        let folded = word.unicodeScalars.map { WordTable.fold($0.value) }
        if let found = find(folded, 0..<folded.count) { return found }
        let id = Int32(count)
        characters.append(contentsOf: folded)
        starts.append(Int32(characters.count))
        if count * 2 > slots.count { grow() } else { place(id) }
        return id
    }

    /// The id of a word given as text, or nil.
    public func id(_ word: String) -> Int32? {
        let folded = word.unicodeScalars.map { WordTable.fold($0.value) }
        return find(folded, 0..<folded.count)
    }

    /// The word with this id, folded.
    public func word(_ id: Int32) -> String {
        var out = String.UnicodeScalarView()
        for value in characters[Int(starts[Int(id)])..<Int(starts[Int(id) + 1])] { if let scalar = Unicode.Scalar(value) { out.append(scalar) } }
        return String(out)
    }

    /// Each token's id, or −1 for words the table lacks. Uses the keys the tokenizer made: a
    /// short ASCII token's lookup reads one slot, not its characters.
    public func ids(_ document: AnalyzedDocument) -> [Int32] {
        var out = [Int32](repeating: -1, count: document.tokens.count)
        out.withUnsafeMutableBufferPointer { ids(document.scalars, document.segmentation, into: $0) }
        return out
    }

    /// Each token's id, or −1, written to `out` (one per token); `text` is the code points the
    /// segmentation was made from (a token without a key is read there). For plugins that look up
    /// every document: a new array costs a type lookup in the runtime that takes longer than
    /// all of a sentence's word lookups.
    public func ids(_ text: [Unicode.Scalar], _ segmentation: Segmentation, into out: UnsafeMutableBufferPointer<Int32>) {
        let tokens = segmentation.tokens
        precondition(out.count >= tokens.count, "one id per token")
        text.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UInt32.self) { text in
                single.withUnsafeBufferPointer { single in
                    slots.withUnsafeBufferPointer { slots in
                        tokens.withUnsafeBufferPointer { tokens in
                            for index in 0..<tokens.count {
                                let key = tokens[index].key
                                let length = tokens[index].end - tokens[index].start
                                if key.low == 0 {
                                    out[index] = find(text, tokens[index].start..<tokens[index].end) ?? -1
                                } else if length == 1 {
                                    out[index] = single[Int(key.low)]
                                } else {
                                    out[index] = probe(slots, (key.low, key.high), length)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: internals

    @inline(__always)
    static func fold(_ value: UInt32) -> UInt32 {
        value < 0x80 ? (value &- 0x41 < 26 ? value | 0x20 : value) : foldOther(value)
    }

    /// Out of line: the Unicode tables are not needed on the common path.
    @inline(never)
    static func foldOther(_ value: UInt32) -> UInt32 {
        // Latin-1 punctuation and symbols and the General Punctuation block (quotes, dashes)
        // have no case: news text is full of them.
        guard value >= 0xC0, let scalar = Unicode.Scalar(value), !Segmenter.isGeneralPunctuation(scalar),
            scalar.properties.changesWhenLowercased
        else { return value }
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first!.value : value
    }

    /// Up to 16 ASCII code points, folded, as two numbers: the bytes roll in from the right
    /// (the last is the low byte of the first number, the ninth from last the low byte of the
    /// second). The length tells keys with leading zero bytes apart. Nil for longer or other
    /// words. The tokenizer makes the same keys as it reads (``Token``'s `key`).
    @inline(__always)
    static func packed<C: RandomAccessCollection>(_ text: C, _ range: Range<Int>) -> (UInt64, UInt64)? where C.Element == UInt32, C.Index == Int {
        guard range.count <= 16 else { return nil }
        var low: UInt64 = 0, high: UInt64 = 0
        for position in range {
            let value = text[position]
            guard value < 0x80 else { return nil }
            high = high &<< 8 | low &>> 56
            low = low &<< 8 | UInt64(value | (value &- 0x41 < 26 ? 0x20 : 0))
        }
        return (low, high)
    }

    /// FNV-1a over the folded code points.
    @inline(__always)
    private static func hash<C: RandomAccessCollection>(_ text: C, _ range: Range<Int>) -> UInt64 where C.Element == UInt32, C.Index == Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for position in range { hash = (hash ^ UInt64(fold(text[position]))) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    /// The first slot to probe for a key (Fibonacci hashing: the product's top bits).
    @inline(__always)
    private func home(_ key: UInt64, _ length: Int) -> Int {
        Int(truncatingIfNeeded: ((key ^ UInt64(truncatingIfNeeded: length)) &* 0x9E37_79B9_7F4A_7C15) &>> shift)
    }

    @inline(__always)
    private func find<C: RandomAccessCollection>(_ text: C, _ range: Range<Int>) -> Int32? where C.Element == UInt32, C.Index == Int {
        slots.withUnsafeBufferPointer { slots -> Int32? in
            let mask = slots.count - 1
            let length = range.count
            if let key = WordTable.packed(text, range) {
                let id = probe(slots, key, length)
                return id < 0 ? nil : id
            }
            let key = WordTable.hash(text, range)
            var slot = home(key, length)
            while true {
                let entry = slots[slot]
                if entry.id < 0 { return nil }
                if entry.key == key && Int(entry.tag) == -length && same(Int(entry.id), text, range) { return entry.id }
                slot = (slot &+ 1) & mask
            }
        }
    }

    /// The id of a packed word, or −1.
    @inline(__always)
    private func probe(_ slots: UnsafeBufferPointer<Slot>, _ key: (UInt64, UInt64), _ length: Int) -> Int32 {
        let mask = slots.count - 1
        var slot = home(key.0 ^ (key.1 &* 0x0000_0100_0000_01b3), length)
        while true {
            let entry = slots[slot]
            if entry.id < 0 { return -1 }
            if entry.key == key.0 && entry.key2 == key.1 && Int(entry.tag) == length { return entry.id }
            slot = (slot &+ 1) & mask
        }
    }

    private func same<C: RandomAccessCollection>(_ id: Int, _ text: C, _ range: Range<Int>) -> Bool where C.Element == UInt32, C.Index == Int {
        var stored = Int(starts[id])
        for position in range {
            if characters[stored] != WordTable.fold(text[position]) { return false }
            stored += 1
        }
        return true
    }

    private mutating func place(_ id: Int32) {
        let range = Int(starts[Int(id)])..<Int(starts[Int(id) + 1])
        var entry = Slot(id: id, tag: -Int32(clamping: range.count))
        let start: UInt64
        if let key = WordTable.packed(characters, range) {
            (entry.key, entry.key2) = key
            entry.tag = Int32(range.count)
            if range.count == 1 { single[Int(key.0)] = id }
            start = key.0 ^ (key.1 &* 0x0000_0100_0000_01b3)
        } else {
            entry.key = WordTable.hash(characters, range)
            start = entry.key
        }
        let mask = slots.count - 1
        var slot = home(start, range.count)
        while slots[slot].id >= 0 { slot = (slot + 1) & mask }
        slots[slot] = entry
    }

    private mutating func grow() {
        slots = [Slot](repeating: Slot(), count: slots.count * 2)
        shift -= 1
        for id in 0..<Int32(count) { place(id) }
    }
}
