import CTidingsSys
import Dispatch
import Foundation
import Glibc
import Logging
import TidingsCore
import TidingsPluginKit

/// The exec-plugin protocol (docs/PLUGIN-PROTOCOL.md): the handshake a program sends when it
/// starts, and the reply it sends for each document.
extension ExecPlugin {
    static func descriptor(from handshake: JSON, settings: ExecPluginSettings) throws(PluginError) -> PluginDescriptor {
        guard handshake["protocol"]?.int == protocolVersion else {
            throw PluginError("\"protocol\" must be \(protocolVersion), got \(handshake["protocol"].map { "\($0)" } ?? "nothing")")
        }
        guard let name = handshake["name"]?.string, name == settings.name else {
            throw PluginError("\"name\" must be \"\(settings.name)\" (the name in the config), got \(handshake["name"]?.string ?? "nothing")")
        }
        guard let version = handshake["version"]?.string, !version.isEmpty else { throw PluginError("\"version\" (a string) is missing") }
        var requires: [String] = []
        if let list = handshake["requires"], !list.isNull {
            guard let items = list.array, items.allSatisfy({ $0.string != nil }) else { throw PluginError("\"requires\" must be an array of plugin names") }
            requires = items.compactMap(\.string)
        }
        let produces = handshake["produces"]?.array?.compactMap(\.string) ?? ["annotations"]
        return PluginDescriptor(
            name: name, version: version, requires: requires, produces: produces,
            summary: handshake["summary"]?.string ?? "exec plugin: \(settings.command.joined(separator: " "))")
    }

    static func reply(_ line: [UInt8], id: Int) throws(PluginError) -> Extraction {
        let object: JSON
        do {
            object = try JSON.parse(line)
        } catch {
            throw PluginError("malformed reply: \(error)")
        }
        guard object.members != nil else { throw PluginError("malformed reply: not a JSON object") }
        guard object["id"]?.int == id else { throw PluginError("reply for id \(object["id"].map { "\($0)" } ?? "none"), expected \(id)") }
        if let error = object["error"], !error.isNull { throw PluginError(error.string ?? "\(error)") }
        return try ExtractionJSON.read(object)
    }
}
