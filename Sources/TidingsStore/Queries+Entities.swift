import Foundation
import TidingsCore

/// An entity with how often it is mentioned (`tidingsctl entities`).
public struct EntityCount: Sendable, Codable, Equatable {
    public var id: Int64
    public var canonical: String
    public var kind: String
    public var country: String?
    public var actorCode: String?
    public var mentions: Int
    public var documents: Int
    public var firstDay: String?
    public var lastDay: String?
}

/// One entity in detail (`tidingsctl entity NAME`).
public struct EntityDetail: Sendable, Codable, Equatable {
    public struct Mention: Sendable, Codable, Equatable {
        public var documentID: Int64
        public var day: String?
        public var text: String
        public var role: String?
        public var context: String
    }
    public struct Document: Sendable, Codable, Equatable {
        public var id: Int64
        public var day: String?
        public var title: String?
    }
    public var entity: EntityCount
    public var roles: [String]
    public var mentions: [Mention]
    public var comentioned: [EntityCount]
    public var documents: [Document]
}

extension SQLiteConnection {
    static func entityCount(_ row: Row) throws -> EntityCount {
        EntityCount(
            id: try row.int("entity_id"), canonical: try row.text("canonical"), kind: try row.text("kind"),
            country: row["country"].string, actorCode: row["actor_code"].string, mentions: Int(try row.int("mentions")),
            documents: Int(try row.int("documents")), firstDay: row["first_day"].string, lastDay: row["last_day"].string)
    }

    /// The most mentioned entities, optionally of one kind and since a day.
    public func topEntities(limit: Int, kind: String?, since: String?) throws -> [EntityCount] {
        var sql = """
            SELECT e.id AS entity_id, e.canonical, e.kind, e.country, e.actor_code, count(*) AS mentions,
                   count(DISTINCT m.document_id) AS documents,
                   min(substr(coalesce(d.published_at, d.fetched_at), 1, 10)) AS first_day,
                   max(substr(coalesce(d.published_at, d.fetched_at), 1, 10)) AS last_day
            FROM mentions m JOIN entities e ON e.id = m.entity_id JOIN documents d ON d.id = m.document_id
            WHERE 1
            """
        var parameters: [SQLiteValue] = []
        if let kind {
            sql += " AND e.kind = ?"
            parameters.append(.text(kind))
        }
        if let since {
            sql += " AND coalesce(d.published_at, d.fetched_at) >= ?"
            parameters.append(.text(since))
        }
        sql += " GROUP BY e.id ORDER BY mentions DESC, e.canonical LIMIT ?"
        parameters.append(.integer(Int64(limit)))
        return try query(sql, parameters).map(Self.entityCount)
    }

    /// An entity by id or canonical name (case-insensitive; the most mentioned when several
    /// kinds share the name), with its recent mentions, the entities mentioned with it and its
    /// documents.
    public func entityDetail(_ name: String, limit: Int = 10) throws -> EntityDetail? {
        let candidates = try query(
            "SELECT entity_id FROM entity_counts WHERE entity_id = ? OR canonical = ? COLLATE NOCASE ORDER BY mentions DESC LIMIT 1",
            [.integer(Int64(name) ?? -1), .text(name)])
        guard let id = candidates.first?["entity_id"].int,
            let entity = try query("SELECT * FROM entity_counts WHERE entity_id = ?", [.integer(id)]).first.map(Self.entityCount)
        else { return nil }
        let roles = try query(
            "SELECT role, count(*) AS n FROM mentions WHERE entity_id = ? AND role IS NOT NULL GROUP BY role ORDER BY n DESC LIMIT 5", [.integer(id)]
        ).compactMap { $0["role"].string }
        let mentions = try query(
            """
            SELECT m.document_id, substr(coalesce(d.published_at, d.fetched_at), 1, 10) AS day, m.text, m.role,
                   substr(d.text, max(1, m.start + 1 - 60), (m."end" - m.start) + 120) AS context
            FROM mentions m JOIN documents d ON d.id = m.document_id
            WHERE m.entity_id = ? ORDER BY m.document_id DESC, m.start LIMIT ?
            """, [.integer(id), .integer(Int64(limit))]
        ).map { row in
            EntityDetail.Mention(
                documentID: try row.int("document_id"), day: row["day"].string, text: try row.text("text"), role: row["role"].string,
                context: try row.text("context").split(whereSeparator: \.isNewline).joined(separator: " "))
        }
        let comentioned = try query(
            """
            SELECT e.id AS entity_id, e.canonical, e.kind, e.country, e.actor_code, count(*) AS mentions,
                   count(DISTINCT other.document_id) AS documents, NULL AS first_day, NULL AS last_day
            FROM mentions other JOIN entities e ON e.id = other.entity_id
            WHERE other.document_id IN (SELECT document_id FROM mentions WHERE entity_id = ?) AND other.entity_id <> ?
            GROUP BY e.id ORDER BY documents DESC, mentions DESC LIMIT ?
            """, [.integer(id), .integer(id), .integer(Int64(limit))]
        ).map(Self.entityCount)
        let documents = try query(
            """
            SELECT d.id, substr(coalesce(d.published_at, d.fetched_at), 1, 10) AS day, d.title FROM documents d
            WHERE d.id IN (SELECT document_id FROM mentions WHERE entity_id = ?) ORDER BY d.id DESC LIMIT ?
            """, [.integer(id), .integer(Int64(limit))]
        ).map { EntityDetail.Document(id: try $0.int("id"), day: $0["day"].string, title: $0["title"].string) }
        return EntityDetail(entity: entity, roles: roles, mentions: mentions, comentioned: comentioned, documents: documents)
    }
}
