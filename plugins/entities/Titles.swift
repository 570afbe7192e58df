/// Word lists the entity rules use: titles and their CAMEO agents, organisation words,
/// stopwords, and the like. Written for this plugin; the agent list from the Phoenix
/// dictionaries adds more titles at start.
enum Titles {
    /// Titles that make a person, with the CAMEO agent they give (nil: none, as "Mr.").
    static let agents: [String: String?] = [
        "PRESIDENT": "GOV", "VICE PRESIDENT": "GOV", "PRIME MINISTER": "GOV", "DEPUTY PRIME MINISTER": "GOV", "FOREIGN MINISTER": "GOV",
        "DEFENSE MINISTER": "GOV", "DEFENCE MINISTER": "GOV", "INTERIOR MINISTER": "GOV", "FINANCE MINISTER": "GOV", "MINISTER": "GOV",
        "DEPUTY FOREIGN MINISTER": "GOV", "SECRETARY OF STATE": "GOV", "SECRETARY": "GOV", "CHANCELLOR": "GOV", "PREMIER": "GOV",
        "KING": "GOV", "QUEEN": "GOV", "PRINCE": "GOV", "CROWN PRINCE": "GOV", "EMPEROR": "GOV", "SULTAN": "GOV", "EMIR": "GOV",
        "AMBASSADOR": "GOV", "ENVOY": "GOV", "GOVERNOR": "GOV", "MAYOR": "GOV", "SPOKESMAN": "GOV", "SPOKESWOMAN": "GOV",
        "PRESIDENT-ELECT": "GOV", "SENATOR": "LEG", "SEN": "LEG", "REP": "LEG", "CONGRESSMAN": "LEG", "CONGRESSWOMAN": "LEG",
        "LAWMAKER": "LEG", "SPEAKER": "LEG", "GEN": "MIL", "GENERAL": "MIL", "LT": "MIL", "LIEUTENANT": "MIL", "COL": "MIL",
        "COLONEL": "MIL", "MAJ": "MIL", "MAJOR": "MIL", "CAPT": "MIL", "CAPTAIN": "MIL", "ADM": "MIL", "ADMIRAL": "MIL",
        "COMMANDER": "MIL", "SGT": "MIL", "SERGEANT": "MIL", "BRIG": "MIL", "MARSHAL": "MIL", "POPE": "REL", "CARDINAL": "REL",
        "BISHOP": "REL", "ARCHBISHOP": "REL", "REV": "REL", "REVEREND": "REL", "SHEIKH": "REL", "AYATOLLAH": "REL", "IMAM": "REL",
        "RABBI": "REL", "PROPHET": "REL", "JUDGE": "JUD", "JUSTICE": "JUD", "PROSECUTOR": "JUD", "MR": nil, "MRS": nil, "MS": nil,
        "DR": nil, "PROFESSOR": nil, "PROF": nil, "SIR": nil, "LORD": nil, "LADY": nil, "DAME": nil, "CHAIRMAN": nil, "CHIEF": nil,
        "LEADER": nil, "OPPOSITION LEADER": "OPP",
    ]

    /// First words of the built-in titles.
    static let firstWords: Set<String> = Set(agents.keys.compactMap { $0.split(separator: " ").first.map(String.init) })

    /// What the rules ask most often of a word, answered by one look-up per token per
    /// document instead of a set look-up at every question (a title could start at each of
    /// four tokens ahead of every word: eight hashes a token).
    struct WordClass: OptionSet, Sendable {
        let rawValue: UInt32
        /// A title's first word (built in, or from the agents dictionary).
        static let titleFirst = WordClass(rawValue: 1)
        /// MINISTER or SECRETARY: a title of any portfolio ends with it.
        static let ministerial = WordClass(rawValue: 2)
        static let stopword = WordClass(rawValue: 4)
        static let nameParticle = WordClass(rawValue: 8)
        static let particle = WordClass(rawValue: 16)
        static let organisationWord = WordClass(rawValue: 32)
        static let notAcronym = WordClass(rawValue: 1 << 6)
        static let institution = WordClass(rawValue: 1 << 7)
        static let compass = WordClass(rawValue: 1 << 8)
        static let region = WordClass(rawValue: 1 << 9)
        static let weak = WordClass(rawValue: 1 << 10)
        static let group = WordClass(rawValue: 1 << 11)
        static let eventWord = WordClass(rawValue: 1 << 12)
        static let eventNoun = WordClass(rawValue: 1 << 13)
        static let naturalPlace = WordClass(rawValue: 1 << 14)
        static let placeNoun = WordClass(rawValue: 1 << 15)
        static let facilityNoun = WordClass(rawValue: 1 << 16)
        static let organisationNoun = WordClass(rawValue: 1 << 17)
        static let newsAgency = WordClass(rawValue: 1 << 18)
        static let speechVerb = WordClass(rawValue: 1 << 19)
        static let placePreposition = WordClass(rawValue: 1 << 20)
    }

