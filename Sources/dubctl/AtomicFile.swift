import AudioKitCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file under a temporary name beside it and renames it into place once complete,
/// so a failed or interrupted run never leaves a half-written output.
enum AtomicFile {
    static func write<T>(to path: String, _ body: (String) throws -> T) throws -> T {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temp = "\(dir).\(name).partial-\(getpid())"
        do {
            let result = try body(temp)
            if rename(temp, path) != 0 {
                throw MediaError(.writeFailed, "cannot move the finished file into place", path: path,
                                 underlying: String(cString: strerror(errno)))
            }
            return result
        } catch {
            unlink(temp)
            throw error
        }
    }
}
