import Foundation

/// Folder listings for plugins, which import TidingsPluginKit and TidingsCore only (not
/// Foundation). Its errors are `PluginError`s, hence its place in the plugin kit.
public enum FileList {
    /// The names of the entries of a folder, sorted; throws a `PluginError` naming the folder
    /// when it cannot be read.
    public static func names(in folder: String) throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else { throw PluginError("no such folder: \(folder)") }
        guard isFolder.boolValue else { throw PluginError("\(folder) is a file, not a folder") }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw PluginError("cannot read the folder \(folder) (permissions?)")
        }
    }

    /// Whether a readable file is at `path`.
    public static func exists(_ path: String) -> Bool { FileManager.default.isReadableFile(atPath: path) }
}
