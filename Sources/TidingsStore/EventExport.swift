import Foundation
import TidingsCore

/// Event groups written for other tools: GDELT 2.0 event rows (tab-separated, the 61 columns
/// of the Event table, with those Tidings cannot fill left empty), CSV and JSON lines.
public enum EventExport {
    public enum Format: String, Sendable, CaseIterable {
        case gdelt, csv, jsonl
    }

    /// The GDELT 2.0 Event table's columns, in order.
    public static let gdeltColumns: [String] = {
        func actor(_ n: Int) -> [String] {
            ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code", "Type1Code", "Type2Code", "Type3Code"]
                .map { "Actor\(n)\($0)" }
        }
        func geo(_ prefix: String) -> [String] {
            ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"].map { "\(prefix)Geo_\($0)" }
        }
        return ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"] + actor(1) + actor(2)
            + ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions", "NumSources",
               "NumArticles", "AvgTone"] + geo("Actor1") + geo("Actor2") + geo("Action") + ["DATEADDED", "SOURCEURL"]
    }()

    /// The columns of the CSV export (a header row comes first).
    public static let csvColumns = [
        "event_id", "date", "source_actor", "source_name", "target_actor", "target_name", "code", "root", "quad_class", "goldstein",
        "mentions", "articles", "sources", "mean_tone", "in_lead", "first_document_id", "url",
    ]

    /// The country part of an actor code (JPN of JPNGOV); none for international and
    /// non-state codes (IGO…, NGO…, MNC…) or unknown ones (---GOV).
    static func country(_ code: String?) -> String {
        guard let code, code.count >= 3 else { return "" }
        let head = String(code.prefix(3))
        guard head.allSatisfy({ $0.isLetter }), !["IGO", "NGO", "MNC", "IMG", "UAF", "NGM"].contains(head) else { return "" }
        return head
    }

    /// The role part of an actor code (GOV of JPNGOV).
    static func type1(_ code: String?) -> String {
        guard let code else { return "" }
        let rest = country(code).isEmpty ? code.drop { $0 == "-" } : code.dropFirst(3)
        return String(rest.prefix(3))
    }

    /// A score as GDELT writes it: whole numbers without a fraction, else up to 4 decimals.
    public static func format(_ value: Double) -> String { number(value) }

    static func number(_ value: Double) -> String {
        let rounded = (value * 10_000).rounded() / 10_000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// One GDELT 2.0 event row.
    public static func gdelt(_ group: EventGroup) -> String {
        let day = (group.date ?? "").filter(\.isNumber)
        // GDELT's FractionDate: YEAR + (MONTH * 30 + DAY) / 365. No date: the date fields stay empty.
        var dateFields = ["", "", "", ""]
        if day.count == 8, let year = Int(day.prefix(4)), let month = Int(day.dropFirst(4).prefix(2)), let dayOfMonth = Int(day.suffix(2)) {
            dateFields = [day, String(day.prefix(6)), String(year), String(format: "%.4f", Double(year) + Double(month * 30 + dayOfMonth) / 365.0)]
        }
        func actor(_ code: String?, _ name: String?) -> [String] {
            [code ?? "", (name ?? "").uppercased(), country(code), "", "", "", "", type1(code), "", ""]
        }
        let added = (group.fetchedAt ?? "").filter(\.isNumber).prefix(14)
        var fields = [String(group.eventID)] + dateFields
        fields += actor(group.sourceActor, group.sourceName) + actor(group.targetActor, group.targetName)
        fields += [group.inLead ? "1" : "0", group.code, String(group.code.prefix(3)), group.root, String(group.quadClass), number(group.goldstein)]
        fields += [String(group.mentions), String(group.sources), String(group.articles), group.meanTone.map { String(format: "%.4f", $0) } ?? ""]
        fields += Array(repeating: "", count: 24)
        fields += [String(added), group.url ?? ""]
        return fields.map { $0.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\t")
    }

    /// One CSV row (RFC 4180 quoting).
    public static func csv(_ group: EventGroup) -> String {
        let values: [String] = [
            String(group.eventID), group.date ?? "", group.sourceActor ?? "", group.sourceName ?? "", group.targetActor ?? "",
            group.targetName ?? "", group.code, group.root, String(group.quadClass), number(group.goldstein), String(group.mentions),
            String(group.articles), String(group.sources), group.meanTone.map { String(format: "%.4f", $0) } ?? "", group.inLead ? "1" : "0",
            String(group.firstDocumentID), group.url ?? "",
        ]
        return values.map(quote).joined(separator: ",")
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One JSON line.
    public static func jsonLine(_ group: EventGroup) -> String {
        var json = JSONWriter()
        func number(_ key: StaticString, _ value: Double?) {
            json.key(key)
            if let value { json.number(value) } else { json.null() }
        }
        json.beginObject()
        number("event_id", Double(group.eventID))
        json.field("date", group.date)
        json.field("source_actor", group.sourceActor)
        json.field("source_name", group.sourceName)
        json.field("target_actor", group.targetActor)
        json.field("target_name", group.targetName)
        json.field("code", group.code)
        json.field("root", group.root)
        number("quad_class", Double(group.quadClass))
        number("goldstein", group.goldstein)
        number("mentions", Double(group.mentions))
        number("articles", Double(group.articles))
        number("sources", Double(group.sources))
        number("mean_tone", group.meanTone)
        json.key("in_lead")
        json.bool(group.inLead)
        number("first_document_id", Double(group.firstDocumentID))
        json.field("url", group.url)
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
