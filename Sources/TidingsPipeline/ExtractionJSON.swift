import TidingsCore
import TidingsPluginKit

/// Extractions as JSON: the shapes of `tidingsd analyze` output and of the exec-plugin
/// protocol (docs/PLUGIN-PROTOCOL.md), which are the same.
public enum ExtractionJSON {
    public static func writeEntities(_ entities: [EntityMention], to json: inout JSONWriter) {
        json.beginArray()
        for entity in entities {
            json.beginObject()
            json.key("start"); json.number(entity.start)
            json.key("end"); json.number(entity.end)
            json.field("label", entity.label)
            json.field("text", entity.text)
            json.field("canonical", entity.canonical)
            if let country = entity.country { json.field("country", country) }
            if let actor = entity.actorCode { json.field("actor", actor) }
            if let role = entity.role { json.field("role", role) }
            json.key("sentence"); json.number(entity.sentence)
            json.endObject()
        }
        json.endArray()
    }

    public static func writeEvents(_ events: [CodedEvent], to json: inout JSONWriter) {
        json.beginArray()
        for event in events {
            json.beginObject()
            json.field("source", event.source)
            json.field("target", event.target)
            if let name = event.sourceName { json.field("source_name", name) }
            if let name = event.targetName { json.field("target_name", name) }
            json.field("code", event.code)
            json.field("root", event.root)
            json.key("quad_class"); json.number(event.quadClass)
            json.key("goldstein"); json.number(event.goldstein)
            json.key("sentence"); json.number(event.sentence)
            json.key("start"); json.number(event.start)
            json.key("end"); json.number(event.end)
            json.endObject()
        }
        json.endArray()
    }

    public static func writeTone(_ tone: Tone?, to json: inout JSONWriter) {
        guard let tone else { return json.null() }
        json.beginObject()
        json.key("score"); json.number(tone.score)
        json.key("tone"); json.number(tone.tone)
        json.key("positive"); json.number(tone.positive)
        json.key("negative"); json.number(tone.negative)
        json.key("polarity"); json.number(tone.polarity)
        json.key("activity"); json.number(tone.activity)
        json.key("self_group"); json.number(tone.selfGroup)
        json.key("words"); json.number(tone.words)
        json.endObject()
    }

    /// `[{"canonical", "label", "score", "mentions"}]`: the tone toward each entity.
    public static func writeEntityTones(_ tones: [EntityTone], to json: inout JSONWriter) {
        json.beginArray()
        for tone in tones {
            json.beginObject()
            json.field("canonical", tone.canonical)
            json.field("label", tone.label)
            json.key("score"); json.number(tone.score)
            json.key("mentions"); json.number(tone.mentions)
            json.endObject()
        }
        json.endArray()
    }

    public static func writeTargets(_ targets: [TargetTone], to json: inout JSONWriter) {
        json.beginArray()
        for target in targets {
            json.beginObject()
            json.key("start"); json.number(target.start)
            json.key("end"); json.number(target.end)
            json.key("score"); json.number(target.score)
            json.endObject()
        }
        json.endArray()
    }

    public static func writeAnnotations(_ annotations: [(plugin: String?, annotation: Annotation)], to json: inout JSONWriter) {
        json.beginArray()
        for (plugin, annotation) in annotations {
            json.beginObject()
            if let plugin { json.field("plugin", plugin) }
            json.field("kind", annotation.kind)
            json.key("start"); json.number(annotation.start)
            json.key("end"); json.number(annotation.end)
            json.field("label", annotation.label)
            json.field("value", annotation.value)
            json.endObject()
        }
        json.endArray()
    }

    /// One extraction as an object with the keys it has something for.
    public static func write(_ extraction: Extraction, to json: inout JSONWriter) {
        json.beginObject()
        json.key("entities"); writeEntities(extraction.entities, to: &json)
        json.key("events"); writeEvents(extraction.events, to: &json)
        json.key("tone"); writeTone(extraction.tone, to: &json)
        json.key("targets"); writeTargets(extraction.targets, to: &json)
        json.key("annotations"); writeAnnotations(extraction.annotations.map { (nil, $0) }, to: &json)
        json.endObject()
    }

    /// Reads a reply's `entities`, `events`, `tone`, `targets` and `annotations` (all optional).
    public static func read(_ object: JSON) throws(PluginError) -> Extraction {
        var out = Extraction()
        func int(_ value: JSON?, _ what: String) throws(PluginError) -> Int {
            guard let number = value?.int else { throw PluginError("\(what) must be a whole number") }
            return number
        }
        func number(_ value: JSON?, _ what: String) throws(PluginError) -> Double {
            guard let number = value?.number, number.isFinite else { throw PluginError("\(what) must be a number") }
            return number
        }
        func list(_ key: String) throws(PluginError) -> [JSON] {
            guard let value = object[key], !value.isNull else { return [] }
            guard let array = value.array else { throw PluginError("\(key) must be an array") }
            return array
        }
        for item in try list("annotations") {
            guard let kind = item["kind"]?.string, !kind.isEmpty else { throw PluginError("every annotation needs a kind (a string)") }
            let label = item["label"].flatMap { $0.isNull ? nil : ($0.string ?? $0.number.map { String($0) }) }
            let value = item["value"].flatMap { $0.isNull ? nil : ($0.string ?? $0.number.map { String($0) } ?? $0.bool.map { String($0) }) }
            out.annotations.append(Annotation(
                kind: kind, start: try int(item["start"], "annotation start"), end: try int(item["end"], "annotation end"), label: label,
                value: value))
        }
        for item in try list("entities") {
            guard let label = item["label"]?.string, let text = item["text"]?.string else { throw PluginError("every entity needs a label and a text") }
            out.entities.append(EntityMention(
                start: try int(item["start"], "entity start"), end: try int(item["end"], "entity end"), text: text, label: label,
                canonical: item["canonical"]?.string ?? text, country: item["country"]?.string, actorCode: item["actor"]?.string,
                role: item["role"]?.string, sentence: item["sentence"]?.int ?? 0))
        }
        for item in try list("events") {
            guard let code = item["code"]?.string, !code.isEmpty else { throw PluginError("every event needs a code (a string such as \"036\")") }
            out.events.append(CodedEvent(
                source: item["source"]?.string, target: item["target"]?.string, sourceName: item["source_name"]?.string,
                targetName: item["target_name"]?.string, code: code, root: item["root"]?.string,
                quadClass: try int(item["quad_class"], "event quad_class"), goldstein: try number(item["goldstein"], "event goldstein"),
                sentence: item["sentence"]?.int ?? 0, start: try int(item["start"], "event start"), end: try int(item["end"], "event end")))
        }
        if let tone = object["tone"], !tone.isNull {
            guard tone.members != nil else { throw PluginError("tone must be an object") }
            out.tone = Tone(
                score: try number(tone["score"], "tone score"), tone: tone["tone"]?.number ?? 0, positive: tone["positive"]?.number ?? 0,
                negative: tone["negative"]?.number ?? 0, polarity: tone["polarity"]?.number ?? 0, activity: tone["activity"]?.number ?? 0,
                selfGroup: tone["self_group"]?.number ?? 0, words: tone["words"]?.int ?? 0)
        }
        for item in try list("targets") {
            out.targets.append(TargetTone(
                start: try int(item["start"], "target start"), end: try int(item["end"], "target end"), score: try number(item["score"], "target score")))
        }
        return out
    }
}
