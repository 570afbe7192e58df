import TidingsPluginKit

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
        upper = document.upperTokenTexts
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
    /// The words an anaphor can start with: most tokens are looked up once, not compared
    /// with every phrase.
    static let anaphorFirstWords = Set(anaphors.map { $0[0] })

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
}
