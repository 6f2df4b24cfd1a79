import Foundation

/// Writes a file under a temporary name beside it and renames it into place once complete,
/// so a failed or interrupted run never leaves a half-written output.
enum AtomicFile {
    static func write<T>(to path: String, _ body: (String) throws -> T) throws -> T {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
        do {
            let result = try body(temp)
            if rename(temp, path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            return result
        } catch {
            unlink(temp)
            throw error
        }
    }
}
