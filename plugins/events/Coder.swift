import TidingsCore

/// The dictionaries a coder works with, read once.
struct Dictionaries: Sendable {
    var verbs: VerbDictionary
    /// Actors of the dictionary folder, when it has `.actors` files; else actors come from the
    /// entity plugin's mentions only.
    var actors: ActorTable?
    /// Agents (titles and roles) from the folder's `.agents` file.
    var agents: ActorTable
    var discards: Discards
    /// Event nouns read with a known pair of actors ("talks" between Russia and Japan).
    var nouns: [(words: [String], code: EventCode)]
    var codebook: Codebook
}

/// An actor in a sentence: its code and the words it was read from.
struct ActorRef: Sendable, Equatable {
    var code: String?
    var name: String
}

/// Actors that act together: "Russia and Japan", "the two sides", or one actor.
struct ActorGroup: Sendable {
    var start: Int
    var end: Int
    var members: [ActorRef]
    /// The preposition just before it ("in Tokyo"), upper case.
    var preposition: String?

    /// Two countries or more (RUS and RUSMIL are one party; `---OPP` is none).
    var isPair: Bool { Set(members.compactMap { $0.code.flatMap(Coder.party) }).count >= 2 }
}

/// A TABARI-style shallow coder: actors and verbs are found with the dictionaries, and the
/// grammar needed (subjects, objects, passives, negation, modality, compounds) is read from
/// word order and function words, without a parser.
struct Coder {
    let dictionaries: Dictionaries
    let document: AnalyzedDocument
    let mentions: [EntityMention]
    let upper: [String]
    let date: String?
    /// The pair of actors the document is about, once it names two together.
    var dyad: [ActorRef]?
    /// Token indices where the current sentence's verbs start ("agreed to lift"): pattern gaps
    /// do not run over another verb, and subjects are looked for across "agreed to".
    var verbStarts: Set<Int> = []
    var events: [CodedEvent] = []

    init(dictionaries: Dictionaries, document: AnalyzedDocument, mentions: [EntityMention]) {
        self.dictionaries = dictionaries
        self.document = document
        self.mentions = mentions
        upper = document.tokenTexts.map { $0.uppercased() }
        date = document.date
    }

