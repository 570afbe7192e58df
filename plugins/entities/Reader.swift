import TidingsPluginKit

/// Reads one document: the rules of ``EntityExtractor``, in one left-to-right pass per sentence.
struct Reader {
    let document: AnalyzedDocument
    let dictionary: ActorDictionary
    let agents: [String: String]
    let guessUnknown: Bool
    let tokens: [Token]
    let texts: [String]
    let upper: [String]
    let lower: [String]
    /// Each token's word classes (one look-up per token).
    let classes: [Titles.WordClass]
    /// Words written in lower case somewhere in the document ("talks" makes "Talks" a word).
    let lowerWords: Set<String>
    var mentions: [EntityMention] = []
    /// People named in full so far, by surname (upper case): later "Hashimoto" is them.
    var people: [String: EntityMention] = [:]

    init(document: AnalyzedDocument, dictionary: ActorDictionary, agents: [String: String], wordClasses: [String: Titles.WordClass], guessUnknown: Bool) {
        self.document = document
        self.dictionary = dictionary
        self.agents = agents
        self.guessUnknown = guessUnknown
        tokens = document.tokens
        texts = document.tokenTexts
        upper = document.upperTokenTexts
        lower = document.lowerTokenTexts
        classes = upper.map { wordClasses[$0] ?? [] }
        var lowerWords = Set<String>()
        for (index, token) in tokens.enumerated() where Reader.startsLowercase(document.scalars, token) { lowerWords.insert(texts[index]) }
        self.lowerWords = lowerWords
    }

    /// Whether a token's first character is lower case: by its first code point when that and
    /// the next are ASCII (a character of its own), else as the character says.
    static func startsLowercase(_ scalars: [Unicode.Scalar], _ token: Token) -> Bool {
        guard token.start < token.end else { return false }
        let first = scalars[token.start].value
        if first < 0x80, token.end == token.start + 1 || scalars[token.start + 1].value < 0x80 { return first >= 0x61 && first <= 0x7A }
        return String(scalars: scalars[token.start..<token.end]).first?.isLowercase == true
    }

    func has(_ index: Int, _ wordClass: Titles.WordClass) -> Bool { classes[index].contains(wordClass) }

    /// Whether a title can begin at this token (cheap; most words cannot): a title's first
    /// word, or MINISTER or SECRETARY within three tokens.
    func couldStartTitle(_ index: Int) -> Bool {
        guard index < classes.count else { return false }
        if classes[index].contains(.titleFirst) { return true }
        for offset in 1...3 where index + offset < classes.count {
            if classes[index + offset].contains(.ministerial) { return true }
        }
        return false
    }

    func matchTitle(from index: Int) -> (end: Int, agent: String?)? {
        couldStartTitle(index) ? Titles.match(upper, from: index, agents: agents) : nil
    }

    func isWord(_ index: Int) -> Bool { tokens[index].kind == .word || tokens[index].kind == .abbreviation }

    func isCapitalized(_ index: Int) -> Bool {
        guard isWord(index) else { return false }
        let first = document.scalars[tokens[index].start]
        return first.value < 0x80 ? (first.value >= 0x41 && first.value <= 0x5A) : first.properties.isUppercase
    }

    /// Tokens touch (no space between): "Russian-Japanese".
    func touching(_ left: Int, _ right: Int) -> Bool { tokens[left].end == tokens[right].start }

    mutating func read() -> [EntityMention] {
        for (sentenceIndex, sentence) in document.sentences.enumerated() {
            let range = sentence.tokens
            let words = range.filter(isWord)
            let capitals = words.filter { texts[$0] == upper[$0] && texts[$0] != lower[$0] && texts[$0].count > 1 }.count
            let headline = words.count >= 3 && capitals * 10 >= words.count * 6
            var index = range.lowerBound
            while index < range.upperBound {
                if let next = readTitledPerson(at: index, in: range, sentence: sentenceIndex) {
                    index = next
                } else if let next = readDictionaryName(at: index, in: range, sentence: sentenceIndex, headline: headline) {
                    index = next
                } else if !headline, let next = readCapitalisedRun(at: index, in: range, sentence: sentenceIndex) {
                    index = next
                } else {
                    index += 1
                }
            }
        }
        return mentions
    }

