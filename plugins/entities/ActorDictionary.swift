import TidingsCore
import TidingsPluginKit

/// The Phoenix/PETRARCH actor dictionaries, read once into a token trie: a name is found by
/// walking the trie from each token, in time linear in the text (never one pass over the
/// dictionary per token).
///
/// The format (TABARI/PETRARCH `.actors`): a name line (`JAPAN_  [JPN]` or `BORIS_YELTSIN_`),
/// `+`-prefixed synonyms, un-prefixed synonym lines before the codes of a person, and code
/// lines (`\t[RUSGOV 910710-991231]`) with optional date ranges (YYMMDD or YYYYMMDD, `>date`,
/// `<date`). `#` starts a comment.
struct ActorDictionary: Sendable {
    enum Kind: Sendable { case country, place, nationality, person, organisation }

    struct Actor: Sendable {
        /// The dictionary's head name ("RYUTARO_HASHIMOTO_").
        var head: String
        /// Title-cased, made when asked (most actors are never mentioned).
        var canonical: String { ActorDictionary.canonical(head, acronym: kind == .organisation) }
        var kind: Kind
        var codes: [DatedCode]
        /// The country code on a date: the first three letters of the code then (Georgia was
        /// USRGEO before 1991 and GEO since), none for international and non-state codes.
        func country(on date: String?) -> String? {
            guard let code = codes.code(on: date)?.code, code.count >= 3, !code.hasPrefix("IGO"), !code.hasPrefix("NGO"), !code.hasPrefix("MNC") else { return nil }
            return String(code.prefix(3))
        }

        /// The code for a document date (see `DatedCode`).
        func code(on date: String?) -> String? { codes.code(on: date)?.code }
    }

    /// What a name in the trie stands for.
    struct Entry: Sendable {
        var actor: Int
        var kind: Kind
    }

    private(set) var names = PhraseTrie<Entry>()
    private(set) var actors: [Actor] = []
    /// Surnames (last word of a person's name, upper case) → the one person with it, or nil
    /// when several people share it.
    private(set) var surnames: [String: Int?] = [:]
    /// First words of the leaders' names (OSAMA, KEIZO, VLADIMIR): a run of capitalised words
    /// starting with one is a person.
    private(set) var firstNames: Set<String> = []

    /// Common names for countries whose dictionary heads are formal.
    static let commonNames: [String: String] = [
        "RUS": "Russia", "USA": "United States", "GBR": "United Kingdom", "CHN": "China", "PRK": "North Korea", "KOR": "South Korea",
        "IRN": "Iran", "SYR": "Syria", "VEN": "Venezuela", "BOL": "Bolivia", "TZA": "Tanzania", "VNM": "Vietnam", "LAO": "Laos",
        "MDA": "Moldova", "MKD": "Macedonia", "COD": "Democratic Republic of the Congo", "COG": "Congo", "CZE": "Czech Republic",
    ]

    /// The canonical name of an actor: a country's common name, else its dictionary head.
    func name(of index: Int) -> String {
        let actor = actors[index]
        if actor.kind == .country, let code = actor.codes.code(on: nil)?.code, let common = ActorDictionary.commonNames[code] { return common }
        return actor.canonical
    }

    /// Title-cases a dictionary name: "RYUTARO_HASHIMOTO_" → "Ryutaro Hashimoto". With
    /// `acronym` (organisations), a one-word name of up to five letters stays as it is: IAEA,
    /// NATO, UN; countries, places and people never are (JAPAN → Japan, IRAQ → Iraq).
    static func canonical(_ name: String, acronym: Bool = false) -> String {
        let small: Set<String> = ["of", "the", "and", "for", "de", "al", "bin", "in", "on", "la", "le", "el", "del", "da", "van", "von"]
        let parts = name.split(separator: "_")
        if acronym, parts.count == 1, let word = parts.first, word.count <= 5, word.allSatisfy({ $0.isLetter || $0 == "." }) { return String(word) }
        return parts.enumerated().map { index, word -> String in
            let lower = word.lowercased()
            if index > 0 && small.contains(lower) { return lower }
            if word.utf8.contains(0x2E) && word.count <= 5 { return String(word) }  // U.N., U.S.
            if word.count <= 4 && word.allSatisfy({ $0.isLetter }) && !word.contains(where: { "AEIOUY".contains($0) }) { return String(word) }
            // Hyphens start words too (KI-MOON → Ki-Moon), and so does an apostrophe after a
            // first letter (O'NEILL → O'Neill), but not later ones (QA'IDA → Qa'ida).
            var out = ""
            var upper = true
            for (position, character) in lower.enumerated() {
                out.append(upper ? Character(character.uppercased()) : character)
                upper = character == "-" || (character == "'" && position == 1)
            }
            return out
        }.joined(separator: " ")
    }

