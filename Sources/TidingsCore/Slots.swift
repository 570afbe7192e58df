import Synchronization

/// A fixed number of slots that parallel workers fill, each its own slot, read back in order
/// once they are done (`DispatchQueue.concurrentPerform` results).
public final class Slots<Value: Sendable>: Sendable {
    private let values: Mutex<[Value]>

    public init(count: Int, empty: Value) { values = Mutex(Array(repeating: empty, count: count)) }

    public func set(_ index: Int, _ value: Value) { values.withLock { $0[index] = value } }

    public var all: [Value] { values.withLock { $0 } }
}
