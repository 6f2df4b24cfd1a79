import Foundation

/// Every file under a folder with its size, modification time and permissions, to tell what a command changed:
/// listing the folder itself, not trusting any cleanup's own idea of what it leaves.
public struct FolderSnapshot: Sendable, Equatable {
    /// Relative path → "size mtime mode" (symbolic links as "link → target").
    public let files: [String: String]

    public init(_ root: String) {
        var files: [String: String] = [:]
        let manager = FileManager.default
        for relative in (manager.subpaths(atPath: root) ?? []) {
            let path = root + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK: files[relative] = "link → " + ((try? manager.destinationOfSymbolicLink(atPath: path)) ?? "?")
            default: files[relative] = "\(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(String(info.st_mode, radix: 8))"
            }
        }
        self.files = files
    }

    /// What changed from `self` to `after`.
    public func changes(to after: FolderSnapshot) -> (added: [String], removed: [String], modified: [String]) {
        (after.files.keys.filter { files[$0] == nil }.sorted(),
         files.keys.filter { after.files[$0] == nil }.sorted(),
         files.keys.filter { after.files[$0] != nil && after.files[$0] != files[$0] }.sorted())
    }
}
