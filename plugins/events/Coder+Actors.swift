import TidingsPluginKit

/// Reading actors: spans of dictionary entries, agents and names composed into groups.
extension Coder {

    /// A span of tokens read as an actor or an agent.
    struct Span {
        var start: Int
        var end: Int
        var code: String?
        var agent: Agent?
        var name: String
        /// Ends with an agent ("Japanese Foreign Minister"): a name right after it is the same
        /// actor.
        var titled = false
        /// The actor's code before an agent was added ("DNK" in "Danish media").
        var base: String?
        /// An agent with no actor (yet): "lawmakers" in "lawmakers and officials in Fornost".
        var lone: Agent?
    }

    func name(_ start: Int, _ end: Int) -> String { document.text(document.tokens[start].start, document.tokens[end - 1].end) }

    /// Actors and agents of a sentence, joined into noun phrases (`Japanese Foreign Minister`,
    /// `soldiers from Gondor`) and compounds (`Russia and Japan`).
    mutating func actorGroups(in range: Range<Int>) -> [ActorGroup] {
        // Entity mentions by their first token.
        var mentionAt: [Int: (end: Int, code: String?)] = [:]
        let tokens = document.tokens
        var tokenIndex = range.lowerBound
        // A folder with its own actors defines the actors; the entity plugin's (Phoenix) codes
        // would mix two vocabularies.
        for mention in mentions where dictionaries.actors == nil && mention.start >= tokens[range.lowerBound].start && mention.end <= tokens[range.upperBound - 1].end {
            while tokenIndex < range.upperBound && tokens[tokenIndex].start < mention.start { tokenIndex += 1 }
            guard tokenIndex < range.upperBound, tokens[tokenIndex].start == mention.start else { continue }
            var end = tokenIndex
            while end < range.upperBound && tokens[end].end <= mention.end { end += 1 }
            guard end > tokenIndex else { continue }
            mentionAt[tokenIndex] = (end, mention.actorCode ?? mention.country)
        }
        var spans: [Span] = []
        var index = range.lowerBound
        while index < range.upperBound {
            if let table = dictionaries.actors, let hit = table.actors.longest(upper, from: index, limit: range.upperBound) {
                let actor = table.entries[hit.value]
                let code = actor.codes.code(on: date)
                spans.append(Span(start: index, end: hit.end, code: code.flatMap { $0.isNull ? nil : $0.code }, agent: nil, name: name(index, hit.end)))
                index = hit.end
                continue
            }
            if let mention = mentionAt[index], mention.code != nil || dictionaries.agents.agents.longest(upper, from: index, limit: range.upperBound) == nil {
                if mention.code != nil {
                    spans.append(Span(start: index, end: mention.end, code: mention.code, agent: nil, name: name(index, mention.end)))
                }
                index = mention.end
                continue
            }
            if let hit = dictionaries.agents.agents.longest(upper, from: index, limit: range.upperBound) {
                spans.append(Span(start: index, end: hit.end, code: nil, agent: hit.value, name: name(index, hit.end)))
                index = hit.end
                continue
            }
            index += 1
        }
        return compose(spans, in: range)
    }

    /// Words that may stand between an actor and its agent: "Gondor's new", "Dagolath's first
    /// Deputy".
    func modifiers(_ from: Int, _ to: Int) -> Bool {
        guard to - from <= 5 else { return false }
        for index in from..<to {
            let word = upper[index]
            if word == "'S" || word == "’S" || word == "-" { continue }
            // "Ithilen's awful and evil minister": "and" between two adjectives.
            if word == "AND", index > from, index + 1 < to, document.text(of: document.tokens[index - 1]).first?.isLowercase == true { continue }
            if Coder.prepositions.contains(word) || word == "AND" || word == "," || Coder.pronouns.contains(word) { return false }
            if document.tokens[index].kind != .word { return false }
            if dictionaries.verbs.forms[word] != nil && !(Coder.determiners.contains(word)) && word.hasSuffix("ED") { return false }
        }
        return true
    }

