import Foundation
import Testing
import TidingsTOML

@testable import EntitiesPlugin
@testable import TidingsPluginKit

/// What the built-in plugins' tests share: the source tree, each plugin's data folder, and one
/// entity extractor (its dictionaries take a while to load; the event and tone tests run it
/// first, as the pipeline does).
enum PluginFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `plugins/<name>/data`.
    static func data(_ plugin: String) -> URL { root.appendingPathComponent("plugins/\(plugin)/data") }

    /// `plugins/<name>/Tests/Fixtures`.
    static func fixtures(_ plugin: String) -> URL { root.appendingPathComponent("plugins/\(plugin)/Tests/Fixtures") }

    /// A plugin's configuration with its bundled data.
    static func configuration(_ plugin: String, _ toml: String = "") throws -> PluginConfiguration {
        PluginConfiguration(plugin: plugin, table: try TOMLParser.parse(toml), dataDirectories: [data(plugin).path])
    }

    static let entities: EntityExtractor = try! EntityExtractor(configuration: try! configuration("entities"))

    /// Compares a plugin's output with `folder/expected.json`, item by item; with
    /// `TIDINGS_UPDATE_GOLDEN=1`, writes it there instead.
    static func checkGolden<Item: Codable & Equatable>(
        _ found: [Item], in folder: URL, name: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let expectedURL = folder.appendingPathComponent("expected.json")
        if ProcessInfo.processInfo.environment["TIDINGS_UPDATE_GOLDEN"] == "1" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(found).write(to: expectedURL)
            return
        }
        let expected = try JSONDecoder().decode([Item].self, from: Data(contentsOf: expectedURL))
        #expect(found.count == expected.count, "\(name): \(found.count) items, expected \(expected.count): \(found)", sourceLocation: sourceLocation)
        for (index, (got, want)) in zip(found, expected).enumerated() where got != want {
            Issue.record("\(name) item \(index): got \(got), expected \(want)", sourceLocation: sourceLocation)
        }
    }
}