    static let prepositions: Set<String> = [
        "IN", "AT", "FROM", "TO", "ON", "OF", "WITH", "BY", "FOR", "NEAR", "INTO", "OVER", "AGAINST", "BETWEEN", "TOWARD", "TOWARDS",
        "AFTER", "BEFORE", "DURING", "ABOUT", "UNDER", "AMONG", "INSIDE", "ACROSS", "THROUGH", "WITHIN", "OUTSIDE", "ALONG", "AROUND",
    ]
    static let determiners: Set<String> = [
        "A", "AN", "THE", "ITS", "THEIR", "HIS", "HER", "OUR", "MY", "YOUR", "THIS", "THESE", "THOSE", "'S", "’S", "EACH", "EVERY",
        "ANY", "SOME", "NO", "OF", "FIRST", "NEW", "LAST", "SUCH", "ANOTHER", "SAID", "FURTHER", "MORE", "LATEST", "RECENT",
    ]
    static let auxiliaries: Set<String> = [
        "TO", "WILL", "WOULD", "SHALL", "CAN", "COULD", "MAY", "MIGHT", "MUST", "SHOULD", "DID", "DO", "DOES", "NOT", "NEVER", "ALSO",
        "STILL", "JOINTLY", "AGAIN", "THEN", "ALREADY", "'LL", "HAVE", "HAS", "HAD", "BOTH", "ALL", "EVEN", "JUST", "FINALLY", "EVER",
    ]
    static let pronouns: Set<String> = ["HE", "SHE", "THEY", "WE", "I", "IT", "WHO", "WHICH", "THAT", "YOU"]
    static let beVerbs: Set<String> = ["IS", "ARE", "WAS", "WERE", "BE", "BEEN", "BEING", "'S", "GET", "GOT", "GETS"]
    static let relatives: Set<String> = ["WHICH", "THAT", "WHO"]
    /// "hundreds of UN troops": the actor after "of" is the subject.
    static let quantities: Set<String> = [
        "HUNDREDS", "THOUSANDS", "DOZENS", "SCORES", "TENS", "MILLIONS", "SOME", "MANY", "MOST", "ALL", "SEVERAL", "GROUP", "GROUPS",
        "NUMBER", "MEMBERS", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "BOTH", "EACH", "NONE",
        "UNIT", "UNITS", "TEAM", "TEAMS", "CONTINGENT", "BATCH", "BAND", "BUNCH",
    ]
    static let negations: Set<String> = ["NOT", "NEVER", "NO", "NOR", "NEITHER", "CANNOT"]
    /// "failed to resolve", "refused to meet", "were unable to reconcile": the act did not happen.
    static let failures: Set<String> = ["FAIL", "FAILS", "FAILED", "REFUSE", "REFUSES", "REFUSED", "DECLINE", "DECLINES", "DECLINED", "UNABLE"]
    static let hedges: Set<String> = ["MAY", "MIGHT", "COULD", "PROBABLY", "POSSIBLY", "POSSIBLE", "PERHAPS", "UNLIKELY", "IF", "WHETHER"]
    /// "agreed to meet", "promised to visit": CAMEO 036 is "offer, promise, agree to … meet,
    /// visit, or engage in talks".
    static let commitments: Set<String> = [
        "AGREE", "AGREES", "AGREED", "PROMISE", "PROMISES", "PROMISED", "OFFER", "OFFERS", "OFFERED", "PLEDGE", "PLEDGES", "PLEDGED",
        "VOW", "VOWS", "VOWED", "COMMITTED",
    ]
    /// "will visit": the one future PETRARCH does not change but CAMEO does (036 covers
    /// "will visit"); "is scheduled to attend" stays a visit, as PETRARCH codes it.
    static let futures: Set<String> = ["WILL", "WOULD", "SHALL", "'LL"]
    /// Words of wanting: "wants to attack" is a threat, "plans to visit" an intent to meet.
    static let intents: Set<String> = [
        "WANT", "WANTS", "WANTED", "INTEND", "INTENDS", "INTENDED", "PLAN", "PLANS", "PLANNED", "PLANNING", "HOPE", "HOPES", "HOPED",
        "HOPING", "SEEK", "SEEKS", "SOUGHT", "SEEKING", "AIM", "AIMS", "AIMED", "AIMING", "WISH", "WISHES", "WISHED",
    ]
    /// Words of asking: in "urged Bree to help" or "calls for Russia and Japan to sign", the
    /// help and the signing have not happened; the appeal is the event.
    static let appeals: Set<String> = [
        "CALL", "CALLS", "CALLED", "CALLING", "URGE", "URGES", "URGED", "URGING", "ASK", "ASKS", "ASKED", "ASKING", "PRESS", "PRESSED",
        "PRESSES", "REQUEST", "REQUESTED", "DEMAND", "DEMANDS", "DEMANDED", "INVITE", "INVITED", "INVITES", "INVITATION", "TELL", "TOLD",
        "ENCOURAGE", "ENCOURAGED", "APPEAL", "APPEALED", "APPEALS", "PERSUADE", "PERSUADED", "PERSUADING",
    ]
    /// "is about to", "were unable to", "is set to": words between a subject and "to" + verb.
    static let beforeTo: Set<String> = [
        "ABOUT", "ABLE", "UNABLE", "SET", "GOING", "READY", "EXPECTED", "SCHEDULED", "DUE", "LIKELY", "UNLIKELY", "PREPARED", "WILLING",
        "DETERMINED", "EAGER", "KEEN", "RELUCTANT", "SURE", "CERTAIN", "SUPPOSED", "TRYING", "TRIED", "SEEKING", "MOVING", "WORKING",
        "PREPARING", "FORCED", "BOUND", "POISED",
    ]
    /// Words that may stand between a subject and its verb: "Arnor on Thursday signed",
    /// "Hashimoto will reportedly visit".
    static let timeWords: Set<String> = [
        "ON", "LAST", "THIS", "NEXT", "WEEK", "MONTH", "YEAR", "TODAY", "YESTERDAY", "TONIGHT", "EARLIER", "LATER", "MONDAY",
        "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY", "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE",
        "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER", "NIGHT", "MORNING", "EVENING", "AFTERNOON", "ALSO",
        "NOW", "RECENTLY", "SOON", "ONCE", "OFFICIALLY", "REPORTEDLY", "BOTH", "ALL", "EACH", "THEMSELVES", "ITSELF",
    ]
    /// Words that end a clause: subjects and objects are not looked for across them.
    static let clauseEnds: Set<String> = [";", ":", ".", "BUT", "WHILE", "WHEREAS", "ALTHOUGH", "THOUGH", "BECAUSE"]
    /// Words after which an object is no longer the verb's: "delayed their meeting after a
    /// hafling was reported on the pass of Cirith Ungol".
    static let objectEnds: Set<String> = [",", "AFTER", "WHEN", "UNTIL", "SINCE", "BECAUSE", "IF", "UNLESS", "AS", "THAT", "WHICH", "WHO", "WHERE"]