    mutating func compose(_ input: [Span], in range: Range<Int>) -> [ActorGroup] {
        var spans = input
        // Agents with their actors: prefix agents (NGO~) before an actor, title + person,
        // actor + agent ("Japanese Foreign Minister"), agent + of/from/in + actor.
        var merged: [Span] = []
        var index = 0
        while index < spans.count {
            var span = spans[index]
            if let agent = span.agent {
                let next = index + 1 < spans.count ? spans[index + 1] : nil
                if let next, next.agent == nil, next.start == span.end, agent.prefix, let code = next.code {
                    span = Span(start: span.start, end: next.end, code: agent.code + code, agent: nil, name: name(span.start, next.end))
                    index += 2
                    // An agent after it too: "MSF Arnor diplomat".
                    if index < spans.count, let suffix = spans[index].agent, !suffix.prefix, spans[index].start == span.end {
                        span = Span(start: span.start, end: spans[index].end, code: span.code! + suffix.code, agent: nil, name: name(span.start, spans[index].end))
                        index += 1
                    }
                    merged.append(span)
                    continue
                }
                if let previous = merged.last, previous.agent == nil, let code = previous.code, !agent.prefix, modifiers(previous.end, span.start) {
                    merged[merged.count - 1] = Span(
                        start: previous.start, end: span.end, code: Coder.append(code, agent.code), agent: nil, name: name(previous.start, span.end),
                        titled: true, base: code)
                    index += 1
                    continue
                }
                if let next, next.agent == nil, let code = next.code, next.start == span.end {
                    // "President Boris Yeltsin": a person's own code already has the role.
                    let full = code.count > 3 ? code : Coder.append(code, agent.code)
                    merged.append(Span(start: span.start, end: next.end, code: full, agent: nil, name: name(span.start, next.end)))
                    index += 2
                    continue
                }
                if let next, next.agent == nil, next.code != nil, next.start > span.end, next.start - span.end <= 4,
                    ["OF", "FROM", "IN", "FOR"].contains(upper[span.end]),
                    next.start - span.end == 1 || (upper[span.end + 1] == "THE" || upper[span.end + 1] == "A") && modifiers(span.end + 2, next.start)
                {
                    // "soldiers from Gondor", "ambassadors of Arnor, Osgiliath and Gondor":
                    // the agent goes to each actor of a list that follows, and so do agents
                    // listed before it ("lawmakers and officials in Fornost and Gondor").
                    var agents = [agent]
                    var firstStart = span.start
                    while let last = merged.last, let other = last.lone, joins(last.end, firstStart) {
                        agents.insert(other, at: 0)
                        firstStart = last.start
                        merged.removeLast()
                    }
                    var list = [next]
                    var last = index + 1
                    while last + 1 < spans.count, spans[last + 1].agent == nil, spans[last + 1].code != nil, joins(spans[last].end, spans[last + 1].start) {
                        last += 1
                        list.append(spans[last])
                    }
                    for (position, item) in list.enumerated() {
                        for each in agents {
                            merged.append(Span(
                                start: position == 0 ? firstStart : item.start, end: item.end, code: Coder.append(item.code!, each.code), agent: nil,
                                name: item.name))
                        }
                    }
                    index = last + 1
                    continue
                }
                // "Danish media and government": the actor of the agent before it.
                if let previous = merged.last, let base = previous.base, !agent.prefix, joins(previous.end, span.start) {
                    merged.append(Span(start: span.start, end: span.end, code: Coder.append(base, agent.code), agent: nil, name: span.name, base: base))
                    index += 1
                    continue
                }
                // An agent alone: its country is unknown.
                span.code = agent.prefix ? agent.code : "---" + agent.code
                span.agent = nil
                span.lone = agent
                merged.append(span)
                index += 1
                continue
            }
            merged.append(span)
            index += 1
        }
        // "Japanese Foreign Minister Masahiko Komura": one actor, with the person's code when
        // the dictionaries know it more precisely.
        spans = []
        for span in merged where span.code != nil || span.agent == nil {
            if let previous = spans.last, previous.titled, previous.end == span.start, let code = span.code {
                let better = (previous.code?.count ?? 0) > code.count ? previous.code : code
                spans[spans.count - 1] = Span(start: previous.start, end: span.end, code: better, agent: nil, name: name(previous.start, span.end))
                continue
            }
            spans.append(span)
        }

        // Lists: "Russia and Japan", "Arnor, Osgiliath and Gondor", "Russian-Japanese".
        var groups: [ActorGroup] = []
        var position = 0
        var anaphorStarts: [Int: Int] = [:]
        for start in range where Coder.anaphorFirstWords.contains(upper[start]) {
            for phrase in Coder.anaphors where start + phrase.count <= range.upperBound && upper[start..<(start + phrase.count)].elementsEqual(phrase) {
                anaphorStarts[start] = start + phrase.count
                break
            }
        }
        var cursor = range.lowerBound
        func flushAnaphors(before limit: Int) {
            for start in anaphorStarts.keys.sorted() where start >= cursor && start < limit {
                if let dyad {
                    let members = dyad.map { ActorRef(code: $0.code.map(Coder.government), name: $0.name) }
                    groups.append(ActorGroup(start: start, end: anaphorStarts[start]!, members: members, preposition: preposition(before: start)))
                }
                cursor = anaphorStarts[start]!
            }
        }
        while position < spans.count {
            // "THE_SHIRE [FRO/BIL/SAM]": one name for several actors.
            func refs(_ span: Span) -> [ActorRef] {
                guard let code = span.code, code.contains("/") else { return [ActorRef(code: span.code, name: span.name)] }
                return code.split(separator: "/").map { ActorRef(code: String($0), name: span.name) }
            }
            var members = refs(spans[position])
            let start = spans[position].start
            var end = spans[position].end
            // A list needs "and"/"or" (or a hyphen) somewhere: "Arnor, Osgiliath and Gondor";
            // "the US commander in Iraq, General David Petraeus," is one actor named twice.
            var last = position
            var conjunction = false
            while last + 1 < spans.count, joins(spans[last].end, spans[last + 1].start) {
                conjunction = conjunction || upper[spans[last].end..<spans[last + 1].start].contains { ["AND", "OR", "NOR", "-", "–", "/", "&"].contains($0) }
                last += 1
            }
            if conjunction {
                while position < last {
                    position += 1
                    members.append(contentsOf: refs(spans[position]))
                    end = spans[position].end
                }
            }
            flushAnaphors(before: start)
            let group = ActorGroup(start: start, end: end, members: members, preposition: preposition(before: start))
            groups.append(group)
            cursor = max(cursor, end)
            // "the two sides" are the last two actors named together, not three of a list.
            let parties = members.compactMap { $0.code.flatMap(Coder.party) }
            if Set(parties).count == 2 {
                var seen: Set<String> = []
                dyad = members.filter { member in member.code.flatMap(Coder.party).map { seen.insert($0).inserted } ?? false }.prefix(2).map { $0 }
            }
            position += 1
        }
        flushAnaphors(before: range.upperBound)
        return groups.sorted { $0.start < $1.start }
    }

