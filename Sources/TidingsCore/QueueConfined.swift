import Dispatch

/// State owned by one dispatch queue: read and changed only on it. Every access checks that
/// it runs on that queue (`dispatchPrecondition`), so an access from anywhere else stops the
/// program at the faulty line instead of racing. An owner keeps its mutable state in one of
/// these and can then be `Sendable` for real: the check, not a comment, keeps the promise.
///
///     final class Owner: Sendable {
///         let queue = DispatchQueue(label: "owner")
///         let state: QueueConfined<State>
///         func bump() { queue.async { self.state.value.count += 1 } }
///     }
///
/// This is the one type whose `Sendable` conformance rests on a check at run time rather than
/// on the compiler.
public final class QueueConfined<Value>: @unchecked Sendable {
    public let queue: DispatchQueue
    @usableFromInline var storage: Value

    public init(_ value: Value, on queue: DispatchQueue) {
        self.queue = queue
        storage = value
    }

    /// The state, on its queue only. Changes happen in place (no copy of a large value).
    @inlinable public var value: Value {
        _read {
            dispatchPrecondition(condition: .onQueue(queue))
            yield storage
        }
        _modify {
            dispatchPrecondition(condition: .onQueue(queue))
            yield &storage
        }
    }
}