    // MARK: titles

    /// "Japanese Foreign Minister Masahiko Komura", "former Prime Minister Hashimoto", "Gen. Ivanov".
    mutating func readTitledPerson(at start: Int, in range: Range<Int>, sentence: Int) -> Int? {
        // Most words start no title, nor a nationality before one: a cheap look first.
        guard (start..<min(start + 4, range.upperBound)).contains(where: couldStartTitle)
        else { return nil }
        var index = start
        var former = false
        if upper[index] == "FORMER" || upper[index] == "EX" || upper[index] == "LATE" {
            former = true
            index += 1
        }
        // A nationality or country before the title gives the country.
        var country: String?
        if index < range.upperBound,
            let match = dictionary.longestMatch(upper, from: index, kinds: [.nationality, .country], accept: { $0 < range.upperBound && isCapitalized($0) }),
            match.end < range.upperBound, matchTitle(from: match.end) != nil
        {
            country = dictionary.actors[match.actor].country(on: document.date)
            emit(start: index, end: match.end, label: match.kind == .nationality ? "NORP" : "GPE",
                 canonical: match.kind == .nationality ? texts[index..<match.end].joined(separator: " ") : dictionary.name(of: match.actor),
                 country: country, actor: country, role: nil, sentence: sentence)
            index = match.end
        }
        guard index < range.upperBound, let title = matchTitle(from: index) else {
            if country != nil { return index }  // the nationality was read; nothing more here
            return nil
        }
        // Titles are capitalised before a name ("Foreign Minister Komura"); "the minister" is not one.
        guard isCapitalized(index) || former else { return country != nil ? index : nil }
        var nameStart = title.end
        if nameStart < range.upperBound && texts[nameStart] == "." { nameStart += 1 }
        guard nameStart < range.upperBound, isCapitalized(nameStart), !has(nameStart, .stopword) else {
            return country != nil ? index : nil
        }
        var nameEnd = nameStart
        while nameEnd < range.upperBound, nameEnd - nameStart < 6 {
            // "Bashar al-Assad", "Osama bin Laden", "Sergio Vieira de Mello".
            if nameEnd > nameStart, has(nameEnd, .nameParticle), nameEnd + 1 < range.upperBound {
                let after = texts[nameEnd + 1] == "-" && touching(nameEnd, nameEnd + 1) ? nameEnd + 2 : nameEnd + 1
                if after < range.upperBound, isCapitalized(after) {
                    nameEnd = after + 1
                    continue
                }
            }
            if nameEnd > nameStart, texts[nameEnd] == "-", touching(nameEnd - 1, nameEnd), nameEnd + 1 < range.upperBound,
                touching(nameEnd, nameEnd + 1), isCapitalized(nameEnd + 1)
            {
                nameEnd += 2
                continue
            }
            guard isCapitalized(nameEnd), !has(nameEnd, .stopword), !has(nameEnd, .organisationWord), nameEnd - nameStart < 4 else {
                break
            }
            // A place or nationality right after the name ends it ("President Bush Tuesday" aside).
            if nameEnd > nameStart, let match = dictionary.longestMatch(upper, from: nameEnd, accept: { _ in true }),
                match.kind != .person
            {
                break
            }
            nameEnd += 1
        }
        guard nameEnd > nameStart else { return nil }
        var roleEnd = title.end
        while roleEnd > index + 1 && texts[roleEnd - 1] == "." { roleEnd -= 1 }  // "Gen." → "Gen"
        let role = (former ? "former " : "") + document.text(tokens[index].start, tokens[roleEnd - 1].end)
        let known = dictionary.longestMatch(upper, from: nameStart, accept: { $0 < nameEnd })
        let person = known.flatMap { $0.kind == .person && $0.end == nameEnd ? dictionary.actors[$0.actor] : nil }
        let fromTitle = country.flatMap { country in title.agent.map { country + (former ? "ELI" : $0) } }
        let actor = fromTitle ?? person?.code(on: document.date)
        emit(
            start: nameStart, end: nameEnd, label: "PER", canonical: person?.canonical ?? texts[nameStart..<nameEnd].joined(separator: " "),
            country: country ?? person?.country(on: document.date), actor: actor, role: role, sentence: sentence)
        return nameEnd
    }