    /// "The two sides" of talks between two states are their governments: a bare country
    /// code gets GOV.
    static func government(_ code: String) -> String {
        code.count == 3 && code.allSatisfy(\.isLetter) ? code + "GOV" : code
    }

    /// The code of an actor with an agent added, unless it already ends with it.
    static func append(_ code: String, _ agent: String) -> String { code.hasSuffix(agent) ? code : code + agent }

    /// Whether the words from `end` to `next` join two actors into one list: "and", "or",
    /// "nor", a comma or a hyphen, then "the" and up to two lower-case words ("Fornost and the
    /// evil awful Gondor").
    func joins(_ end: Int, _ next: Int) -> Bool {
        guard next > end else { return false }
        var index = end
        let first = upper[index]
        if first == "-" || first == "–" || first == "/" || first == "&" { return next == end + 1 }
        var joined = false
        if first == "," {
            joined = true
            index += 1
        }
        if index < next, ["AND", "OR", "NOR"].contains(upper[index]) {
            joined = true
            index += 1
        }
        guard joined else { return false }
        if index < next, upper[index] == "THE" { index += 1 }
        var adjectives = 0
        while index < next {
            let text = document.text(of: document.tokens[index])
            guard document.tokens[index].kind == .word, text.first?.isLowercase == true || text.first?.isUppercase == true && index == end + 1 else { return false }
            guard !Coder.prepositions.contains(upper[index]), dictionaries.verbs.forms[upper[index]] == nil || upper[index].hasSuffix("ED") == false else { return false }
            adjectives += 1
            if adjectives > 2 { return false }
            index += 1
        }
        return true
    }

    /// The preposition before a phrase starting at `start` (over "the").
    func preposition(before start: Int) -> String? {
        var index = start - 1
        if index >= 0, ["THE", "A", "AN", "ITS", "THEIR", "HIS", "HER"].contains(upper[index]) { index -= 1 }
        guard index >= 0, Coder.prepositions.contains(upper[index]) else { return nil }
        return upper[index]
    }

}
