import ArgumentParser
import Foundation
import TidingsCore
import TidingsStore

struct ToneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tone",
        abstract: "How the tone toward an entity (or a pair) turns, per day or week, with a sparkline.",
        discussion: """
            The tone toward an entity is the tone plugin's score for the sentences that mention it \
            (−1 hostile … +1 warm), averaged over the documents of each day or week. With --with, the \
            documents that mention both. Reads the database directly; no daemon needed.
            """)
    @OptionGroup var options: DatabaseOptions
    @Option(help: "The entity: canonical name (any case) or id.") var entity: String
    @Option(name: .customLong("with"), help: "A second entity: the tone in documents that mention both.") var other: String?
    @Option(help: "day or week.") var by = "day"
    @Option(help: "Only documents published (or fetched) since this date (YYYY-MM-DD).") var since: String?

    func validate() throws {
        guard by == "day" || by == "week" else { throw ValidationError("--by is day or week") }
        if let other, other.caseInsensitiveCompare(entity) == .orderedSame { throw ValidationError("--with names the same entity as --entity") }
        if let since, Timestamps.parse(since) == nil { throw ValidationError("--since takes a date (YYYY-MM-DD)") }
    }

    func run() throws {
        let connection = try options.open().queries
        guard let first = try connection.entityID(entity) else { throw TidingsError.notFound("no entity \"\(entity)\"; see tidingsctl entities") }
        var second: (id: Int64, canonical: String)?
        if let other {
            guard let found = try connection.entityID(other) else { throw TidingsError.notFound("no entity \"\(other)\"; see tidingsctl entities") }
            guard found.id != first.id else { throw TidingsError.invalid("--with names the same entity as --entity") }
            second = found
        }
        let points = try connection.toneSeries(
            entity: first.id, other: second?.id, byWeek: by == "week", since: since.flatMap(Timestamps.parse).map { String(Timestamps.iso($0).prefix(10)) })
        if options.json {
            print(Output.json(points))
            return
        }
        let name = first.canonical + (second.map { " & " + $0.canonical } ?? "")
        guard !points.isEmpty else {
            print("no tone toward \(name) yet (the tone plugin scores documents as they are analysed)")
            return
        }
        print("\(name): tone per \(by), −1 … +1")
        print("  " + ToneCommand.sparkline(points.map(\.meanTone)) + "  " + (points.first?.period ?? "") + " … " + (points.last?.period ?? ""))
        print(Output.table(
            [by.uppercased(), "TONE", "DOCUMENTS", ""],
            points.map { [$0.period, String(format: "%+.2f", $0.meanTone), String($0.documents), ToneCommand.bar($0.meanTone)] }))
    }

    /// One block per value, low (−1) to high (+1).
    static func sparkline(_ values: [Double]) -> String {
        let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        return String(values.map { value in
            let clamped = min(1, max(-1, value))
            return blocks[min(blocks.count - 1, Int(((clamped + 1) / 2) * Double(blocks.count)))]
        })
    }

    /// A bar left of the axis for negative tone, right of it for positive: "  ████|" or "|██".
    static func bar(_ value: Double) -> String {
        let width = 10
        let length = Int((min(1, abs(value)) * Double(width)).rounded())
        if value < 0 { return String(repeating: " ", count: width - length) + String(repeating: "█", count: length) + "|" }
        return String(repeating: " ", count: width) + "|" + String(repeating: "█", count: length)
    }
}
