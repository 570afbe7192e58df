import TidingsPluginKit

/// Coding event nouns said of a pair of actors, and adding coded events.
extension Coder {

    /// Event nouns said of a pair of actors in the sentence: "talks between Russia and Japan",
    /// "the two sides … economic cooperation".
    mutating func codeNouns(in range: Range<Int>, groups: [ActorGroup], sentence: Int) {
        guard let pair = groups.first(where: { $0.isPair }) else { return }
        for (words, code) in dictionaries.nouns {
            guard let forward = code.forward else { continue }
            var index = range.lowerBound
            while index + words.count <= range.upperBound {
                defer { index += 1 }
                guard upper[index..<(index + words.count)].elementsEqual(words) else { continue }
                let before = upper[max(range.lowerBound, index - 3)..<index]
                if before.contains(where: Coder.isNegation) || before.contains(where: Coder.hedges.contains) { continue }
                let start = document.tokens[index].start, end = document.tokens[index + words.count - 1].end
                // Talks and cooperation between states are their governments'. Not again when a
                // verb of the sentence coded them ("Russia and Japan held talks").
                let members = pair.members.map { ActorRef(code: $0.code.map(Coder.government), name: $0.name) }
                let countries = Set(members.compactMap { $0.code?.prefix(3) })
                if events.contains(where: { $0.sentence == sentence && $0.code == forward && countries.contains($0.source?.prefix(3) ?? "") }) { break }
                for from in members {
                    for to in members {
                        guard let a = from.code, let b = to.code, a != b, !Coder.sameCountry(a, b) else { continue }
                        _ = add(from, to, forward, sentence: sentence, start: start, end: end)
                    }
                }
                break
            }
        }
    }

    /// Adds an event unless the sentence has it already.
    mutating func add(_ from: ActorRef, _ to: ActorRef, _ code: String, sentence: Int, start: Int, end: Int) -> Bool {
        guard let source = from.code, let target = to.code else { return false }
        if events.contains(where: { $0.sentence == sentence && $0.source == source && $0.target == target && $0.code == code }) { return true }
        let entry = dictionaries.codebook.entry(code)
        events.append(CodedEvent(
            source: source, target: target, sourceName: from.name, targetName: to.name, code: code, quadClass: entry.quadClass,
            goldstein: entry.goldstein, sentence: sentence, start: start, end: end))
        return true
    }
}
