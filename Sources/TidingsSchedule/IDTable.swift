/// Values by integer id, for ids that are mostly dense (database rowids): a slot per id in one
/// array while the ids stay below about twice the count, a dictionary for the few beyond.
///
/// At 100,000 sources a `[Int64: SourceState]` took 40 MB: a dictionary keeps its load under
/// 3/4 and doubles, so 100,000 entries sat in 262,144 buckets. Here they take one slot each.
public struct IDTable<Value: Sendable>: Sendable {
    private var slots: ContiguousArray<Value?> = []
    private var overflow: [Int64: Value] = [:]
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Ids below this go into the array: twice the count, and 1,024 at least.
    private var denseBound: Int64 { Swift.max(1024, Int64(count) * 2) }

    public subscript(id: Int64) -> Value? {
        get {
            if id >= 0 && id < Int64(slots.count), let value = slots[Int(id)] { return value }
            return overflow.isEmpty ? nil : overflow[id]
        }
        _modify {
            if id >= 0 && (id < Int64(slots.count) || id < denseBound) && (overflow.isEmpty || overflow[id] == nil) {
                if id >= Int64(slots.count) {
                    // Grown by a quarter, not doubled: at 100,000 sources a doubling left a
                    // third of the slots empty, and held old and new arrays at once.
                    let needed = Int(id) + 1
                    if needed > slots.capacity {
                        slots.reserveCapacity(Swift.max(needed, slots.count + slots.count / 4 + 64))
                    }
                    slots.append(contentsOf: repeatElement(nil, count: needed - slots.count))
                }
                let index = Int(id)
                let had = slots[index] != nil
                yield &slots[index]
                let has = slots[index] != nil
                if had != has { count += has ? 1 : -1 }
            } else {
                var value = overflow[id]
                let had = value != nil
                yield &value
                overflow[id] = value
                let has = value != nil
                if had != has { count += has ? 1 : -1 }
            }
        }
    }

    /// Makes room for ids up to `id` (a bulk load of `adding` more values whose largest id is
    /// `id`), so that the array is not grown, and copied, step by step on the way.
    public mutating func reserveCapacity(upTo id: Int64, adding: Int) {
        let bound = Swift.max(1024, Int64(count + adding) * 2)
        guard id >= 0, id < bound, Int(id) + 1 > slots.capacity else { return }
        slots.reserveCapacity(Int(id) + 1)
    }

    /// Removes and returns the value for `id`.
    @discardableResult
    public mutating func removeValue(forKey id: Int64) -> Value? {
        let old = self[id]
        if old != nil { self[id] = nil }
        return old
    }

    /// Ids in ascending order within the array, then the rest.
    public var keys: LazyMapSequence<IDTable<Value>, Int64> { lazy.map(\.id) }
    public var values: LazyMapSequence<IDTable<Value>, Value> { lazy.map(\.value) }
}

extension IDTable: Sequence {
    public struct Iterator: IteratorProtocol {
        private let table: IDTable<Value>
        private var index = 0
        private var rest: Dictionary<Int64, Value>.Iterator

        init(_ table: IDTable<Value>) {
            self.table = table
            rest = table.overflow.makeIterator()
        }

        public mutating func next() -> (id: Int64, value: Value)? {
            while index < table.slots.count {
                defer { index += 1 }
                if let value = table.slots[index] { return (Int64(index), value) }
            }
            return rest.next().map { (id: $0.key, value: $0.value) }
        }
    }

    public func makeIterator() -> Iterator { Iterator(self) }
    public var underestimatedCount: Int { count }
}