    /// Every classed word (upper case) with its classes; `extraFirstWords` are the agents
    /// dictionary's title words.
    static func wordClasses(extraFirstWords: Set<String>) -> [String: WordClass] {
        var out: [String: WordClass] = [:]
        for (words, wordClass) in [
            (firstWords, WordClass.titleFirst), (extraFirstWords, .titleFirst), (["MINISTER", "SECRETARY"], .ministerial),
            (stopwords, .stopword), (nameParticles, .nameParticle), (particles, .particle), (organisationWords, .organisationWord),
            (notAcronyms, .notAcronym), (institutions, .institution), (compass, .compass), (regions, .region), (weakWords, .weak),
            (groups, .group), (eventWords, .eventWord), (eventNouns, .eventNoun), (ActorDictionary.naturalPlaceWords, .naturalPlace),
            (placeNouns, .placeNoun), (facilityNouns, .facilityNoun), (organisationNouns, .organisationNoun), (newsAgencies, .newsAgency),
            (speechVerbs, .speechVerb), (placePrepositions, .placePreposition),
        ] {
            for word in words { out[word, default: []].insert(wordClass) }
        }
        return out
    }

    /// The title at `start` (longest first, up to four words; a "… Minister" of any portfolio
    /// counts): where it ends and its agent. The caller has checked that one could start there.
    static func match(_ upper: [String], from start: Int, agents extra: [String: String]) -> (end: Int, agent: String?)? {
        for length in stride(from: min(4, upper.count - start), through: 1, by: -1) {
            var words = Array(upper[start..<(start + length)])
            if words.last == "." { words.removeLast() }
            guard !words.isEmpty else { continue }
            let phrase = words.joined(separator: " ")
            if let agent = agents[phrase] { return (start + length, agent) }
            if length >= 2 && (words.last == "MINISTER" || words.last == "SECRETARY") && words.dropLast().allSatisfy({ $0.first?.isLetter == true }) {
                return (start + length, "GOV")
            }
            if length >= 2, let agent = extra[phrase], !stopwords.contains(words[0]) { return (start + length, agent) }
        }
        return nil
    }

    static func isTitleWord(_ upper: String) -> Bool {
        agents[upper] != nil || ["FORMER", "DEPUTY", "FOREIGN", "PRIME", "DEFENSE", "INTERIOR", "FINANCE", "US", "U.S."].contains(upper)
    }

