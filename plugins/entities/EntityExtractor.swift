import TidingsCore

/// Entities, first version: a small built-in gazetteer of countries, capitals, nationalities
/// and international organisations, titles ("Foreign Minister Komura") for people, and
/// capitalised word runs for the rest. Issue 5 replaces the guesswork with real dictionaries.
public struct EntityExtractor: Extractor {
    public static let descriptor = PluginDescriptor(
        name: "entities", version: "0.1.0", produces: ["entities"],
        summary: "People, organisations, places and nationalities (first version: gazetteer, titles and capitalisation).")

    /// Label everything the gazetteer does not know as MISC instead of guessing PER/ORG.
    let guessUnknown: Bool

    public init(configuration: PluginConfiguration) throws {
        guessUnknown = try configuration.bool("guess_unknown", default: true)
        try configuration.finish()
    }

    public func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        var found: [EntityMention] = []
        let tokens = document.tokens
        let texts = document.tokenTexts
        // Words written in lower case somewhere: "Talks" opening a sentence is then no name.
        let lowerWords = Set(texts.filter { $0.first?.isLowercase == true })
        for (sentenceIndex, sentence) in document.sentences.enumerated() {
            var index = sentence.tokens.lowerBound
            while index < sentence.tokens.upperBound {
                // The longest gazetteer entry starting here (up to four words).
                var matched = false
                for length in stride(from: min(4, sentence.tokens.upperBound - index), through: 1, by: -1) {
                    let key = length == 1 ? texts[index] : texts[index..<(index + length)].joined(separator: " ")
                    guard let entry = Gazetteer.entries[key] else { continue }
                    let start = tokens[index].start, end = tokens[index + length - 1].end
                    found.append(EntityMention(
                        start: start, end: end, text: document.text(start, end), label: entry.label, canonical: entry.canonical,
                        country: entry.country, actorCode: entry.actor, sentence: sentenceIndex))
                    index += length
                    matched = true
                    break
                }
                if matched { continue }
                guard isCapitalized(document, tokens[index]) else {
                    index += 1
                    continue
                }
                // A capitalised run: "Keizo Obuchi", "Foreign Ministry".
                var end = index + 1
                while end < sentence.tokens.upperBound, isCapitalized(document, tokens[end]),
                    Gazetteer.entries[texts[end]] == nil
                {
                    end += 1
                }
                var words = Array(texts[index..<end])
                // A title opening the run is the role, not the name: "Foreign Minister Masahiko Komura".
                var nameStart = index
                for length in stride(from: min(3, words.count - 1), through: 1, by: -1) where Gazetteer.titles.contains(words.prefix(length).joined(separator: " ")) {
                    nameStart = index + length
                    words.removeFirst(length)
                    break
                }
                let title = titleBefore(document, tokens, at: nameStart, sentenceStart: sentence.tokens.lowerBound)
                // A capitalised word opening a sentence is only a name when a title or another
                // capitalised word goes with it.
                let opensSentence = nameStart == sentence.tokens.lowerBound
                if words.isEmpty || Gazetteer.stopwords.contains(words[0])
                    || (opensSentence && words.count == 1 && title == nil && lowerWords.contains(words[0].lowercased()))
                {
                    index = end
                    continue
                }
                let label: String
                if title != nil {
                    label = "PER"
                } else if words.contains(where: Gazetteer.organisationWords.contains) {
                    label = "ORG"
                } else {
                    label = guessUnknown && end - index <= 3 ? "PER" : "MISC"
                }
                let start = tokens[nameStart].start, stop = tokens[end - 1].end
                let text = document.text(start, stop)
                found.append(EntityMention(
                    start: start, end: stop, text: text, label: label, canonical: text, country: title?.country,
                    actorCode: title.flatMap { found in found.country.map { $0 + (found.agent ?? "") } }, role: title?.role,
                    sentence: sentenceIndex))
                index = end
            }
        }
        return Extraction(entities: found)
    }

    func isCapitalized(_ document: AnalyzedDocument, _ token: Token) -> Bool {
        (token.kind == .word || token.kind == .abbreviation) && document.scalars[token.start].properties.isUppercase
    }

    /// A title just before a name: "Foreign Minister", "Japanese Prime Minister", "Mr."
    func titleBefore(_ document: AnalyzedDocument, _ tokens: [Token], at index: Int, sentenceStart: Int) -> (role: String, country: String?, agent: String?)? {
        for length in stride(from: 3, through: 1, by: -1) where index - length >= sentenceStart {
            var words = Array(document.tokenTexts[(index - length)..<index])
            if words.last == "." { words.removeLast() }
            let phrase = words.joined(separator: " ")
            guard let agent = Gazetteer.titleAgents[phrase] ?? (Gazetteer.titles.contains(phrase) ? "" : nil) else { continue }
            // A nationality before the title gives the country: "Japanese Foreign Minister".
            var country: String?
            let before = index - length - 1
            if before >= sentenceStart, let entry = Gazetteer.entries[document.tokenTexts[before]], entry.label == "NORP" || entry.label == "GPE" {
                country = entry.country
            }
            return (phrase, country, agent.isEmpty ? nil : agent)
        }
        return nil
    }
}

/// The first version's built-in lists.
enum Gazetteer {
    struct Entry {
        var label: String
        var canonical: String
        var country: String?
        var actor: String?
    }

