/// Phrases (sequences of words) found by walking a token trie from a position: dictionary
/// names, titles, agents. The walk is linear in the phrase length; nothing scans the
/// dictionary per token. Shared by the plugins that read PETRARCH-style dictionaries.
public final class PhraseTrie<Value: Sendable>: @unchecked Sendable {
    public final class Node: @unchecked Sendable {
        public fileprivate(set) var next: [String: Node] = [:]
        public fileprivate(set) var value: Value?
    }

    public let root = Node()

    public init() {}

    /// Adds a phrase; the first value given for it wins.
    public func insert(_ words: [String], _ value: Value) {
        guard !words.isEmpty else { return }
        var node = root
        for word in words {
            if let next = node.next[word] {
                node = next
            } else {
                let next = Node()
                node.next[word] = next
                node = next
            }
        }
        if node.value == nil { node.value = value }
    }

    /// The longest phrase starting at `start`: its end (exclusive) and value.
    public func longest(_ words: [String], from start: Int, limit: Int? = nil) -> (end: Int, value: Value)? {
        var node = root
        var best: (end: Int, value: Value)?
        var index = start
        let stop = min(limit ?? words.count, words.count)
        while index < stop, let next = node.next[words[index]] {
            node = next
            index += 1
            if let value = node.value { best = (index, value) }
        }
        return best
    }
}