    static let organisationWords: Set<String> = [
        "MINISTRY", "PARTY", "COUNCIL", "BANK", "AGENCY", "COMPANY", "CORPORATION", "CORP", "INC", "LTD", "CO", "COMMITTEE", "COMMISSION",
        "PARLIAMENT", "ARMY", "NAVY", "UNION", "ASSOCIATION", "INSTITUTE", "UNIVERSITY", "FOUNDATION", "COURT", "GROUP", "ORGANIZATION",
        "ORGANISATION", "FRONT", "MOVEMENT", "BRIGADE", "BRIGADES", "FORCES", "FEDERATION", "LEAGUE", "ACADEMY", "BOARD", "DEPARTMENT",
        "OFFICE", "SERVICE", "SERVICES", "AUTHORITY", "ASSEMBLY", "CONGRESS", "SENATE", "FUND", "PROGRAM", "PROGRAMME", "COALITION",
        "ALLIANCE", "NEWS", "TIMES", "POST", "PRESS", "AIRLINES", "AIRWAYS", "BANKS", "INDUSTRIES", "HOLDINGS", "CLUB", "COUNCILS",
        "SCHOOL", "HOSPITAL", "CHURCH", "REGIME", "GOVERNMENT", "CABINET", "POLICE", "GUARD", "TRIBUNAL", "EXCHANGE", "MISSION",
        "BROTHERHOOD", "GUARDS", "DEMOCRATS", "REPUBLICANS", "SOCIALISTS", "PROJECT", "NETWORK", "RADIO", "TELEVISION", "TV", "AGENCIES",
        "MINISTRIES", "EMBASSY", "CONSULATE", "SURVEY", "ADMINISTRATION", "BUREAU", "CENTER", "CENTRE", "TRUST", "SOCIETY", "CROSS",
        "CRESCENT", "HOUSE", "DAILY", "HERALD", "TRIBUNE", "GAZETTE", "CHRONICLE", "TELEGRAPH", "OBSERVER", "MOTORS", "PETROLEUM", "OIL", "ENERGY", "TELECOM", "PHARMACEUTICALS", "SYSTEMS", "TECHNOLOGIES", "JOURNAL", "COMMAND",
    ]

    /// Facilities that stand for a government but are places in CoNLL's sense.
    static let placeLikeOrganisations: Set<String> = ["KREMLIN", "WHITE HOUSE", "PENTAGON", "DOWNING STREET", "ELYSEE", "ELYSEE PALACE"]

    /// Capitalised adjectives that start names ("State Department", "National Assembly") but
    /// are none alone.
    static let weakWords: Set<String> = ["STATE", "NATIONAL", "INTERNATIONAL", "NEW", "FOREIGN", "GENERAL", "CENTRAL", "FEDERAL", "ROYAL", "UNITED", "SUPREME", "HIGH", "GREAT", "NORTH", "SOUTH", "EAST", "WEST", "NORTHERN", "SOUTHERN", "EASTERN", "WESTERN"]

    /// Named events and things: "Hurricane Katrina", "World Cup", "Olympic Games".
    static let eventWords: Set<String> = ["HURRICANE", "TYPHOON", "CYCLONE", "TROPICAL", "OPERATION", "WORLD"]
    static let eventNouns: Set<String> = ["CUP", "GAMES", "OLYMPICS", "OLYMPIC", "PRIZE", "AWARD", "AWARDS", "FESTIVAL", "CHAMPIONSHIP", "CHAMPIONSHIPS", "WAR", "TREATY", "OPEN", "PROTOCOL", "ACCORD", "ACCORDS", "DAY", "CHRISTMAS", "RAMADAN", "EASTER"]

    /// Peoples, regions' peoples and religious groups (NORP without one country).
    static let groups: Set<String> = [
        "SUNNI", "SUNNIS", "SHIITE", "SHIITES", "SHI'ITE", "SHI'ITES", "SHIA", "MUSLIM", "MUSLIMS", "CHRISTIAN", "CHRISTIANS", "CATHOLIC",
        "CATHOLICS", "PROTESTANT", "PROTESTANTS", "JEWISH", "JEW", "JEWS", "HINDU", "HINDUS", "BUDDHIST", "BUDDHISTS", "SIKH", "SIKHS",
        "ISLAMIC", "ISLAMIST", "ISLAMISTS", "ARAB", "ARABS", "ARABIC", "KURDISH", "KURD", "KURDS", "AFRICAN", "AFRICANS", "ASIAN", "ASIANS",
        "EUROPEAN", "EUROPEANS", "LATIN", "HISPANIC", "HISPANICS", "WESTERN", "SLAVIC", "BALKAN", "PASHTUN", "PASHTUNS", "UIGHUR", "UIGHURS",
        "UYGHUR", "UYGHURS", "TAMIL", "TAMILS", "ISLAM", "CHRISTIANITY", "JUDAISM", "BUDDHISM", "HINDUISM", "MAOIST", "MAOISTS", "COMMUNIST", "COMMUNISTS", "ORTHODOX", "EVANGELICAL", "ROMAN",
    ]

