import ArgumentParser
import Foundation
import TidingsCore
import TidingsStore

/// Which events: the options `events` and `events export` share.
struct EventOptions: ParsableArguments {
    @Option(help: "Only events with this actor as source or target (a code prefix: JPN matches JPN, JPNGOV, JPNELI).")
    var actor: String?
    @Option(help: "Only this CAMEO code or root (a prefix: 03 is every 03x code).") var code: String?
    @Option(help: "Only events of documents dated on or after this date (YYYY-MM-DD).") var since: String?
    @Option(help: "Only this QuadClass: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.")
    var quad: Int?

    func validate() throws {
        if let code, code.isEmpty || !code.allSatisfy(\.isNumber) { throw ValidationError("--code takes CAMEO digits, e.g. 03 or 036") }
        if let quad, !(1...4).contains(quad) { throw ValidationError("--quad is 1, 2, 3 or 4") }
        if let since, Timestamps.parse(since) == nil { throw ValidationError("--since takes a date (YYYY-MM-DD)") }
        if let actor, actor.isEmpty { throw ValidationError("--actor takes an actor code, e.g. JPN or RUSGOV") }
    }

    func filter(limit: Int?) -> EventFilter {
        EventFilter(
            actor: actor?.uppercased(), code: code, since: since.flatMap(Timestamps.parse).map { String(Timestamps.iso($0).prefix(10)) },
            quadClass: quad, limit: limit)
    }
}

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "CAMEO events: who did what to whom (list, or export for other tools).",
        subcommands: [EventsList.self, EventsExport.self], defaultSubcommand: EventsList.self)
}

struct EventsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Events grouped GDELT-style: one row per day, dyad and code, with how many mentions, articles and sources reported it.",
        discussion: "Reads the database directly; no daemon needed. --each lists every coded event with the phrase it was read from.")
    @OptionGroup var options: DatabaseOptions
    @OptionGroup var which: EventOptions
    @Option(help: "How many to print.") var limit = 30
    @Flag(help: "Every coded event, with its phrase, instead of groups.") var each = false

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() throws {
        let reader = try options.open()
        if each {
            let rows = try reader.queries.events(which.filter(limit: limit))
            if options.json {
                print(Output.json(rows))
                return
            }
            if rows.isEmpty { return print("no events (the events plugin codes them as documents are analysed)") }
            print(Output.table(
                ["DATE", "SOURCE", "TARGET", "CODE", "QUAD", "GOLDSTEIN", "DOC", "PHRASE"],
                rows.map {
                    [$0.date ?? "-", $0.sourceActor ?? "-", $0.targetActor ?? "-", $0.code, String($0.quadClass), EventExport.format($0.goldstein),
                     String($0.documentID), Output.clip($0.phrase, 60)]
                }))
            return
        }
        let groups = try reader.queries.eventGroups(which.filter(limit: limit))
        if options.json {
            print(Output.json(groups))
            return
        }
        if groups.isEmpty { return print("no events (the events plugin codes them as documents are analysed)") }
        print(Output.table(
            ["DATE", "SOURCE", "TARGET", "CODE", "QUAD", "GOLDSTEIN", "MENTIONS", "ARTICLES", "SOURCES", "TONE", "NAMES"],
            groups.map {
                [$0.date ?? "-", $0.sourceActor ?? "-", $0.targetActor ?? "-", $0.code, String($0.quadClass), EventExport.format($0.goldstein),
                 String($0.mentions), String($0.articles), String($0.sources), $0.meanTone.map { String(format: "%.1f", $0) } ?? "-",
                 Output.clip("\($0.sourceName ?? "?") → \($0.targetName ?? "?")", 50)]
            }))
    }
}

struct EventsExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write event groups as GDELT 2.0 event rows (tab-separated, 61 columns), CSV or JSON lines.",
        discussion: """
            gdelt: the GDELT 2.0 Event table's columns in order, without a header; geography and \
            the group, ethnic and religion codes are left empty. csv: a header row, then one row per \
            group. jsonl: one object per group. Reads the database directly; no daemon needed.
            """)
    @OptionGroup var options: DatabaseOptions
    @OptionGroup var which: EventOptions
    @Option(help: "gdelt, csv or jsonl.") var format: String = "gdelt"
    @Option(name: [.customShort("o"), .long], help: "Write to this file instead of standard output.") var output: String?
    @Option(help: "At most this many groups (default: all).") var limit: Int?

    func validate() throws {
        guard EventExport.Format(rawValue: format) != nil else { throw ValidationError("--format is gdelt, csv or jsonl") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
    }

    func run() throws {
        let groups = try options.open().queries.eventGroups(which.filter(limit: limit))
        var lines: [String] = []
        switch EventExport.Format(rawValue: format)! {
        case .gdelt: lines = groups.map(EventExport.gdelt)
        case .csv: lines = [EventExport.csvColumns.joined(separator: ",")] + groups.map(EventExport.csv)
        case .jsonl: lines = groups.map(EventExport.jsonLine)
        }
        let text = lines.map { $0 + "\n" }.joined()
        if let output {
            // Written next to the target and renamed: a reader never sees half a file.
            let temporary = output + ".tmp-\(getpid())"
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
                if rename(temporary, output) != 0 { throw TidingsError.invalid("cannot write \(output): \(String(cString: strerror(errno)))") }
            } catch let error as TidingsError {
                unlink(temporary)
                throw error
            } catch {
                unlink(temporary)
                throw TidingsError.invalid("cannot write \(output): \(error.localizedDescription)")
            }
            FileHandle.standardError.write(Data("tidingsctl: wrote \(groups.count) event group(s) to \(output)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
