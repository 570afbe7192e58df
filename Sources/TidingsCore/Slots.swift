import Foundation

/// A fixed number of slots that parallel workers fill, each its own slot, read back in order
/// once they are done (`DispatchQueue.concurrentPerform` results).
public final class Slots<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value]

    public init(count: Int, empty: Value) { values = Array(repeating: empty, count: count) }

    public func set(_ index: Int, _ value: Value) { lock.withLock { values[index] = value } }

    public var all: [Value] { lock.withLock { values } }
}