    /// "the two sides", "both countries", "they": the document's pair of actors.
    static let anaphors: [[String]] = [
        ["THE", "TWO", "SIDES"], ["THE", "TWO", "COUNTRIES"], ["THE", "TWO", "NATIONS"], ["THE", "TWO", "GOVERNMENTS"],
        ["THE", "TWO", "NEIGHBOURS"], ["THE", "TWO", "NEIGHBORS"], ["THE", "TWO", "LEADERS"], ["THE", "TWO", "STATES"],
        ["BOTH", "SIDES"], ["BOTH", "COUNTRIES"], ["BOTH", "GOVERNMENTS"], ["THEY"],
    ]

    mutating func code() -> [CodedEvent] {
        let tokens = document.tokens
        guard !tokens.isEmpty else { return [] }
        if dictionaries.discards.story.contains(upper[...]) { return [] }
        for (index, sentence) in document.sentences.enumerated() {
            let range = sentence.tokens
            if dictionaries.discards.discards(upper[range])
                || dictionaries.discards.namesHistory(upper[range], documentYear: DatedCode.day(date).map { $0 / 10_000 })
            {
                continue
            }
            let groups = actorGroups(in: range)
            if Coder.tracing {
                Trace.write("events", "sentence \(index) actors: " + groups.map { group in
                    "[\(name(group.start, group.end)) = \(group.members.map { $0.code ?? "?" }.joined(separator: "+"))\(group.preposition.map { " after " + $0 } ?? "")]"
                }.joined(separator: " "))
            }
            codeVerbs(in: range, groups: groups, sentence: index)
            codeNouns(in: range, groups: groups, sentence: index)
        }
        return events
    }

