import TidingsPluginKit

/// Coding verbs: dictionary hits, patterns, subjects and objects, negation and intent.
extension Coder {

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
            // The first word first: most probes fail on it, without comparing slices.
            guard index + words.count <= limit, words.isEmpty || upper[index] == words[0], upper[index..<(index + words.count)].elementsEqual(words) else { return nil }
            return index + words.count
        case .synset(let name):
            var best: Int?
            for phrase in dictionaries.verbs.synsets[name] ?? [] where index + phrase.count <= limit && (phrase.isEmpty || upper[index] == phrase[0]) {
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
        // The sentence's words, made when a verb first has patterns to rule out (most
        // sentences' verbs are skipped or code nothing before that).
        var sentenceWordSet: Set<String>?
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
                if sentenceWordSet == nil && !block.patterns.isEmpty { sentenceWordSet = Set(upper[range]) }
                let sentenceWords = sentenceWordSet ?? []
                // By index: most patterns fail on the words they need, and are not copied.
                for patternIndex in block.patterns.indices where block.patterns[patternIndex].needs.allSatisfy(sentenceWords.contains) {
                    let pattern = block.patterns[patternIndex]
                    guard block.applies(pattern, to: form.base) else { continue }
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

}
