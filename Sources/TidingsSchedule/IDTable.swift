/// Values by integer id, for ids that are mostly dense (database rowids): a slot per id, in
/// pages of 1,024 slots, while the ids stay below about twice the count; a dictionary for the
/// few beyond.
///
/// At 100,000 sources a `[Int64: SourceState]` took 40 MB: a dictionary keeps its load under
/// 3/4 and doubles, so 100,000 entries sat in 262,144 buckets. Here they take one slot each.
/// The pages are never copied: one array grown by a quarter held the old and the new array at
/// once while it was copied (11 MB more for a moment at 100,000 sources), and kept a quarter
/// of its slots empty.
public struct IDTable<Value: Sendable>: Sendable {
    static var pageBits: Int { 10 }
    static var pageSize: Int { 1 << pageBits }

    private var pages: [ContiguousArray<Value?>] = []
    private var overflow: [Int64: Value] = [:]
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Ids below this go into the pages: twice the count, and 1,024 at least.
    private var denseBound: Int64 { Swift.max(1024, Int64(count) * 2) }

    /// Ids with a slot now.
    private var slotCount: Int64 { Int64(pages.count) << IDTable.pageBits }

    public subscript(id: Int64) -> Value? {
        get {
            if id >= 0 && id < slotCount, let value = pages[Int(id) >> IDTable.pageBits][Int(id) & (IDTable.pageSize - 1)] { return value }
            return overflow.isEmpty ? nil : overflow[id]
        }
        _modify {
            if id >= 0 && (id < slotCount || id < denseBound) && (overflow.isEmpty || overflow[id] == nil) {
                let page = Int(id) >> IDTable.pageBits
                while pages.count <= page { pages.append(ContiguousArray(repeating: nil, count: IDTable.pageSize)) }
                let slot = Int(id) & (IDTable.pageSize - 1)
                let had = pages[page][slot] != nil
                yield &pages[page][slot]
                let has = pages[page][slot] != nil
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

    /// Removes and returns the value for `id`.
    @discardableResult
    public mutating func removeValue(forKey id: Int64) -> Value? {
        let old = self[id]
        if old != nil { self[id] = nil }
        return old
    }

    /// Ids in ascending order within the pages, then the rest.
    public var keys: LazyMapSequence<IDTable<Value>, Int64> { lazy.map(\.id) }
    public var values: LazyMapSequence<IDTable<Value>, Value> { lazy.map(\.value) }

    /// Slot `index` of the pages (for the iterator).
    fileprivate func slot(_ index: Int) -> Value? { pages[index >> IDTable.pageBits][index & (IDTable.pageSize - 1)] }
    fileprivate var slots: Int { Int(slotCount) }
    fileprivate var rest: [Int64: Value] { overflow }
}

extension IDTable: Sequence {
    public struct Iterator: IteratorProtocol {
        private let table: IDTable<Value>
        private var index = 0
        private var rest: Dictionary<Int64, Value>.Iterator

        init(_ table: IDTable<Value>) {
            self.table = table
            rest = table.rest.makeIterator()
        }

        public mutating func next() -> (id: Int64, value: Value)? {
            while index < table.slots {
                defer { index += 1 }
                if let value = table.slot(index) { return (Int64(index), value) }
            }
            return rest.next().map { (id: $0.key, value: $0.value) }
        }
    }

    public func makeIterator() -> Iterator { Iterator(self) }
    public var underestimatedCount: Int { count }
}