    // MARK: dictionary

    mutating func readDictionaryName(at index: Int, in range: Range<Int>, sentence: Int, headline: Bool) -> Int? {
        // "al-Qaida", "el-Baradei": a lower-case particle joined to a capitalised word.
        let joinedParticle = index + 2 < range.upperBound && has(index, .particle) && texts[index + 1] == "-"
            && touching(index, index + 1) && isCapitalized(index + 2)
        guard isWord(index), isCapitalized(index) || headline || joinedParticle else { return nil }
        guard let match = dictionary.longestMatch(upper, from: index, accept: { position in
            position < range.upperBound && (isCapitalized(position) || has(position, .particle) || !isWord(position))
        }) else { return nil }
        // A lone word that is also written in lower case, opening a sentence, is a word ("China" is fine; "Chad" may not be).
        if match.end - index == 1 && index == range.lowerBound && lowerWords.contains(lower[index]) { return nil }
        let actor = dictionary.actors[match.actor]
        var end = match.end
        var label: String
        switch match.kind {
        case .country: label = "GPE"
        case .place: label = "GPE"
        case .nationality: label = "NORP"
        case .person: label = "PER"
        case .organisation: label = Titles.placeLikeOrganisations.contains(upper[index..<match.end].joined(separator: " ")) ? "LOC" : "ORG"
        }
        if match.kind == .place && ActorDictionary.isNaturalPlace(Array(upper[index..<match.end])) { label = "LOC" }
        // "Russian-Japanese": two nationalities joined by a hyphen are one.
        if match.kind == .nationality, end + 1 < range.upperBound, texts[end] == "-", touching(end - 1, end), touching(end, end + 1),
            let second = dictionary.longestMatch(upper, from: end + 1, accept: { $0 < range.upperBound }), second.kind == .nationality
        {
            end = second.end
            emit(start: index, end: end, label: "NORP", canonical: texts[index..<end].joined(), country: actor.country(on: document.date), actor: nil,
                 role: nil, sentence: sentence)
            return end
        }
        // Two nationality words in a row are one: "Bosnian Serb", "Iraqi Kurdish".
        if match.kind == .nationality, end < range.upperBound, isCapitalized(end),
            let secondEnd = dictionary.longestMatch(upper, from: end, kinds: [.nationality], accept: { $0 < range.upperBound && isCapitalized($0) })?.end
                ?? (Titles.groups.contains(upper[end]) || ActorDictionary.irregularDemonyms.contains(upper[end]) ? end + 1 : nil)
        {
            let second = (end: secondEnd, actor: match.actor, kind: ActorDictionary.Kind.nationality)
            emit(start: index, end: second.end, label: "NORP", canonical: texts[index..<second.end].joined(separator: " "),
                 country: actor.country(on: document.date), actor: actor.country(on: document.date), role: nil, sentence: sentence)
            return second.end
        }
        if match.kind == .nationality, end < range.upperBound, isCapitalized(end), Titles.groups.contains(upper[end]) {
            emit(start: index, end: end + 1, label: "NORP", canonical: texts[index...end].joined(separator: " "),
                 country: actor.country(on: document.date), actor: actor.country(on: document.date), role: nil, sentence: sentence)
            return end + 1
        }
        // An organisation's name may go on: "United Nations Security Council".
        if match.kind == .organisation, end < range.upperBound, isCapitalized(end), let organisation = organisationRun(from: end, in: range) {
            emit(start: index, end: organisation, label: "ORG", canonical: texts[index..<organisation].joined(separator: " "),
                 country: actor.country(on: document.date), actor: actor.code(on: document.date), role: nil, sentence: sentence)
            return organisation
        }
        // A leader's name may go on: "Abu Musab al-Zarqawi".
        if match.kind == .person, end + 1 < range.upperBound, has(end, .nameParticle) {
            let after = texts[end + 1] == "-" && touching(end, end + 1) ? end + 2 : end + 1
            if after < range.upperBound, isCapitalized(after) {
                emit(start: index, end: after + 1, label: "PER", canonical: texts[index...after].joined(separator: " "), country: actor.country(on: document.date),
                     actor: actor.code(on: document.date), role: nil, sentence: sentence)
                return after + 1
            }
        }
        // An event after a nationality or a place: "Australian Open", "Kyoto Protocol".
        if match.kind == .nationality || match.kind == .place || match.kind == .country, end < range.upperBound, isCapitalized(end),
            Titles.eventNouns.contains(upper[end])
        {
            emit(start: index, end: end + 1, label: "MISC", canonical: texts[index...end].joined(separator: " "), country: actor.country(on: document.date),
                 actor: nil, role: nil, sentence: sentence)
            return end + 1
        }
        // A nationality or country before an organisation word is part of its name ("Japanese
        // Foreign Ministry", "U.S. Geological Survey").
        if match.kind == .nationality || match.kind == .country || match.kind == .place, end < range.upperBound, isCapitalized(end),
            let organisation = organisationRun(from: end, in: range), organisation > end
        {
            emit(start: index, end: organisation, label: "ORG", canonical: texts[index..<organisation].joined(separator: " "),
                 country: actor.country(on: document.date), actor: actor.country(on: document.date).map { $0 + "GOV" }, role: nil, sentence: sentence)
            return organisation
        }
        let canonical: String
        switch match.kind {
        case .nationality: canonical = texts[index..<end].joined(separator: " ")
        case .place: canonical = ActorDictionary.canonical(upper[index..<end].joined(separator: "_"))
        default: canonical = dictionary.name(of: match.actor)
        }
        emit(start: index, end: end, label: label, canonical: canonical, country: actor.country(on: document.date),
             actor: match.kind == .nationality ? actor.country(on: document.date) : actor.code(on: document.date), role: nil, sentence: sentence)
        return end
    }

