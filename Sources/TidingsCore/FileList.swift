import Foundation

/// Folder listings for plugins, which import only TidingsCore.
public enum FileList {
    /// The names of the entries of a folder, sorted; throws a `PluginError` naming the folder
    /// when it cannot be read.
    public static func names(in folder: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw PluginError("cannot read the folder \(folder): \(error.localizedDescription)")
        }
    }

    /// Whether a readable file is at `path`.
    public static func exists(_ path: String) -> Bool { FileManager.default.isReadableFile(atPath: path) }
}