    /// Loads `.actors` files. `file` names the kind of its country-level entries.
    init(files: [(text: String, organisations: Bool)], isTitle: (String) -> Bool) {
        for (text, organisations) in files { load(text, organisations: organisations, isTitle: isTitle) }
    }

    private mutating func load(_ text: String, organisations: Bool, isTitle: (String) -> Bool) {
        var current: (names: [String], codes: [DatedCode], inline: Bool, person: Bool)?
        func finish() {
            guard let entry = current, !entry.names.isEmpty, !entry.codes.isEmpty else { return }
            let head = entry.names[0]
            // A country: a bare three-letter code (dated for states that changed, as Ukraine's).
            let countryLevel = !organisations && !entry.person && entry.codes.contains { $0.code.count == 3 && $0.code.allSatisfy(\.isLetter) }
            // A leader: marked as one, or a dated code on a short name with no organisation word
            // (organisations have dated codes too: "Palestinian Authority").
            let headWords = head.split(separator: "_")
            let plainName = (2...4).contains(headWords.count)
                && !headWords.contains { Titles.organisationWords.contains(String($0)) || ActorDictionary.naturalPlaceWords.contains(String($0)) }
            let person = entry.person
                || (!countryLevel && entry.codes.contains(where: \.dated) && plainName)
                || (organisations && plainName && firstNames.contains(String(headWords[0])))
            if person && !organisations, let first = headWords.first, first.count >= 3, first.allSatisfy(\.isLetter),
                !Titles.isStopword(String(first)), !Titles.particles.contains(String(first)), !Titles.isTitleWord(String(first))
            {
                firstNames.insert(String(first))
            }
            // A region of a country: its country's code plus three letters that are no agent
            // (PSEGZA for Gaza, against RUSGOV for the Russian government).
            let region = !organisations && !person && !countryLevel && entry.codes.contains { code in
                code.code.count == 6 && !ActorDictionary.agentCodes.contains(String(code.code.suffix(3)))
            } && !headWords.contains { Titles.organisationWords.contains(String($0)) }
            let kind: Kind = countryLevel ? .country : (person ? .person : (region ? .place : .organisation))
            let index = actors.count
            actors.append(Actor(head: head, kind: kind, codes: entry.codes))
            // Nationality words share the start of the country's name: JAPAN → JAPANESE.
            var stems = Set<String>()
            if countryLevel {
                for name in entry.names.prefix(3) where !name.utf8.contains(0x5F) || name.hasSuffix("_") && !name.dropLast().utf8.contains(0x5F) {
                    stems.insert(String(name.prefix(3)))
                }
                stems.insert(String(head.prefix(3)))
            }
            for (position, name) in entry.names.enumerated() {
                let words = ActorDictionary.words(name)
                guard !words.isEmpty else { continue }
                // Names written with a title ("PRESIDENT_BORIS_YELTSIN") would put the title in
                // the span; titles are read by the title rules instead.
                if kind == .person && position > 0 && words.dropLast().contains(where: { isTitle($0) || ActorDictionary.irregularDemonyms.contains($0) || ActorDictionary.isDemonym($0, stems: [String($0.prefix(3))]) && $0.count > 5 }) {
                    continue
                }
                var nameKind = kind
                if countryLevel && position > 0 {
                    nameKind = ActorDictionary.isDemonym(name, stems: stems, head: head) ? .nationality : (ActorDictionary.isNaturalPlace(words) ? .place : .country)
                    if nameKind == .country && words.count == 1 && position > 0 { nameKind = .place }
                }
                var tokens = words
                if tokens.count > 1 && tokens[0] == "THE" { tokens.removeFirst() }  // "the" is not part of a name
                insert(tokens, actor: index, kind: nameKind)
                // Nationality words name people in the plural too: Americans, Iraqis, Afghans.
                if nameKind == .nationality, let last = tokens.last, !last.hasSuffix("S"), !last.hasSuffix("ESE"), !last.hasSuffix("ISH"), !last.hasSuffix("CH") {
                    insert(Array(tokens.dropLast()) + [last + "S"], actor: index, kind: .nationality)
                }
                if kind == .person && tokens.count >= 2, let last = tokens.last, last.count >= 3, last.first?.isLetter == true {
                    if let existing = surnames[last] {
                        if existing != index { surnames[last] = .some(nil) }
                    } else {
                        surnames[last] = index
                    }
                }
            }
        }
        // Bytes all the way: these files are ~4 MB of ASCII, read at every start.
        let countryInfo = Array("CountryInfo".utf8)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        func trim(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var slice = bytes
            while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
            while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
            return slice
        }
        func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
        func code(_ bytes: ArraySlice<UInt8>) -> DatedCode? {
            let inside = bytes.prefix { $0 != 0x5D }  // up to "]"
            guard let parsed = DatedCode.parse(Substring(string(inside))), !parsed.isNull else { return nil }
            return parsed
        }
        let all = Array(text.utf8)
        for rawBytes in all.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }) {
            var line = rawBytes
            var fromCountryInfo = false
            if let hash = line.firstIndex(of: 0x23) {
                let comment = line[hash...]
                fromCountryInfo = comment.count >= countryInfo.count
                    && (comment.startIndex...(comment.endIndex - countryInfo.count)).contains { comment[$0..<($0 + countryInfo.count)].elementsEqual(countryInfo) }
                line = line[..<hash]
            }
            let trimmed = trim(line)
            guard let first = trimmed.first else { continue }
            if first == 0x5B {  // "[": a code line for the current actor
                if let parsed = code(trimmed.dropFirst()) { current?.codes.append(parsed) }
                continue
            }
            if first == 0x21 || first == 0x3C || first == 0x3D { continue }  // "!", "<", "="
            var name = trimmed
            var inlineCode: DatedCode?
            if let open = name.firstIndex(of: 0x5B) {
                inlineCode = code(name[(open + 1)...])
                name = name[..<open]
            }
            let clean = trim(name)
            if clean.first == 0x2B {  // "+": another name of the current actor
                current?.names.append(string(trim(clean.dropFirst())))
                if let inlineCode { current?.codes.append(inlineCode) }
                continue
            }
            let cleanName = string(clean)
            // A new actor when the current one has its codes already; else another name of it.
            if current == nil || !(current!.codes.isEmpty) || inlineCode != nil {
                finish()
                current = ([cleanName], inlineCode.map { [$0] } ?? [], inlineCode != nil, fromCountryInfo)
            } else {
                current?.names.append(cleanName)
                if fromCountryInfo { current?.person = true }
            }
        }
        finish()
    }

    /// Upper-case tokens of a dictionary name, split as the document text is.
    static func words(_ name: String) -> [String] {
        // Plain names (letters, digits, underscores) split as the tokenizer would split them;
        // anything else goes through the tokenizer itself.
        if name.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x20 }) {
            return name.utf8.split(whereSeparator: { $0 == 0x5F || $0 == 0x20 }).map { String(decoding: $0, as: UTF8.self) }
        }
        let spaced = String(name.map { $0 == "_" ? " " : $0 }).trimmedWhitespace()
        guard !spaced.isEmpty else { return [] }
        let document = AnalyzedDocument(text: spaced)
        return document.tokenTexts.map { $0.uppercased() }
    }

    /// The first entry wins: country names before their cities, heads before synonyms.
    private mutating func insert(_ words: [String], actor: Int, kind: Kind) {
        names.insert(words, Entry(actor: actor, kind: kind))
    }

    /// The longest name starting at `start` in `words` (upper-cased token texts), if any.
    func longestMatch(_ words: [String], from start: Int, kinds: Set<Kind>? = nil, accept: (Int) -> Bool) -> (end: Int, actor: Int, kind: Kind)? {
        var node = names.root
        var best: (end: Int, actor: Int, kind: Kind)?
        var index = start
        while index < words.count, accept(index) {
            if let next = names.next(node, words[index]) {
                node = next
            } else if words[index] == "-", index > start, index + 1 < words.count, let next = names.next(node, words[index + 1]) {
                // "Guinea-Bissau" in the text, GUINEA_BISSAU in the dictionary.
                node = next
                index += 1
            } else {
                break
            }
            index += 1
            if let entry = names.value(at: node), kinds?.contains(entry.kind) ?? true { best = (index, entry.actor, entry.kind) }
        }
        return best
    }

    static let demonymEndings = ["ESE", "IAN", "IANS", "EAN", "EANS", "AN", "ANS", "ISH", "I", "IS", "IC", "OT", "OTS", "MAN", "MEN", "ER", "ERS", "ITE", "ITES", "INE"]
    static let irregularDemonyms: Set<String> = ["DUTCH", "SWISS", "FRENCH", "WELSH", "IRISH", "THAI", "LAO", "FILIPINO", "FILIPINOS", "BASQUE", "CZECH", "CZECHS", "GREEK", "GREEKS", "BRITISH", "SCOTTISH", "ENGLISH", "TURKISH", "POLISH", "DANISH", "FINNISH", "SPANISH", "SWEDISH", "KURDISH", "UZBEK", "UZBEKS", "TAJIK", "TAJIKS", "KAZAKH", "KAZAKHS", "KYRGYZ", "TURKMEN", "AFGHANS", "SERB", "SERBS", "CROAT", "CROATS", "SLOVAK", "SLOVAKS", "ARAB", "ARABS", "JEW", "JEWS", "BRITON", "BRITONS", "SOMALI", "SOMALIS", "PAKISTANI", "PAKISTANIS", "IRAQI", "IRAQIS", "ISRAELI", "ISRAELIS", "KUWAITI", "SAUDI", "SAUDIS", "YEMENI", "YEMENIS", "QATARI", "OMANI", "BAHRAINI", "EMIRATI", "BANGLADESHI", "NEPALI", "AZERI", "AZERIS", "MALAGASY", "CONGOLESE", "AMERICAN", "AMERICANS", "BRITS", "KIWI", "KIWIS", "PALESTINIAN", "PALESTINIANS", "KURD", "KURDS", "PASHTUN", "PASHTUNS", "BALUCH", "TAMIL", "TAMILS", "SINHALESE", "HUTU", "HUTUS", "TUTSI", "TUTSIS", "SHIITE", "SHIITES", "SUNNI", "SUNNIS", "SOVIET", "SOVIETS", "KOREAN", "KOREANS", "CZECH", "TIBETAN", "TIBETANS", "CHECHEN", "CHECHENS", "BOSNIAN", "BOSNIANS"]

    /// "JAPANESE", "RUSSIANS", "AFGHAN": a nationality word for a country whose names start
    /// with one of `stems`.
    static func isDemonym(_ name: String, stems: Set<String>, head: String = "") -> Bool {
        let word = name.trimmingUnderscores()
        if word.utf8.contains(0x5F) {
            // "NORTH_KOREAN" for "NORTH_KOREA": the head's words with a nationality word last.
            let words = word.split(separator: "_").map(String.init)
            let heads = head.trimmingUnderscores().split(separator: "_").map(String.init)
            guard words.count == heads.count, words.count > 1, words.dropLast() == heads.dropLast(), let last = words.last, let headLast = heads.last else { return false }
            return isDemonym(last, stems: [String(headLast.prefix(3))])
        }
        if irregularDemonyms.contains(word) { return true }
        guard word.count >= 4, stems.contains(String(word.prefix(3))) else { return false }
        return demonymEndings.contains { word.hasSuffix($0) } && !word.hasSuffix("STAN")
    }

    /// CAMEO agent codes (the three letters after a country code).
    static let agentCodes: Set<String> = [
        "GOV", "MIL", "REB", "OPP", "LEG", "JUD", "BUS", "MED", "EDU", "ELI", "CVL", "COP", "SPY", "IGO", "NGO", "HLH", "REF", "LAB", "AGR",
        "CRM", "UAF", "RAD", "IMG", "PTY", "RES", "REL", "ENV", "HRI", "SEP", "INS", "MOD", "IRC", "NGM", "PPL", "DEV", "ATH", "TOP",
    ]

    static let naturalPlaceWords: Set<String> = [
        "HOTEL", "MOSQUE", "TEMPLE", "SHRINE", "SQUARE", "STREET", "AVENUE", "PALACE", "GARDEN", "GARDENS", "PARK", "BRIDGE", "AIRPORT",
        "STADIUM", "STRIP", "CITY", 
        "ISLAND", "ISLANDS", "ISLES", "SEA", "RIVER", "LAKE", "GULF", "STRAIT", "STRAITS", "BAY", "PENINSULA", "MOUNTAINS", "MOUNT", "VALLEY",
        "DESERT", "OCEAN", "COAST", "BASIN", "PLATEAU", "DELTA", "CANAL", "REGION", "PROVINCE", "HILLS", "PLAIN", "PLAINS",
    ]

    static func isNaturalPlace(_ words: [String]) -> Bool { words.contains(where: naturalPlaceWords.contains) }
}

extension String {
    func trimmingUnderscores() -> String {
        var text = Substring(self)
        while text.hasPrefix("_") { text = text.dropFirst() }
        while text.hasSuffix("_") { text = text.dropLast() }
        return String(text)
    }
}
