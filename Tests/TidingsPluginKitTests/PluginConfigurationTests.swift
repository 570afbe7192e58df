import Foundation
import Testing
import TidingsPluginKit
import TidingsTOML

/// A plugin's view of its `[plugins.<name>]` table.
struct PluginConfigurationTests {
    func configuration(_ toml: String, dataDirectories: [String] = []) throws -> PluginConfiguration {
        PluginConfiguration(plugin: "tone", table: try TOMLParser.parse(toml), dataDirectories: dataDirectories)
    }

    @Test func valuesAndDefaults() throws {
        let configuration = try configuration(
            """
            enabled = true
            window = 5
            decay = 2
            mode = "strict"
            words = ["a", "b"]
            wait = "250ms"
            model = false
            """)
        #expect(try configuration.int("window", default: 12, range: 1...100) == 5)
        #expect(try configuration.double("decay", default: 3, range: 0.5...100) == 2)
        #expect(try configuration.string("mode", default: "loose") == "strict")
        #expect(try configuration.strings("words") == ["a", "b"])
        #expect(try configuration.duration("wait", default: 5, range: 0.1...60) == 0.25)
        #expect(try configuration.bool("model", default: true) == false)
        #expect(try configuration.int("absent", default: 12, range: 1...100) == 12)
        #expect(try configuration.string("absent") == nil)
        #expect(configuration.line(of: "decay") == 3)
        try configuration.finish()
    }

    @Test func errorsNameTheKeyRelativeToThePluginAndItsLine() throws {
        let configuration = try configuration("window = \"wide\"\nneutral_band = 2\n")
        #expect(throws: PluginConfigurationError(plugin: "tone", key: "window", line: 1, message: "must be an integer, not a string")) {
            try configuration.int("window", default: 12, range: 1...100)
        }
        #expect(throws: PluginConfigurationError(plugin: "tone", key: "neutral_band", line: 2, message: "2.0 is out of range; use 0.0…0.9")) {
            try configuration.double("neutral_band", default: 0.2, range: 0...0.9)
        }
        let error = PluginConfigurationError(plugin: "tone", key: "window", line: 1, message: "must be an integer, not a string")
        #expect(error.description == "plugins.tone.window: must be an integer, not a string")
    }

    @Test func finishRefusesKeysNobodyRead() throws {
        let configuration = try configuration("enabled = false\nwindow = 5\nwindoww = 3\n")
        _ = try configuration.int("window", default: 12, range: 1...100)
        #expect(
            throws: PluginConfigurationError(
                plugin: "tone", key: "windoww", line: 3, message: "unknown key in plugins.tone; allowed: enabled, window")
        ) {
            try configuration.finish()
        }
    }

    @Test func dataFilesAreFoundInTheFirstFolderThatHasThem() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-configuration-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("x".utf8).write(to: folder.appendingPathComponent("lexicon.txt"))
        let configuration = try configuration("", dataDirectories: ["/nonexistent", folder.path])
        #expect(try configuration.dataFile("lexicon.txt") == folder.appendingPathComponent("lexicon.txt").path)
        do {
            _ = try configuration.dataFile("missing.txt")
            Issue.record("a missing data file was found")
        } catch {
            #expect(error.key == "data_dir")
            #expect(error.line == 1)
            #expect(error.message.hasPrefix("cannot find missing.txt for plugin tone; looked in /nonexistent, \(folder.path)"))
        }
    }

    @Test func isSendable() throws {
        let configuration: any Sendable = try configuration("")
        #expect(configuration is PluginConfiguration)
    }
}
