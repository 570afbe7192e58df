import Foundation

/// One file of a folder source.
public struct FolderFile: Sendable {
    public var url: String
    public var bytes: [UInt8]
    public var modified: Date?
}

extension Fetcher {
    /// File names a folder source reads; anything else is ignored.
    public static let folderExtensions: Set<String> = ["html", "htm", "xhtml", "txt", "text", "xml", "rss", "atom", "json", "gz"]

    /// Reads a folder source's files (recursively, up to `maxFiles`) on the fetcher's queue.
    /// Files over `maxBytes` are skipped with a note.
    public func readFolder(
        _ url: String, maxFiles: Int = 10_000, maxBytes: Int,
        completion: @escaping @Sendable (Result<(files: [FolderFile], skipped: [String]), FetchError>) -> Void
    ) {
        enqueue { completion(Fetcher.listFolder(url, maxFiles: maxFiles, maxBytes: maxBytes)) }
    }

    static func listFolder(_ url: String, maxFiles: Int, maxBytes: Int) -> Result<(files: [FolderFile], skipped: [String]), FetchError> {
        guard let root = URL(string: url), root.isFileURL else { return .failure(FetchError("not a local folder: \(url)")) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .failure(FetchError("no such folder: \(root.path)"))
        }
        guard let walker = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey],
            options: [.skipsHiddenFiles])
        else { return .failure(FetchError("cannot list \(root.path)")) }
        var files: [FolderFile] = []
        var skipped: [String] = []
        for case let file as URL in walker {
            guard Fetcher.folderExtensions.contains(file.pathExtension.lowercased()),
                let values = try? file.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]),
                values.isRegularFile == true
            else { continue }
            if (values.fileSize ?? 0) > maxBytes {
                skipped.append("\(file.lastPathComponent) is larger than \(maxBytes) bytes")
                continue
            }
            guard let data = FileManager.default.contents(atPath: file.path) else {
                skipped.append("\(file.lastPathComponent) cannot be read")
                continue
            }
            files.append(FolderFile(url: file.standardizedFileURL.absoluteString, bytes: Array(data), modified: values.contentModificationDate))
            if files.count >= maxFiles {
                skipped.append("stopped at \(maxFiles) files")
                break
            }
        }
        return .success((files.sorted { $0.url < $1.url }, skipped))
    }
}