    /// Compass words: "Middle East", "South Asia", "the West".
    static let compass: Set<String> = ["LATIN", "NORTH", "SOUTH", "EAST", "WEST", "MIDDLE", "CENTRAL", "NORTHERN", "SOUTHERN", "EASTERN", "WESTERN", "FAR", "UPPER", "LOWER", "GREATER", "NEAR"]

    /// All-capital words that name no organisation.
    static let notAcronyms: Set<String> = ["GDP", "CEO", "AIDS", "HIV", "SARS", "DNA", "TV", "OK", "AM", "PM", "GMT", "UTC", "ID", "PC", "IT", "US", "MP", "MPS", "VIP", "VIPS", "IQ", "GNP", "CO2", "FM", "AD", "BC", "RPG", "RPGS", "SUV", "SUVS", "ATM", "ATMS", "PHD", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "FALSE", "TRUE", "NOT", "AND", "THE", "FOR", "NEW", "NO", "YES", "OR", "TO", "OF", "IN", "ON", "BY", "AT", "IS", "WAS", "ARE", "WILL", "CAN", "ALL", "NEWS", "UPDATE", "BREAKING", "URGENT", "FLASH", "AK", "RPG", "SAM", "MIG"]

    /// Lower-case words inside people's names.
    static let nameParticles: Set<String> = ["AL", "EL", "BIN", "BEN", "IBN", "ABU", "DE", "DA", "DI", "DOS", "DAS", "DU", "VAN", "VON", "DER", "LA", "LE", "Y", "UL", "UD"]

    static let particles: Set<String> = ["OF", "FOR", "AND", "THE", "DE", "DU", "DES", "AL", "EL", "BIN", "VAN", "VON", "DA", "DI", "LA", "LE", "ON"]

    /// Common nouns that introduce an organisation's name: "the news agency Kyodo".
    static let organisationNouns: Set<String> = ["CHAINS", "CHAIN", "GROUPS", "RETAILER", "BROADCASTERS", "DAILIES", "NETWORKS", "CORPORATION", "AGENCY", "NEWSPAPER", "DAILY", "WEEKLY", "BROADCASTER", "NETWORK", "CHANNEL", "COMPANY", "FIRM", "GROUP", "PARTY", "ORGANIZATION", "ORGANISATION", "CARMAKER", "AUTOMAKER", "BANK", "MAGAZINE", "AIRLINE", "GIANT", "CONGLOMERATE", "MOVEMENT"]

    /// News agencies, which news text cites by name alone.
    static let newsAgencies: Set<String> = ["REUTERS", "AP", "AFP", "INTERFAX", "ITAR-TASS", "TASS", "RIA", "KYODO", "JIJI", "XINHUA", "YONHAP", "BERNAMA", "ANSA", "DPA", "EFE", "UPI", "BLOOMBERG", "IRNA", "WAFA", "MENA", "ANTARA", "PTI", "APA"]

    static let speechVerbs: Set<String> = ["SAID", "SAYS", "SAY", "TOLD", "ADDED", "STATED", "ANNOUNCED", "DECLARED", "WROTE", "ASKED", "EXPLAINED"]
    /// Continents, oceans and regions that no country's list holds.
    static let regions: Set<String> = [
        "EUROPE", "ASIA", "AFRICA", "AMERICAS", "ANTARCTICA", "OCEANIA", "EURASIA", "CARIBBEAN", "BALKANS", "SCANDINAVIA", "ATLANTIC",
        "PACIFIC", "ARCTIC", "MEDITERRANEAN", "SAHARA", "SAHEL", "MAGHREB", "LEVANT", "CAUCASUS", "HIMALAYAS", "ANDES", "ALPS", "AMAZON",
        "KASHMIR", "PUNJAB", "SIBERIA", "PATAGONIA", "TIBET", "DARFUR", "KURDISTAN", "BALOCHISTAN", "BALUCHISTAN", "WAZIRISTAN",
    ]

