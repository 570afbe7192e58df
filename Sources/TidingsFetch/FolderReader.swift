import Foundation
import TidingsCore

/// One file of a folder source.
public struct FolderFile: Sendable {
    public var url: String
    public var bytes: [UInt8]
    public var modified: Date?

    /// What tells a changed file from an unchanged one.
    public struct Stamp: Sendable, Equatable {
        public var size: Int
        public var modified: Date?
    }
}

/// What one read of a folder source found.
public struct FolderListing: Sendable {
    /// New and changed files, read.
    public var files: [FolderFile]
    /// Notes on files left out (too large, unreadable).
    public var skipped: [String]
    /// The stamps of the files read, to hand back with ``Fetcher/folderRead(_:stamps:)`` once
    /// their documents are stored.
    public var stamps: [String: FolderFile.Stamp]
    /// True when the read stopped at its budget: more files are waiting.
    public var more: Bool
}

extension Fetcher {
    /// File names a folder source reads; anything else is ignored.
    public static let folderExtensions: Set<String> = ["html", "htm", "xhtml", "txt", "text", "xml", "rss", "atom", "json", "gz"]

    /// Reads a folder source's new and changed files (recursively) on the fetcher's queue: at
    /// most `maxFiles` files and `budget` bytes per read, so a large folder is taken in parts
    /// rather than held in memory at once. Files over `maxBytes` are skipped with a note.
    public func readFolder(
        _ url: String, maxFiles: Int = 1_000, budget: Int = 256 << 20, maxBytes: Int,
        completion: @escaping @Sendable (Result<FolderListing, FetchError>) -> Void
    ) {
        enqueue { [self] in
            completion(Fetcher.listFolder(url, known: folderStamps[url] ?? [:], maxFiles: maxFiles, budget: budget, maxBytes: maxBytes))
        }
    }

    /// Remembers files as read: call once their documents are stored. The next read of the
    /// folder skips them unless their size or modification time changes.
    public func folderRead(_ url: String, stamps: [String: FolderFile.Stamp]) {
        enqueue { [self] in folderStamps[url, default: [:]].merge(stamps) { $1 } }
    }

    /// Forgets what was read from a folder (the source was removed or changed).
    public func forgetFolder(_ url: String) {
        enqueue { [self] in folderStamps[url] = nil }
    }

    static func listFolder(
        _ url: String, known: [String: FolderFile.Stamp], maxFiles: Int, budget: Int, maxBytes: Int
    ) -> Result<FolderListing, FetchError> {
        guard let root = URL(string: url), root.isFileURL else { return .failure(FetchError("not a local folder: \(url)")) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .failure(FetchError("no such folder: \(root.path)"))
        }
        guard let walker = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey],
            options: [.skipsHiddenFiles])
        else { return .failure(FetchError("cannot list \(root.path)")) }
        var listing = FolderListing(files: [], skipped: [], stamps: [:], more: false)
        var bytesRead = 0
        // Sorted, so that a folder read in parts is read in a stable order.
        var candidates: [(url: URL, stamp: FolderFile.Stamp)] = []
        for case let file as URL in walker {
            guard Fetcher.folderExtensions.contains(file.pathExtension.lowercased()),
                let values = try? file.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]),
                values.isRegularFile == true
            else { continue }
            let stamp = FolderFile.Stamp(size: values.fileSize ?? 0, modified: values.contentModificationDate)
            if known[file.path] == stamp { continue }
            candidates.append((file, stamp))
        }
        candidates.sort { $0.url.path < $1.url.path }
        for (file, stamp) in candidates {
            if stamp.size > maxBytes {
                listing.skipped.append("\(file.lastPathComponent) is larger than \(maxBytes) bytes")
                continue
            }
            if listing.files.count >= maxFiles || (bytesRead > 0 && bytesRead + stamp.size > budget) {
                listing.more = true
                break
            }
            guard let bytes = FileBytes.read(file.path, limit: maxBytes) else {
                listing.skipped.append("\(file.lastPathComponent) cannot be read")
                continue
            }
            bytesRead += bytes.count
            listing.files.append(FolderFile(url: file.standardizedFileURL.absoluteString, bytes: bytes, modified: stamp.modified))
            listing.stamps[file.path] = stamp
        }
        return .success(listing)
    }
}