    // MARK: Actors

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
        for start in range {
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

    // MARK: Verbs

    /// A verb found in a sentence: its words, and every dictionary entry written that way (a
    /// verb can be in several blocks).
    struct VerbHit {
        var start: Int
        var end: Int
        var forms: [VerbForm]
        var form: VerbForm { forms[0] }
    }

    func verbs(in range: Range<Int>, groups: [ActorGroup]) -> [VerbHit] {
        var hits: [VerbHit] = []
        var index = range.lowerBound
        while index < range.upperBound {
            var best: VerbHit?
            for form in dictionaries.verbs.forms[upper[index]] ?? [] where index + form.words.count <= range.upperBound {
                guard upper[index..<(index + form.words.count)].elementsEqual(form.words) else { continue }
                if best == nil || form.words.count > best!.end - best!.start {
                    best = VerbHit(start: index, end: index + form.words.count, forms: [form])
                } else if form.words.count == best!.end - best!.start {
                    best!.forms.append(form)
                }
            }
            if let hit = best, isVerb(hit, in: range, groups: groups) {
                hits.append(hit)
                index = hit.end
            } else {
                index += 1
            }
        }
        return hits
    }

    /// Whether a word that can be a verb is one here: "a visit", "the talks", "its attack"
    /// are nouns; "to visit", "will visit", "Arnor visits" are verbs.
    func isVerb(_ hit: VerbHit, in range: Range<Int>, groups: [ActorGroup]) -> Bool {
        guard hit.start > range.lowerBound else { return !hit.form.bare && !hit.form.plural }
        let previous = upper[hit.start - 1]
        if Coder.determiners.contains(previous) { return false }
        let word = upper[hit.start]
        // "-ing" after "is", "not", an adverb or a comma is a verb ("is hosting", ", offering");
        // elsewhere a noun or an adjective ("a new bombing", "the Russian building", "roads
        // leading into").
        if word.hasSuffix("ING") && !hit.form.bare {
            return Coder.beVerbs.contains(previous) || Coder.auxiliaries.contains(previous) || Coder.isNegation(previous) || isAdverb(previous)
                || previous == "," || Coder.pronouns.contains(previous)
        }
        if hit.form.bare || hit.form.plural {
            if Coder.auxiliaries.contains(previous) || Coder.pronouns.contains(previous) || isAdverb(previous) || Coder.isNegation(previous) { return true }
            // Right after a name: "Iran rejects" (an -S form); a bare form only after a plural
            // subject ("Russia and Japan sign"), else it is a noun ("Islamic State target").
            if document.tokens[hit.start - 1].kind == .word, hit.start - 1 > range.lowerBound,
                document.text(of: document.tokens[hit.start - 1]).first?.isUppercase == true
            {
                if hit.form.plural { return true }
                return groups.last(where: { $0.end == hit.start })?.members.count ?? 0 >= 2
            }
            return previous == "THEY" || previous == "WE" || previous == "I" || previous == "YOU"
        }
        return true
    }

    /// Where a pattern's terms matched: the last word's end, and the actors its markers found.
    struct PatternMatch {
        var pattern: VerbPattern
        /// The block the pattern belongs to (for the trace).
        var block = 0
        var end: Int
        var start: Int
        var source: ActorGroup?
        var target: ActorGroup?
    }

    func matches(_ term: PatternTerm.Kind, at index: Int, limit: Int) -> Int? {
        switch term {
        case .words(let words):
            guard index + words.count <= limit, upper[index..<(index + words.count)].elementsEqual(words) else { return nil }
            return index + words.count
        case .synset(let name):
            var best: Int?
            for phrase in dictionaries.verbs.synsets[name] ?? [] where index + phrase.count <= limit {
                if upper[index..<(index + phrase.count)].elementsEqual(phrase) { best = max(best ?? 0, index + phrase.count) }
            }
            return best
        case .source, .target, .skip:
            return nil
        }
    }

    static let afterGap = 10
    static let beforeGap = 4

    /// Matches a pattern's words after the verb (left to right, each within a few words of
    /// the last, not past a comma or another verb) and before it (right to left).
    func match(_ pattern: VerbPattern, hit: VerbHit, range: Range<Int>, groups: [ActorGroup]) -> PatternMatch? {
        var result = PatternMatch(pattern: pattern, end: hit.end, start: hit.start)
        var position = hit.end
        for term in pattern.after {
            switch term.kind {
            case .skip:
                // Over the next actor if one starts here, else over one word.
                if let group = groups.first(where: { $0.start >= position && $0.start - position <= 2 }) {
                    position = group.end
                } else if position < range.upperBound {
                    position += 1
                }
            case .source, .target:
                guard let group = groups.first(where: { $0.start >= position && $0.start - position <= (term.joined ? 0 : Coder.afterGap) }) else { return nil }
                if term.kind == .source { result.source = group } else { result.target = group }
                position = group.end
            default:
                var found: Int?
                var probe = position
                while probe < range.upperBound && probe - position <= (term.joined ? 0 : Coder.afterGap) {
                    if let end = matches(term.kind, at: probe, limit: range.upperBound) {
                        found = end
                        break
                    }
                    // Not past a comma or another verb; the object's words not past an actor
                    // either: "made his remarks in Doha at the start of a regional trip" is no trip
                    // made, while "met Gondor for talks" (a phrase) is talks.
                    if Coder.clauseEnds.contains(upper[probe]) || upper[probe] == "," || (probe > hit.end && verbStarts.contains(probe))
                        || (!term.inPhrase && groups.contains(where: { $0.start == probe }))
                    {
                        break
                    }
                    probe += 1
                }
                guard let end = found else { return nil }
                position = end
            }
        }
        result.end = position
        var back = hit.start
        var touching = pattern.beforeTouchesVerb
        for term in pattern.before.reversed() {
            let gap = touching ? 0 : Coder.beforeGap
            switch term.kind {
            case .skip:
                if let group = groups.last(where: { $0.end <= back && back - $0.end <= 2 }) { back = group.start } else if back > range.lowerBound { back -= 1 }
            case .source, .target:
                guard let group = groups.last(where: { $0.end <= back && back - $0.end <= gap }) else { return nil }
                if term.kind == .source { result.source = group } else { result.target = group }
                back = group.start
            default:
                var found: Int?
                var probe = back - 1
                while probe >= range.lowerBound && back - probe <= gap + 1 {
                    if let end = matches(term.kind, at: probe, limit: back), end == back || (!touching && end <= back) {
                        found = probe
                        break
                    }
                    if Coder.clauseEnds.contains(upper[probe]) { break }
                    probe -= 1
                }
                guard let start = found else { return nil }
                back = start
            }
            touching = term.joined
        }
        result.start = back
        return result
    }

    mutating func codeVerbs(in range: Range<Int>, groups: [ActorGroup], sentence: Int) {
        var codedInSentence = false
        let hits = verbs(in: range, groups: groups)
        let sentenceWords = Set(upper[range])
        verbStarts = Set(hits.map(\.start))
        // Verbs with their own subject or "to": an object is not looked for past them ("said he
        // would not provide support to Israel"); participles ("roads leading into Mordor") do not
        // count.
        let finiteVerbStarts = Set(hits.filter { hit in
            guard hit.start > range.lowerBound else { return false }
            let previous = upper[hit.start - 1]
            return Coder.auxiliaries.contains(previous) || Coder.isNegation(previous) || Coder.pronouns.contains(previous)
        }.map(\.start))
        var lastSubject: ActorGroup?
        var lastTarget: ActorGroup?
        for hit in hits {
            let infinitive = hit.start > range.lowerBound && upper[hit.start - 1] == "TO"
            // "agreed to lift the sanctions", "pledged to expel": the second verb is the event.
            // Appeals and failures stay ("urged Bree to help", "talks failed to resolve"): the
            // first verb is the event, and the second did not happen.
            if hit.end + 1 < range.upperBound, upper[hit.end] == "TO", verbStarts.contains(hit.end + 1),
                !upper[hit.start..<hit.end].contains(where: { Coder.appeals.contains($0) || Coder.failures.contains($0) })
            {
                skip(hit, "a verb before \"to\" + verb: the second is the event"); continue
            }
            // A purpose clause after an event is part of it: "met Assad to discuss …".
            if codedInSentence && infinitive { skip(hit, "purpose clause after an event"); continue }
            var best: PatternMatch?
            var seenBlocks: Set<Int> = []
            for form in hit.forms where seenBlocks.insert(form.block).inserted {
                let block = dictionaries.verbs.blocks[form.block]
                for pattern in block.patterns where pattern.needs.allSatisfy(sentenceWords.contains) && block.applies(pattern, to: form.base) {
                    guard var found = match(pattern, hit: hit, range: range, groups: groups) else { continue }
                    found.block = form.block
                    if best == nil || pattern.weight > best!.pattern.weight
                        || (pattern.weight == best!.pattern.weight && pattern.writtenFor.contains(form.base) && !best!.pattern.writtenFor.contains(form.base))
                    {
                        best = found
                    }
                }
            }
            let code = best?.pattern.code ?? hit.form.code ?? dictionaries.verbs.blocks[hit.form.block].code
            guard !code.isNone else {
                // A verb that codes nothing ("said") still has a subject for what follows ("he").
                if let subject = self.subject(before: hit.start, in: range, groups: groups) { lastSubject = subject }
                skip(hit, "no code")
                continue
            }
            let phraseStart = best?.start ?? hit.start, phraseEnd = best?.end ?? hit.end

            // Who: a passive's "by" phrase, a pattern's markers, else the subject and object.
            var source = best?.source
            var target = best?.target
            var subject = self.subject(before: hit.start, in: range, groups: groups, patternWords: phraseStart..<hit.start)
            // "condemned an attack … and promised aid": the subject of the verb before; so is "he"
            // in "Obama said he would not …".
            if subject == nil, coordinated(phraseStart, in: range) || pronounSubject(before: hit.start, in: range) { subject = lastSubject }
            // "Talks in Tokyo failed": the pattern names the event; its parties are the pair of
            // actors the sentence names.
            if subject == nil, let best, best.start < hit.start { subject = groups.first { $0.isPair } }
            if hit.forms.contains(where: \.participle), source == nil, isPassive(hit, range: range), let agent = byPhrase(after: hit.end, range: range, groups: groups) {
                source = agent
                if target == nil { target = subject }
                if target == nil { skip(hit, "passive without a target"); continue }
            }
            // "issued warrants for two Brazilian men sought in …": a verb straight after the last
            // event's object, with no "and" or "who" between, describes that object.
            if let subject, let lastTarget, subject.start == lastTarget.start, hit.form.participle, source == nil,
                upper[lastTarget.end..<hit.start].allSatisfy({ isAdverb($0) })
            {
                skip(hit, "describes the object before it")
                continue
            }
            if source == nil { source = subject }
            if let subject { lastSubject = subject }
            guard let source else { skip(hit, "no source"); continue }
            if target == nil {
                let passive = hit.forms.contains(where: \.participle) && isPassive(hit, range: range)
                target = groups.first { group in
                    group.start >= hit.end && group.start - hit.end <= 12 && group.start != source.start && !(passive && group.preposition == "BY")
                        && !upper[hit.end..<group.start].contains(where: { Coder.clauseEnds.contains($0) || Coder.objectEnds.contains($0) })
                        && !(hit.end..<group.start).contains(where: { finiteVerbStarts.contains($0) })
                }
            }

            // Negation, hedges, appeals, intent and future.
            let windowStart = max(range.lowerBound, min(source.end, phraseStart), phraseStart - 12)
            let window = upper[windowStart..<phraseStart]
            let usedByPattern = best.map { $0.start..<hit.start } ?? hit.start..<hit.start
            let negated = window.indices.contains { !usedByPattern.contains($0) && Coder.isNegation(upper[$0]) }
            let failed = window.indices.contains { !usedByPattern.contains($0) && Coder.failures.contains(upper[$0]) && $0 + 1 < phraseStart && upper[$0 + 1] == "TO" }
            var refusal: String?
            if negated, !failed, let forward = code.forward { refusal = Coder.refusal(forward) }
            if (negated || failed) && refusal == nil { skip(hit, "negated (\(code.forward ?? "-"), pattern line \(best?.pattern.line ?? 0))"); continue }
            if window.contains(where: Coder.hedges.contains) { skip(hit, "hedged"); continue }
            let wantsTo = window.contains("TO")
            if wantsTo && before(windowStart, in: range, contains: Coder.appeals) { skip(hit, "asked for, not done"); continue }
            var forward = code.forward
            var reverse = code.reverse
            if let refusal {
                // "would not provide support": a refusal (CAMEO 12), not the support.
                forward = refusal
                reverse = nil
            } else if wantsTo && before(windowStart, in: range, contains: Coder.intents) {
                forward = forward.map(Coder.intent)
                reverse = nil
            } else if wantsTo && before(windowStart, in: range, contains: Coder.commitments), forward?.hasPrefix("04") == true {
                // Agreeing to meet is CAMEO 036, not the meeting.
                forward = "036"
                reverse = nil
            } else if window.contains(where: Coder.futures.contains) {
                // A visit that has not happened is an intent to visit (CAMEO 036).
                if let code = forward, code.hasPrefix("042") || code.hasPrefix("043") {
                    forward = "036"
                    reverse = nil
                }
            }
            let pairs: [(ActorRef, ActorRef)]
            let sameParties = target.map { Set($0.members.compactMap { $0.code?.prefix(3) }) == Set(source.members.compactMap { $0.code?.prefix(3) }) } ?? false
            if source.isPair && sameParties {
                // "Russia and Japan failed to resolve differences between the two countries".
                pairs = source.members.flatMap { from in source.members.map { (from, $0) } }
            } else if let target, target.start != source.start {
                pairs = source.members.flatMap { from in target.members.map { (from, $0) } }
            } else if source.isPair {
                pairs = source.members.flatMap { from in source.members.map { (from, $0) } }
            } else {
                continue
            }
            let start = document.tokens[phraseStart].start, end = document.tokens[phraseEnd - 1].end
            var emitted = false
            for (from, to) in pairs {
                guard let fromCode = from.code, let toCode = to.code, fromCode != toCode, !Coder.sameCountry(fromCode, toCode) else { continue }
                if let forward { emitted = add(from, to, forward, sentence: sentence, start: start, end: end) || emitted }
                if let reverse, target != nil, !sameParties { emitted = add(to, from, reverse, sentence: sentence, start: start, end: end) || emitted }
            }
            codedInSentence = codedInSentence || emitted
            if emitted { lastTarget = target }
            if Coder.tracing {
                let blockName = dictionaries.verbs.blocks[best?.block ?? hit.form.block].name
                Trace.write("events", "sentence \(sentence): \(upper[hit.start..<hit.end].joined(separator: " ")) [\(blockName)] pattern line \(best?.pattern.line ?? 0) code \(forward ?? "-"):\(reverse ?? "-") source \(source.members.map { $0.code ?? "?" }) target \(target?.members.map { $0.code ?? "?" } ?? [])")
            }
        }
    }

    static let tracing = Trace.isOn("events")

    func skip(_ hit: VerbHit, _ reason: String) {
        if Coder.tracing { Trace.write("events", "\(upper[hit.start..<hit.end].joined(separator: " ")): not coded, \(reason)") }
    }

    /// "reportedly", "jointly"; not "supply" or "rally", which the verb dictionary knows.
    func isAdverb(_ word: String) -> Bool {
        word.count > 4 && word.hasSuffix("LY") && dictionaries.verbs.forms[word] == nil
    }

    /// The party an actor code belongs to: its country (RUS of RUSMIL) or international or
    /// non-state head (IGO…), none for an agent of unknown country (`---OPP`).
    static func party(_ code: String) -> String? {
        let head = String(code.prefix(3))
        return head.allSatisfy(\.isLetter) ? head : nil
    }

    /// RUS and RUSGOV: a country and its own government are not two parties to an event.
    static func sameCountry(_ a: String, _ b: String) -> Bool {
        (a.count == 3 || b.count == 3) && a.prefix(3) == b.prefix(3)
    }

    static func isNegation(_ word: String) -> Bool { negations.contains(word) || word.hasSuffix("N'T") || word.hasSuffix("N’T") }

    /// Whether one of `words` comes shortly before a "to" that precedes the verb: "wants to
    /// attack", "calls for Russia and Japan to sign".
    func before(_ start: Int, in range: Range<Int>, contains words: Set<String>) -> Bool {
        let from = max(range.lowerBound, start - 8)
        let upTo = upper[start..<range.upperBound].firstIndex(of: "TO") ?? start
        return upper[from..<upTo].contains(where: words.contains)
    }

    /// The refusal that "not" makes of giving something: material cooperation (06) → 121
    /// Reject material cooperation, aid (07) → 122 Reject request for aid, yielding (08) → 124
    /// Refuse to yield. Other negated events are not coded at all.
    static func refusal(_ code: String) -> String? {
        switch code.prefix(2) {
        case "06": return "121"
        case "07": return "122"
        case "08": return "124"
        default: return nil
        }
    }

    /// The intended form of an event: a visit or talks one means to hold is 036, help one
    /// means to give is 033, an attack one means to make is a threat (138).
    static func intent(_ code: String) -> String {
        switch code.prefix(2) {
        case "04": return "036"
        case "05": return "032"
        case "06": return "031"
        case "07": return "033"
        case "08": return "035"
        case "14": return "133"
        case "16": return "131"
        case "17": return "137"
        case "15", "18", "19", "20": return "138"
        default: return code
        }
    }

    /// The subject of a verb starting at `start`: walking back over auxiliaries, adverbs, time
    /// phrases ("on Thursday") and one appositive between commas, the phrase reached must be an
    /// actor that is not the object of a preposition ("in Tokyo"). After "which"/"who", the
    /// phrase before that word. Anything else there (a noun: "relations between Russia and
    /// Japan took …") means the subject is not an actor.
    func subject(before start: Int, in range: Range<Int>, groups: [ActorGroup], patternWords: Range<Int> = 0..<0) -> ActorGroup? {
        var index = start - 1
        var appositive = false
        var passedPhrase = false
        var passedNoun = false
        while index >= range.lowerBound {
            let word = upper[index]
            let groupEndsHere = groups.contains { $0.end == index + 1 }
            if !groupEndsHere && patternWords.contains(index) {
                // Words the pattern used ("$ TROOP *", "FAILED_TO_*").
                index -= 1
                continue
            }
            if Coder.auxiliaries.contains(word) || Coder.beVerbs.contains(word) || Coder.timeWords.contains(word) || Coder.isNegation(word)
                || isAdverb(word) || document.tokens[index].kind == .number
                || (index + 1 < range.upperBound && upper[index + 1] == "TO"
                    && (verbStarts.contains(index) || Coder.intents.contains(word) || Coder.beforeTo.contains(word)))
            {
                index -= 1
                continue
            }
            if Coder.relatives.contains(word) {
                var before = index - 1
                if before >= range.lowerBound, upper[before] == "," { before -= 1 }
                return groups.last { $0.end == before + 1 }
            }
            if let group = groups.last(where: { $0.end == index + 1 }) {
                guard let preposition = group.preposition else { return group }
                // "hundreds of UN troops".
                var prepositionIndex = group.start - 1
                if upper[prepositionIndex] == "THE" { prepositionIndex -= 1 }
                if preposition == "OF", prepositionIndex > range.lowerBound, Coder.quantities.contains(upper[prepositionIndex - 1]) { return group }
                // "The US commander in Iraq, …, held talks": over the place to the head.
                if ["IN", "OF", "FROM", "AT", "FOR"].contains(preposition), !passedPhrase {
                    passedPhrase = true
                    index = prepositionIndex - 1
                    continue
                }
                return nil
            }
            // "The US State department", "the Russian building": an actor before a head noun.
            if !passedNoun, document.tokens[index].kind == .word, !Coder.prepositions.contains(word), !Coder.determiners.contains(word),
                !verbStarts.contains(index), !Coder.pronouns.contains(word), word != "AND", word != "OR"
            {
                for back in 1...2 where index - back >= range.lowerBound {
                    if let group = groups.last(where: { $0.end == index - back + 1 }), group.preposition == nil {
                        let between = upper[(index - back + 1)...index]
                        if between.allSatisfy({ !Coder.prepositions.contains($0) && !Coder.determiners.contains($0) && $0 != "," && $0 != "AND" }) {
                            return group
                        }
                    }
                }
                passedNoun = true
            }
            // ", its biggest trading partner," between the subject and the verb.
            if word == ",", !appositive {
                var open = index - 1
                while open >= range.lowerBound, open > index - 10, upper[open] != "," { open -= 1 }
                if open >= range.lowerBound, upper[open] == ",", open < index - 1 {
                    appositive = true
                    index = open - 1
                    continue
                }
            }
            return nil
        }
        return nil
    }

    /// Whether the subject of the verb at `start` is "he", "she" or "it".
    func pronounSubject(before start: Int, in range: Range<Int>) -> Bool {
        var index = start - 1
        while index >= range.lowerBound, Coder.auxiliaries.contains(upper[index]) || Coder.beVerbs.contains(upper[index]) || isAdverb(upper[index])
            || Coder.isNegation(upper[index])
        {
            index -= 1
        }
        return index >= range.lowerBound && ["HE", "SHE", "IT"].contains(upper[index])
    }

    /// Whether "and" (over adverbs and auxiliaries) comes just before `start`.
    func coordinated(_ start: Int, in range: Range<Int>) -> Bool {
        var index = start - 1
        while index >= range.lowerBound, Coder.auxiliaries.contains(upper[index]) || isAdverb(upper[index]) { index -= 1 }
        return index >= range.lowerBound && upper[index] == "AND"
    }

    /// A participle after a form of "be" ("was attacked by"), or straight before "by" ("one
    /// proposed by Tokyo").
    func isPassive(_ hit: VerbHit, range: Range<Int>) -> Bool {
        if hit.end < range.upperBound && upper[hit.end] == "BY" { return true }
        var index = hit.start - 1
        var steps = 0
        while index >= range.lowerBound && steps < 3 {
            if Coder.beVerbs.contains(upper[index]) { return true }
            if !(isAdverb(upper[index]) || upper[index] == "NOT") { return false }
            index -= 1
            steps += 1
        }
        return false
    }

    func byPhrase(after end: Int, range: Range<Int>, groups: [ActorGroup]) -> ActorGroup? {
        groups.first { $0.preposition == "BY" && $0.start > end && $0.start - end <= 4 }
    }

    // MARK: Nouns

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