    /// "Foreign Ministry", "Liberal Democratic Party": capitalised words up to and including
    /// an organisation word; the end index, if there is one.
    func organisationRun(from start: Int, in range: Range<Int>) -> Int? {
        var index = start
        var last: Int?
        while index < range.upperBound, index - start < 6, isCapitalized(index) || (index > start && has(index, .particle)) {
            if has(index, .organisationWord) { last = index + 1 }
            index += 1
        }
        return last
    }

    // MARK: patterns

    mutating func readCapitalisedRun(at start: Int, in range: Range<Int>, sentence: Int) -> Int? {
        // Most tokens start no run: the particle cases only for name particles.
        let nameParticle = has(start, .nameParticle)
        // "al-Zarqawi": a lower-case particle joined to a name.
        let hyphenParticle = nameParticle && start + 2 < range.upperBound && texts[start + 1] == "-"
            && touching(start, start + 1) && touching(start + 1, start + 2) && isCapitalized(start + 2)
        // "bin Laden", "al Qaida": the particle alone before a name.
        let spacedParticle = nameParticle && ["BIN", "IBN", "AL", "EL"].contains(upper[start]) && texts[start] == lower[start]
            && start + 1 < range.upperBound && isCapitalized(start + 1) && !has(start + 1, .stopword)
        let particleStart = hyphenParticle || spacedParticle
        guard particleStart || isCapitalized(start) else { return nil }
        if !particleStart && has(start, .stopword) {
            // A stopword starts a run only as an acronym ("IT" is one; "The" is not).
            let acronym = texts[start] == upper[start] && texts[start].count >= 2 && texts[start].count <= 6 && texts[start].allSatisfy(\.isLetter)
            guard acronym else { return nil }
        }
        var end = hyphenParticle ? start + 3 : (spacedParticle ? start + 2 : start + 1)
        while end < range.upperBound {
            if isCapitalized(end) && !has(end, .stopword) {
                // A known name ends the run, unless the run so far only says where ("South Darfur",
                // "Latin America").
                let onlyDirections = (start..<end).allSatisfy { has($0, .compass) }
                if !onlyDirections, dictionary.longestMatch(upper, from: end, accept: { $0 < range.upperBound && isCapitalized($0) }) != nil,
                    !has(end, .organisationWord), !has(end, .naturalPlace)
                {
                    break
                }
                end += 1
                continue
            }
            // "Bank of Japan", "Ministry of Foreign Affairs".
            if has(end, .particle), end + 1 < range.upperBound, isCapitalized(end + 1),
                has(end - 1, .organisationWord) || Titles.organisationWords.contains(upper[end - 1] + "S")
            {
                end += 2
                continue
            }
            // "Al-Qaida", "Nancy-Amelia", "Ki-moon": joined by a hyphen without spaces.
            if texts[end] == "-", end + 1 < range.upperBound, touching(end - 1, end), touching(end, end + 1), isWord(end + 1),
                isCapitalized(end + 1) || texts[end + 1].count <= 5
            {
                end += 2
                continue
            }
            // "Moqtada al-Sadr", "Osama bin Laden".
            if has(end, .nameParticle), end + 1 < range.upperBound {
                let after = texts[end + 1] == "-" && touching(end, end + 1) ? end + 2 : end + 1
                if after < range.upperBound, isCapitalized(after), !has(after, .stopword) {
                    end = after + 1
                    continue
                }
            }
            // "World War II".
            if ["II", "III", "IV", "V", "VI"].contains(texts[end]) {
                end += 1
                continue
            }
            break
        }
        let words = Array(upper[start..<end])
        let first = start == range.lowerBound
        let previous = start > range.lowerBound ? upper[start - 1] : ""
        let next = end < range.upperBound ? upper[end] : ""
        // The word classes of the tokens before and after the run (none at the sentence's edges).
        let before: Titles.WordClass = start > range.lowerBound ? classes[start - 1] : []
        let after: Titles.WordClass = end < range.upperBound ? classes[end] : []
        let run = start..<end
        var label: String?
        var canonical = texts[start..<end].joined(separator: " ")
        var known: EntityMention?
        if words.count == 1 && (has(start, .notAcronym) || texts[start].contains(where: \.isNumber)) {
            return end  // GDP, FALSE, H5N1: no names
        } else if words.count == 1 && has(start, .institution) && !lowerWords.contains(lower[start]) {
            label = "ORG"  // Congress, Parliament, the Army
        } else if words.count == 1 && has(start, .organisationWord) && previous == "THE" && !first
            && !lowerWords.contains(lower[start])
        {
            label = "ORG"  // "the Council", "the Brotherhood": an organisation named before
        } else if words.count == 1 && has(start, .organisationWord) && texts[start] != upper[start]
            && !after.contains(.organisationNoun)
        {
            return end  // a lone "News", "Office"
        } else if words.count == 1 && has(start, .compass) && ["EAST", "WEST", "NORTH", "SOUTH"].contains(words[0]) && !first {
            label = "LOC"  // "the West"
        } else if words.count == 1 && has(start, .region) {
            label = "LOC"
        } else if run.allSatisfy({ has($0, .weak) }) {
            return end  // "State", "National": adjectives without a name
        } else if run.allSatisfy({ has($0, .group) }) {
            label = "NORP"  // "Sunni Arab", "Shi'ite Muslims"
        } else if words.count >= 2 && has(start, .compass) {
            // "Middle East", "South Asia"; "Middle Eastern", "South Asian" are peoples' words.
            label = ActorDictionary.demonymEndings.contains(where: { words.last!.hasSuffix($0) }) && words.last!.count > 4 ? "NORP" : "LOC"
        } else if words.count > 1 && has(start, .eventWord) || run.contains(where: { has($0, .eventNoun) }) {
            label = "MISC"  // Hurricane Katrina, World Cup, Olympic Games
        } else if run.contains(where: { has($0, .organisationWord) }) {
            label = "ORG"
        } else if words.count > 1 && run.contains(where: { has($0, .naturalPlace) }) || (words.count == 2 && words[0] == "FAR" && words[1] == "EAST") {
            label = "LOC"
        } else if run.allSatisfy({ has($0, .group) }) {
            label = "NORP"
        } else if words.count == 1, let person = people[words[0]] {
            label = "PER"
            known = person
            canonical = person.canonical
        } else if words.count == 1, let index = dictionary.surnames[words[0]] ?? nil {
            // The surname of exactly one known leader: "Yeltsin", "Hashimoto".
            let person = dictionary.actors[index]
            label = "PER"
            canonical = person.canonical
            known = EntityMention(start: 0, end: 0, text: "", label: "PER", canonical: person.canonical, country: person.country(on: document.date),
                                  actorCode: person.code(on: document.date))
        } else if words.count == 1, texts[start].count >= 2, texts[start].count <= 6, texts[start] == upper[start],
            texts[start].allSatisfy({ $0.isLetter }), !has(start, .notAcronym)
        {
            label = "ORG"  // an acronym: IAEA, OPEC
        } else if start >= 2 && previous == "OF" && has(start - 2, .placeNoun) {
            label = "GPE"  // "the town of Veligonda", "the province of Uige"
        } else if end < range.upperBound && (after.contains(.placeNoun) || after.contains(.facilityNoun)) && texts[end] == lower[end] {
            label = "LOC"  // "the Khushab district", "Java island"
        } else if end < range.upperBound && after.contains(.organisationNoun) && texts[end] == lower[end] {
            label = "ORG"  // "the Herald newspaper", "the Sogo chains"
        } else if start >= 2 && (previous == "NAMED" || previous == "CALLED") && has(start - 2, .organisationNoun) {
            label = "ORG"  // "the group named KindHearts"
        } else if words.count == 1 && has(start, .newsAgency) {
            label = "ORG"
        } else if start >= 1 && previous == "(" && next == "," {
            label = "ORG"  // a source cited in brackets: "(Kyodo, Interfax)"
        } else if start >= 1 && before.contains(.organisationNoun) {
            label = "ORG"  // "the news agency Kyodo", "the newspaper Asahi"
        } else if after.contains(.speechVerb) || (start >= 1 && before.contains(.speechVerb) && words.count >= 2) {
            label = "PER"
        } else if before.contains(.placePreposition) && words.count <= 2 {
            label = "GPE"
        } else if words.count == 1, dictionary.surnames[words[0]] != nil {
            label = "PER"  // the surname of several known people ("Bush")
        } else if words.count >= 2 && words.count <= 4 && guessUnknown && words.allSatisfy({ $0.allSatisfy { $0.isLetter || $0 == "-" || $0 == "'" } }) {
            label = "PER"
        }
        // A lone unknown word is not guessed: in news it is as often a place or a company as a person.
        // Opening a sentence, one word that the document also writes in lower case is a word.
        if first && words.count == 1 && known == nil && (lowerWords.contains(lower[start]) || label == "MISC") { return end }
        guard let label else { return end }
        emit(start: start, end: end, label: label, canonical: canonical, country: known?.country, actor: known?.actorCode,
             role: nil, sentence: sentence)
        return end
    }

    // MARK: output

    mutating func emit(
        start: Int, end: Int, label: String, canonical: String, country: String?, actor: String?, role: String?, sentence: Int
    ) {
        let from = tokens[start].start, to = tokens[end - 1].end
        let mention = EntityMention(
            start: from, end: to, text: document.text(from, to), label: label, canonical: canonical, country: country, actorCode: actor,
            role: role, sentence: sentence)
        mentions.append(mention)
        if label == "PER" && end - start >= 2 && people[upper[end - 1]] == nil { people[upper[end - 1]] = mention }
        if label == "PER" && end - start == 1 && people[upper[start]] == nil && actor != nil { people[upper[start]] = mention }
    }
}
