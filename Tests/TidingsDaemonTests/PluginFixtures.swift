import Foundation

@testable import EntitiesPlugin
@testable import TidingsCore

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
}
