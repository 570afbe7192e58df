import Foundation

/// What a plugin is: its name (the `[plugins.<name>]` table, the `extractions.plugin` column),
/// its version (stored with every result, so results can be traced and re-run after an
/// upgrade), the plugins whose results it needs, and what it produces.
public struct PluginDescriptor: Sendable, Equatable, Codable {
    public var name: String
    public var version: String
    /// Names of plugins whose results this one reads from its ``ExtractionContext``. They run
    /// first; a cycle or an unknown name is a startup error.
    public var requires: [String]
    /// Names of plugins whose results it reads when they run: enabled, they run first and
    /// their results are in its ``ExtractionContext``; disabled or failed, it runs without
    /// them. (The tone plugin uses `entities` for the tone toward each entity; without it, it
    /// still scores documents and requested spans.)
    public var uses: [String]
    /// What it produces, for people: any of "entities", "events", "tone", "targets",
    /// "annotations".
    public var produces: [String]
    /// One line saying what it does.
    public var summary: String

    public init(name: String, version: String, requires: [String] = [], uses: [String] = [], produces: [String], summary: String) {
        self.name = name
        self.version = version
        self.requires = requires
        self.uses = uses
        self.produces = produces
        self.summary = summary
    }
}

/// An extractor plugin: reads a document, returns what it found. It does no I/O after
/// `init` (data files are read there) and must be safe to call from several threads at once.
///
/// ```swift
/// struct Shouting: Extractor {
///     static let descriptor = PluginDescriptor(name: "shouting", version: "1.0", produces: ["annotations"],
///                                              summary: "Marks words written in capitals.")
///     let minimum: Int
///     init(configuration: PluginConfiguration) throws {
///         minimum = try configuration.int("min_length", default: 4, range: 2...50)
///         try configuration.finish()
///     }
///     func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
///         var out = Extraction()
///         for token in document.tokens where token.text.count >= minimum && token.text == token.text.uppercased() {
///             out.annotations.append(Annotation(kind: "shouting", start: token.start, end: token.end))
///         }
///         return out
///     }
/// }
/// ```
public protocol Extractor: Sendable {
    static var descriptor: PluginDescriptor { get }
    /// Reads and validates `[plugins.<name>]`; errors name the key and line.
    init(configuration: PluginConfiguration) throws
    /// What the document says. A thrown error is recorded as this plugin failing on this
    /// document; the document and the other plugins' results are kept.
    func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction
}

/// The results of the plugins the running one `requires` (and of those it `uses` that ran),
/// by plugin name, and the spans a
/// caller asked tone for (`tidingsd analyze` targets).
public struct ExtractionContext: Sendable {
    public var results: [String: Extraction]
    public var targets: [Span]

    public init(results: [String: Extraction] = [:], targets: [Span] = []) {
        self.results = results
        self.targets = targets
    }

    /// All entity mentions found by the required plugins, in text order.
    public var entities: [EntityMention] {
        results.values.flatMap(\.entities).sorted { ($0.start, $0.end) < ($1.start, $1.end) }
    }
}

/// A half-open range of Unicode code points in the document text.
public struct Span: Sendable, Equatable, Hashable, Codable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// Everything one plugin found in one document. Offsets are Unicode code points into the
/// document text, half-open.
///
/// (The stored properties have no default values; the initialiser's parameters do. With both,
/// every initialisation built an empty value first, then copied and destroyed it: a tenth of a
/// short sentence's tone.)
public struct Extraction: Sendable, Equatable, Codable {
    public var entities: [EntityMention]
    public var events: [CodedEvent]
    public var tone: Tone?
    /// Tone toward each entity (by canonical name and label).
    public var entityTones: [EntityTone]
    /// Tone toward the spans of ``ExtractionContext/targets``, in their order.
    public var targets: [TargetTone]
    /// Generic spans: what third-party plugins produce.
    public var annotations: [Annotation]

    public init(
        entities: [EntityMention] = [], events: [CodedEvent] = [], tone: Tone? = nil, entityTones: [EntityTone] = [],
        targets: [TargetTone] = [], annotations: [Annotation] = []
    ) {
        self.entities = entities
        self.events = events
        self.tone = tone
        self.entityTones = entityTones
        self.targets = targets
        self.annotations = annotations
    }

    public var isEmpty: Bool { self == Extraction() }
}

/// One mention of a person, organisation, place, nationality or other named thing.
public struct EntityMention: Sendable, Equatable, Hashable, Codable {
    public static let labels: Set<String> = ["PER", "ORG", "GPE", "LOC", "NORP", "MISC"]

