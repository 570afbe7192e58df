import Foundation
import TidingsCore

/// One real-world event: all events of one day, dyad and code (`event_groups`), with GDELT's
/// counts (`tidingsctl events`, `tidingsctl events export`).
public struct EventGroup: Sendable, Codable, Equatable {
    public var eventID: Int64
    public var date: String?
    public var sourceActor: String?
    public var sourceName: String?
    public var targetActor: String?
    public var targetName: String?
    public var code: String
    public var root: String
    public var quadClass: Int
    public var goldstein: Double
    /// How often it was coded (GDELT NumMentions), in how many documents (NumArticles), seen
    /// by how many sources (NumSources), and those documents' mean tone (AvgTone).
    public var mentions: Int
    public var articles: Int
    public var sources: Int
    public var meanTone: Double?
    /// Coded in a document's first sentence (GDELT IsRootEvent).
    public var inLead: Bool
    public var firstDocumentID: Int64
    public var url: String?
    public var fetchedAt: String?
}

/// One coded event with the phrase it was read from (`tidingsctl events --each`).
public struct EventRow: Sendable, Codable, Equatable {
    public var id: Int64
    public var documentID: Int64
    public var date: String?
    public var sourceActor: String?
    public var sourceName: String?
    public var targetActor: String?
    public var targetName: String?
    public var code: String
    public var quadClass: Int
    public var goldstein: Double
    public var sentence: Int
    public var phrase: String?
    public var title: String?
}

/// What `tidingsctl events` selects.
public struct EventFilter: Sendable, Equatable {
    /// An actor code prefix, as source or target: "JPN" matches JPN, JPNGOV, JPNELI.
    public var actor: String?
    /// A CAMEO code prefix: "03" is the whole root, "036" one code.
    public var code: String?
    /// Events of documents dated on or after this day (YYYY-MM-DD).
    public var since: String?
    public var quadClass: Int?
    public var limit: Int?

    public init(actor: String? = nil, code: String? = nil, since: String? = nil, quadClass: Int? = nil, limit: Int? = nil) {
        self.actor = actor
        self.code = code
        self.since = since
        self.quadClass = quadClass
        self.limit = limit
    }

    /// The WHERE clause over a table or view with event_date, source_actor, target_actor,
    /// code and quad_class columns.
    func clause(prefix: String = "") -> (String, [SQLiteValue]) {
        var sql = "WHERE 1"
        var parameters: [SQLiteValue] = []
        if let actor {
            sql += " AND (substr(\(prefix)source_actor, 1, ?) = ? OR substr(\(prefix)target_actor, 1, ?) = ?)"
            parameters += [.integer(Int64(actor.count)), .text(actor), .integer(Int64(actor.count)), .text(actor)]
        }
        if let code {
            sql += " AND substr(\(prefix)code, 1, ?) = ?"
            parameters += [.integer(Int64(code.count)), .text(code)]
        }
        if let since {
            sql += " AND \(prefix)event_date >= ?"
            parameters.append(.text(since))
        }
        if let quadClass {
            sql += " AND \(prefix)quad_class = ?"
            parameters.append(.integer(Int64(quadClass)))
        }
        return (sql, parameters)
    }

    /// ` LIMIT ?` and its parameter, when there is a limit.
    func limitClause(_ parameters: inout [SQLiteValue]) -> String {
        guard let limit else { return "" }
        parameters.append(.integer(Int64(limit)))
        return " LIMIT ?"
    }
}

extension SQLiteConnection {
    /// Event groups, newest first, then most reported.
    public func eventGroups(_ filter: EventFilter) throws -> [EventGroup] {
        var (whereClause, parameters) = filter.clause(prefix: "g.")
        let sql = """
            SELECT g.*, d.url, d.fetched_at FROM event_groups g LEFT JOIN documents d ON d.id = g.first_document_id
            \(whereClause) ORDER BY g.event_date DESC, g.mentions DESC, g.event_id
            """ + filter.limitClause(&parameters)
        return try query(sql, parameters).map { row in
            EventGroup(
                eventID: try row.int("event_id"), date: row["event_date"].string, sourceActor: row["source_actor"].string,
                sourceName: row["source_name"].string, targetActor: row["target_actor"].string, targetName: row["target_name"].string,
                code: try row.text("code"), root: try row.text("root"), quadClass: Int(try row.int("quad_class")),
                goldstein: try row.double("goldstein"), mentions: Int(try row.int("mentions")), articles: Int(try row.int("articles")),
                sources: Int(try row.int("sources")), meanTone: row["mean_tone"].double, inLead: try row.int("in_lead") != 0,
                firstDocumentID: try row.int("first_document_id"), url: row["url"].string, fetchedAt: row["fetched_at"].string)
        }
    }

    /// Coded events one by one, newest first, with the phrase each was read from.
    public func events(_ filter: EventFilter) throws -> [EventRow] {
        var (whereClause, parameters) = filter.clause()
        let sql = """
            SELECT id, document_id, event_date, source_actor, source_name, target_actor, target_name, code, quad_class,
                   goldstein, sentence, phrase, title
            FROM event_list \(whereClause) ORDER BY event_date DESC, id DESC
            """ + filter.limitClause(&parameters)
        return try query(sql, parameters).map { row in
            EventRow(
                id: try row.int("id"), documentID: try row.int("document_id"), date: row["event_date"].string,
                sourceActor: row["source_actor"].string, sourceName: row["source_name"].string, targetActor: row["target_actor"].string,
                targetName: row["target_name"].string, code: try row.text("code"), quadClass: Int(try row.int("quad_class")),
                goldstein: try row.double("goldstein"), sentence: Int(try row.int("sentence")), phrase: row["phrase"].string,
                title: row["title"].string)
        }
    }
}
