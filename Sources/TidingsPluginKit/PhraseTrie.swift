/// Phrases (sequences of words) found by walking a token trie from a position: dictionary
/// names, titles, agents. The walk is linear in the phrase length; nothing scans the
/// dictionary per token. Shared by the plugins that read PETRARCH-style dictionaries.
///
/// A value: built with `insert`, then shared read-only (it is `Sendable` because it is a
/// value, not because of a promise). The edges of every node live in one hash table keyed by
/// (node, word), which takes a fraction of the memory of a table per node.
public struct PhraseTrie<Value: Sendable>: Sendable {
    /// A node of the trie: where a walk has got to.
    public struct Position: Sendable, Equatable {
        @usableFromInline let node: Int32
        @inlinable init(node: Int32) { self.node = node }
    }

    @usableFromInline struct Edge: Hashable, Sendable {
        @usableFromInline let from: Int32
        @usableFromInline let word: String
        @inlinable init(from: Int32, word: String) {
            self.from = from
            self.word = word
        }
    }

    // The walk is inlinable so that a plugin's module specializes it for its value type (a
    // generic walk looked up type metadata on every step).
    @usableFromInline var edges: [Edge: Int32] = [:]
    /// The value of the phrase ending at each node (nil where none ends).
    @usableFromInline var values: [Value?] = [nil]

    public init() {}

    /// Where every walk starts.
    @inlinable public var root: Position { Position(node: 0) }

    /// Nodes in the trie (the root included).
    public var count: Int { values.count }

    /// One word further from `position`, if any phrase continues with it.
    @inlinable public func next(_ position: Position, _ word: String) -> Position? { step(position, word) }

    @inlinable func step(_ position: Position, _ word: String) -> Position? {
        edges[Edge(from: position.node, word: word)].map(Position.init(node:))
    }

    /// The value of the phrase that ends at `position`, if one does.
    @inlinable public func value(at position: Position) -> Value? { values[Int(position.node)] }

    /// Adds a phrase; the first value given for it wins.
    public mutating func insert(_ words: [String], _ value: Value) {
        guard !words.isEmpty else { return }
        var node: Int32 = 0
        for word in words {
            let edge = Edge(from: node, word: word)
            if let next = edges[edge] {
                node = next
            } else {
                let next = Int32(values.count)
                values.append(nil)
                edges[edge] = next
                node = next
            }
        }
        if values[Int(node)] == nil { values[Int(node)] = value }
    }

    /// The longest phrase starting at `start`: its end (exclusive) and value.
    @inlinable public func longest(_ words: [String], from start: Int, limit: Int? = nil) -> (end: Int, value: Value)? {
        var position = root
        var best: (end: Int, value: Value)?
        var index = start
        let stop = min(limit ?? words.count, words.count)
        while index < stop, let next = step(position, words[index]) {
            position = next
            index += 1
            if let value = value(at: next) { best = (index, value) }
        }
        return best
    }
}