    public var start: Int
    public var end: Int
    /// The text as written.
    public var text: String
    /// PER, ORG, GPE (countries, cities, states), LOC (other places), NORP (nationalities,
    /// religious and political groups) or MISC.
    public var label: String
    /// The entity's canonical name ("Boris Yeltsin" for "Yeltsin").
    public var canonical: String
    /// ISO 3166-1 alpha-3 / CAMEO country code, when known ("JPN").
    public var country: String?
    /// CAMEO actor code, when one applies ("RUSGOV").
    public var actorCode: String?
    /// A title or role seen with the mention ("Foreign Minister").
    public var role: String?
    /// Index of the sentence the mention is in.
    public var sentence: Int

    public init(
        start: Int, end: Int, text: String, label: String, canonical: String, country: String? = nil, actorCode: String? = nil,
        role: String? = nil, sentence: Int = 0
    ) {
        self.start = start
        self.end = end
        self.text = text
        self.label = label
        self.canonical = canonical
        self.country = country
        self.actorCode = actorCode
        self.role = role
        self.sentence = sentence
    }
}

/// A CAMEO-coded event: who did what to whom.
public struct CodedEvent: Sendable, Equatable, Codable {
    /// CAMEO actor codes ("JPNGOV"); nil when unknown.
    public var source: String?
    public var target: String?
    public var sourceName: String?
    public var targetName: String?
    /// CAMEO event code ("036"), its root ("03"), quad class (1–4) and Goldstein score (−10…10).
    public var code: String
    public var root: String
    public var quadClass: Int
    public var goldstein: Double
    public var sentence: Int
    /// The phrase the event was read from.
    public var start: Int
    public var end: Int

    public init(
        source: String?, target: String?, sourceName: String? = nil, targetName: String? = nil, code: String, root: String? = nil,
        quadClass: Int, goldstein: Double, sentence: Int, start: Int, end: Int
    ) {
        self.source = source
        self.target = target
        self.sourceName = sourceName
        self.targetName = targetName
        self.code = code
        self.root = root ?? String(code.prefix(2))
        self.quadClass = quadClass
        self.goldstein = goldstein
        self.sentence = sentence
        self.start = start
        self.end = end
    }
}

/// Document tone: `score` in −1…1 as a reader would rate it; the rest as GDELT's V2Tone
/// (percentages of words; `tone = positive − negative`).
public struct Tone: Sendable, Equatable, Codable {
    public var score: Double
    public var tone: Double
    public var positive: Double
    public var negative: Double
    public var polarity: Double
    public var activity: Double
    public var selfGroup: Double
    public var words: Int

    public init(score: Double, tone: Double, positive: Double, negative: Double, polarity: Double, activity: Double, selfGroup: Double, words: Int) {
        self.score = score
        self.tone = tone
        self.positive = positive
        self.negative = negative
        self.polarity = polarity
        self.activity = activity
        self.selfGroup = selfGroup
        self.words = words
    }
}

/// Tone toward one entity of the document.
public struct EntityTone: Sendable, Equatable, Codable {
    public var canonical: String
    public var label: String
    public var score: Double
    public var mentions: Int

    public init(canonical: String, label: String, score: Double, mentions: Int) {
        self.canonical = canonical
        self.label = label
        self.score = score
        self.mentions = mentions
    }
}

/// Tone toward one requested span.
public struct TargetTone: Sendable, Equatable, Codable {
    public var start: Int
    public var end: Int
    public var score: Double

    public init(start: Int, end: Int, score: Double) {
        self.start = start
        self.end = end
        self.score = score
    }
}

/// A generic span: `kind` says what it is ("keyword", "topic", "quote"…), `label` and `value`
/// are free text.
public struct Annotation: Sendable, Equatable, Codable {
    public var kind: String
    public var start: Int
    public var end: Int
    public var label: String?
    public var value: String?

    public init(kind: String, start: Int, end: Int, label: String? = nil, value: String? = nil) {
        self.kind = kind
        self.start = start
        self.end = end
        self.label = label
        self.value = value
    }
}

/// An error a plugin reports for one document. A `transient` one says nothing about the
/// document (the plugin is restarting, the daemon is stopping): no result is stored, and the
/// document is tried again later.
public struct PluginError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var transient: Bool
    public init(_ message: String, transient: Bool = false) {
        self.message = message
        self.transient = transient
    }
    public var description: String { message }
}