    /// Common nouns for places: "the town of X", "the X district".
    static let placeNouns: Set<String> = ["TOWN", "CITY", "VILLAGE", "PROVINCE", "DISTRICT", "REGION", "COUNTY", "AREA", "ISLAND", "CAPITAL", "PORT", "SUBURB", "NEIGHBORHOOD", "NEIGHBOURHOOD", "VALLEY", "STATE", "PREFECTURE", "MUNICIPALITY", "HAMLET", "SETTLEMENT", "CAMP", "OASIS", "GOVERNORATE", "TOWNSHIP"]

    /// Facilities named after their place: "the Dimona plant".
    static let facilityNouns: Set<String> = ["PLANT", "FACILITY", "REACTOR", "BASE", "PRISON", "JAIL", "AIRPORT", "CROSSING", "DAM", "REFINERY", "STADIUM", "AIRBASE", "AIRFIELD", "OILFIELD", "MINE"]

    /// Institutions named by one word.
    static let institutions: Set<String> = ["CONGRESS", "PARLIAMENT", "SENATE", "ARMY", "NAVY", "MARINES", "CABINET", "PENTAGON", "KNESSET", "DUMA", "BUNDESTAG", "MAJLIS", "POLITBURO", "INTERPOL", "EUROPOL"]

    static let placePrepositions: Set<String> = ["AT", "TO", "INTO", "AROUND", "FROM", "IN", "NEAR", "OUTSIDE", "INSIDE", "ACROSS", "THROUGHOUT", "TOWARD", "TOWARDS", "VIA"]

    static func isStopword(_ upper: String) -> Bool { stopwords.contains(upper) }

    /// Capitalised words that are no names: articles, pronouns, function words, days and
    /// months, and words that open sentences in news.
    static let stopwords: Set<String> = [
        "THE", "A", "AN", "THIS", "THAT", "THESE", "THOSE", "HE", "SHE", "IT", "THEY", "WE", "I", "YOU", "IN", "ON", "AT", "BUT", "AND", "OR",
        "IF", "WHEN", "WHILE", "AFTER", "BEFORE", "FOR", "OF", "TO", "WITH", "AS", "BY", "FROM", "HIS", "HER", "THEIR", "ITS", "OUR", "MY",
        "YOUR", "THERE", "HERE", "WHAT", "WHO", "WHICH", "WHERE", "WHY", "HOW", "SOME", "MANY", "MOST", "ALL", "ANY", "NO", "NOT", "ALSO",
        "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY", "JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY",
        "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER", "JAN", "FEB", "MAR", "APR", "JUN", "JUL", "AUG", "SEP",
        "SEPT", "OCT", "NOV", "DEC", "HOWEVER", "MEANWHILE", "OFFICIALS", "OFFICIAL", "SINCE", "UNTIL", "DURING", "ABOUT", "AGAINST",
        "BETWEEN", "UNDER", "OVER", "ACCORDING", "ALTHOUGH", "BECAUSE", "DESPITE", "EARLIER", "LATER", "LAST", "NEXT", "FIRST", "SECOND",
        "THIRD", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "HUNDREDS", "THOUSANDS", "MILLIONS",
        "SEVERAL", "OTHER", "OTHERS", "EACH", "BOTH", "EITHER", "NEITHER", "SUCH", "ONLY", "EVEN", "STILL", "YET", "SO", "THEN", "THUS",
        "INSTEAD", "NOW", "TODAY", "YESTERDAY", "TOMORROW", "TONIGHT", "WEEK", "MONTH", "YEAR", "PUBLICATION", "VOLUME", "ISSUE", "PAGE",
        "REPORTS", "REPORT", "POLICE", "TROOPS", "SOLDIERS", "REBELS", "MILITANTS", "ANALYSTS", "EXPERTS", "WITNESSES", "RESIDENTS",
        "AUTHORITIES", "PEOPLE", "MEANWHILE", "FORMER", "OLD",
        "GOVERNMENT", "MINISTER", "PRESIDENT", "PRIME", "DEPUTY", "SECRETARY", "SPOKESMAN", "SPOKESWOMAN",
        "CHIEF", "HEAD", "LEADER", "MR", "MRS", "MS", "DR", "SEN", "REP", "GEN", "GOV", "ST",
    ]
}
