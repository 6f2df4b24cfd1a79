#if canImport(Glibc)
import Glibc
#endif

/// Checks, before any work starts, that no file a command will write is one it reads: paths are compared after
/// resolving symbolic links, `..` and relative parts, and existing files also by device and inode (hard links).
public enum OutputPaths {
    /// A path as the file system resolves it: the real path of the longest existing prefix, plus the rest.
    public static func canonical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
        var existing = absolute
        var rest: [Substring] = []
        while true {
            if let resolved = realpath(existing, nil) {
                defer { free(resolved) }
                let base = String(cString: resolved)
                return rest.reversed().reduce(base) { $0 == "/" ? "/\($1)" : "\($0)/\($1)" }
            }
            guard let slash = existing.lastIndex(of: "/"), slash != existing.startIndex || existing.count > 1 else { return absolute }
            rest.append(existing[existing.index(after: slash)...])
            existing = slash == existing.startIndex ? "/" : String(existing[..<slash])
        }
    }

    /// Throws unless every output differs from every input and from every other output.
    /// - Parameters:
    ///   - inputs: what the command reads, with the option that names each (for the message).
    ///   - outputs: what it will write.
    public static func refuseOverwriting(inputs: [(String, String)], outputs: [(String, String)]) throws {
        let readIDs = inputs.map { ($0.0, $0.1, canonical($0.1), fileID($0.1)) }
        var written: [(String, String, String, FileID?)] = []
        for (label, path) in outputs {
            let resolved = canonical(path), id = fileID(path)
            for (inputLabel, inputPath, inputResolved, inputID) in readIDs where resolved == inputResolved || (id != nil && id == inputID) {
                throw MediaError(.invalidArgument, "the \(label) would overwrite the \(inputLabel) file '\(inputPath)':", path: path,
                                 hint: "choose another \(label) path")
            }
            for (otherLabel, _, otherResolved, otherID) in written where resolved == otherResolved || (id != nil && id == otherID) {
                throw MediaError(.invalidArgument, "the \(label) and the \(otherLabel) are the same file:", path: path,
                                 hint: "give them different paths")
            }
            written.append((label, path, resolved, id))
        }
    }

    /// Whether `path` is `folder` or inside it (both resolved).
    public static func isInside(_ path: String, _ folder: String) -> Bool {
        let p = canonical(path), f = canonical(folder)
        return p == f || p.hasPrefix(f == "/" ? "/" : f + "/")
    }

    struct FileID: Equatable {
        let device: UInt64
        let inode: UInt64
    }

    static func fileID(_ path: String) -> FileID? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "." }
        defer { free(cwd) }
        return String(cString: cwd)
    }
}