    static let countries: [(String, String, [String])] = [
        ("Russia", "RUS", ["Russian", "Russians"]), ("Japan", "JPN", ["Japanese"]), ("China", "CHN", ["Chinese"]),
        ("United States", "USA", ["American", "Americans"]), ("Britain", "GBR", ["British"]), ("France", "FRA", ["French"]),
        ("Germany", "DEU", ["German", "Germans"]), ("India", "IND", ["Indian", "Indians"]), ("Iran", "IRN", ["Iranian", "Iranians"]),
        ("Iraq", "IRQ", ["Iraqi", "Iraqis"]), ("Israel", "ISR", ["Israeli", "Israelis"]), ("Pakistan", "PAK", ["Pakistani"]),
        ("Ukraine", "UKR", ["Ukrainian", "Ukrainians"]), ("North Korea", "PRK", ["North Korean"]), ("South Korea", "KOR", ["South Korean"]),
        ("Syria", "SYR", ["Syrian", "Syrians"]), ("Turkey", "TUR", ["Turkish"]), ("Egypt", "EGY", ["Egyptian"]),
        ("Afghanistan", "AFG", ["Afghan", "Afghans"]), ("Italy", "ITA", ["Italian"]), ("Spain", "ESP", ["Spanish"]),
        ("Canada", "CAN", ["Canadian"]), ("Brazil", "BRA", ["Brazilian"]), ("Mexico", "MEX", ["Mexican"]),
        ("Saudi Arabia", "SAU", ["Saudi"]), ("Georgia", "GEO", ["Georgian"]), ("Belarus", "BLR", ["Belarusian"]),
        ("Kazakhstan", "KAZ", ["Kazakh"]), ("Poland", "POL", ["Polish"]), ("Serbia", "SRB", ["Serbian", "Serb", "Serbs"]),
    ]
    static let places: [(String, String, String)] = [
        ("Moscow", "RUS", "GPE"), ("Tokyo", "JPN", "GPE"), ("Beijing", "CHN", "GPE"), ("Washington", "USA", "GPE"),
        ("London", "GBR", "GPE"), ("Paris", "FRA", "GPE"), ("Berlin", "DEU", "GPE"), ("Kiev", "UKR", "GPE"), ("Kyiv", "UKR", "GPE"),
        ("Tehran", "IRN", "GPE"), ("Baghdad", "IRQ", "GPE"), ("Jerusalem", "ISR", "GPE"), ("Kuril Islands", "RUS", "LOC"),
        ("Kurils", "RUS", "LOC"), ("Sakhalin", "RUS", "LOC"), ("Hokkaido", "JPN", "LOC"),
    ]
    static let organisations: [(String, String, String)] = [
        ("United Nations", "United Nations", "IGOUNO"), ("UN", "United Nations", "IGOUNO"), ("U.N.", "United Nations", "IGOUNO"),
        ("NATO", "NATO", "IGOWSTNAT"), ("European Union", "European Union", "IGOEUREEC"), ("EU", "European Union", "IGOEUREEC"),
        ("Kremlin", "Kremlin", "RUSGOV"), ("Duma", "State Duma", "RUSLEG"),
    ]

    static let entries: [String: Entry] = {
        var out: [String: Entry] = [:]
        for (name, code, demonyms) in countries {
            out[name] = Entry(label: "GPE", canonical: name, country: code, actor: code)
            for demonym in demonyms { out[demonym] = Entry(label: "NORP", canonical: demonym, country: code, actor: code) }
        }
        out["U.S."] = out["United States"]
        out["US"] = out["United States"]
        for (name, code, label) in places { out[name] = Entry(label: label, canonical: name, country: code, actor: code) }
        for (name, canonical, actor) in organisations { out[name] = Entry(label: "ORG", canonical: canonical, country: nil, actor: actor) }
        return out
    }()

    /// Titles and the CAMEO agent they make of a person ("Foreign Minister" → GOV).
    static let titleAgents: [String: String] = [
        "President": "GOV", "Prime Minister": "GOV", "Foreign Minister": "GOV", "Defense Minister": "GOV", "Minister": "GOV",
        "Premier": "GOV", "Chancellor": "GOV", "King": "GOV", "Deputy Foreign Minister": "GOV", "Ambassador": "GOV",
        "Gen": "MIL", "General": "MIL", "Admiral": "MIL", "Colonel": "MIL", "Senator": "LEG", "Governor": "GOV",
        "Former Prime Minister": "ELI", "former Prime Minister": "ELI", "former President": "ELI", "Former President": "ELI",
    ]
    static let titles: Set<String> = Set(titleAgents.keys).union(["Mr", "Mrs", "Ms", "Dr"])
    static let organisationWords: Set<String> = [
        "Ministry", "Party", "Council", "Bank", "Agency", "Company", "Corporation", "Committee", "Commission", "Parliament",
        "Army", "Navy", "Union", "Association", "Institute", "University", "Foundation", "Court", "Inc", "Ltd", "Group",
    ]
    /// Capitalised words that are not names.
    static let stopwords: Set<String> = [
        "The", "A", "An", "This", "That", "These", "Those", "He", "She", "It", "They", "We", "I", "In", "On", "At", "But", "And",
        "Or", "If", "When", "While", "After", "Before", "For", "Of", "To", "With", "As", "By", "From", "His", "Her", "Their", "Its",
        "Our", "There", "Here", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
        "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
}
