import Foundation
import TidingsCore

/// The tone toward an entity (or a pair) over time (`tidingsctl tone`).
public struct TonePoint: Sendable, Codable, Equatable {
    /// The day (YYYY-MM-DD) or the week's Monday.
    public var period: String
    public var meanTone: Double
    public var documents: Int
}

extension SQLiteConnection {
    /// The entity id for a canonical name (any case) or an id, the most mentioned first.
    public func entityID(_ name: String) throws -> (id: Int64, canonical: String)? {
        let rows = try query(
            """
            SELECT e.id AS entity_id, e.canonical FROM entities e WHERE e.id = ? OR e.canonical = ? COLLATE NOCASE
            ORDER BY (SELECT count(*) FROM mentions m WHERE m.entity_id = e.id) DESC, e.id LIMIT 1
            """,
            [.integer(Int64(name) ?? -1), .text(name)])
        guard let row = rows.first, let id = row["entity_id"].int else { return nil }
        return (id, row["canonical"].string ?? name)
    }

    /// The mean tone toward an entity (or toward it and `other` in the same documents) per day
    /// or per week (weeks start on Monday), oldest first.
    public func toneSeries(entity: Int64, other: Int64? = nil, byWeek: Bool, since: String?) throws -> [TonePoint] {
        let period = byWeek ? "date(day, '-' || ((strftime('%w', day) + 6) % 7) || ' days')" : "day"
        var sql: String
        var parameters: [SQLiteValue]
        if let other {
            sql = """
                SELECT \(period) AS period, sum(mean_tone * documents) / sum(documents) AS mean_tone, sum(documents) AS documents
                FROM dyad_tone_daily WHERE entity_a = ? AND entity_b = ?
                """
            parameters = [.integer(min(entity, other)), .integer(max(entity, other))]
        } else {
            sql = """
                SELECT \(period) AS period, sum(mean_tone * documents) / sum(documents) AS mean_tone, sum(documents) AS documents
                FROM entity_tone_daily WHERE entity_id = ?
                """
            parameters = [.integer(entity)]
        }
        if let since {
            sql += " AND day >= ?"
            parameters.append(.text(since))
        }
        sql += " GROUP BY period ORDER BY period"
        return try query(sql, parameters).map { row in
            TonePoint(period: try row.text("period"), meanTone: try row.double("mean_tone"), documents: Int(try row.int("documents")))
        }
    }
}
