#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A job's folder of artifacts. Every file is written atomically (a temporary file, flushed to disk,
/// then renamed), so a run killed at any point leaves each artifact either whole or absent.
public struct WorkFolder: Sendable {
    /// The folder.
    public let root: String

    /// Opens (creating if needed) the folder at `root`.
    public init(root: String) throws {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        try Self.makeDirectories(self.root)
    }

    /// The absolute path of `relative` inside the folder.
    public func path(_ relative: String) -> String { root.isEmpty ? relative : "\(root)/\(relative)" }

    /// Whether `relative` exists.
    public func exists(_ relative: String) -> Bool { access(path(relative), F_OK) == 0 }

    /// Writes `bytes` to `relative` atomically, creating parent folders.
    public func write(_ bytes: some Collection<UInt8>, to relative: String) throws {
        let target = path(relative)
        try Self.makeDirectories(String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)]))
        let temp = "\(target).tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WorkFolderError(path: target, message: "cannot create", reason: String(cString: strerror(errno))) }
        let data = Array(bytes)
        var written = 0
        while written < data.count {
            let n = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, data.count - written) }
            if n < 0 {
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temp)
                throw WorkFolderError(path: target, message: "cannot write", reason: reason)
            }
            written += n
        }
        fsync(fd)
        close(fd)
        guard rename(temp, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw WorkFolderError(path: target, message: "cannot move into place", reason: reason)
        }
    }

    /// Encodes `value` as pretty, key-sorted JSON into `relative`, atomically.
    public func writeJSON(_ value: some Encodable, to relative: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try write(try encoder.encode(value) + Array("\n".utf8), to: relative)
    }

    /// Decodes `relative` as JSON, or returns nil when it does not exist.
    public func readJSON<T: Decodable>(_ type: T.Type, from relative: String) throws -> T? {
        guard let bytes = try read(relative) else { return nil }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw WorkFolderError(path: path(relative), message: "cannot read", reason: "not valid JSON for this file (\(error))")
        }
    }

    /// The bytes of `relative`, or nil when it does not exist.
    public func read(_ relative: String) throws -> [UInt8]? {
        let target = path(relative)
        guard let file = fopen(target, "rb") else {
            if errno == ENOENT { return nil }
            throw WorkFolderError(path: target, message: "cannot open", reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            result += buffer.prefix(n)
        }
        return result
    }

    /// Renames a finished temporary file (absolute path) to `relative`, atomically.
    public func moveIntoPlace(_ temp: String, _ relative: String) throws {
        guard rename(temp, path(relative)) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw WorkFolderError(path: path(relative), message: "cannot move into place", reason: reason)
        }
    }

    /// The bytes of any file, or nil when it does not exist.
    public static func readFile(_ absolute: String) throws -> [UInt8]? {
        try WorkFolder(unchecked: "").read(absolute)
    }

    /// Writes any file atomically.
    public static func writeFile(_ bytes: [UInt8], to absolute: String) throws {
        let dir = absolute.lastIndex(of: "/").map { String(absolute[..<$0]) } ?? "."
        let name = absolute.lastIndex(of: "/").map { String(absolute[absolute.index(after: $0)...]) } ?? absolute
        try WorkFolder(root: dir.isEmpty ? "/" : dir).write(bytes, to: name)
    }

    /// A folder value that reads paths as given (absolute, or relative to the current directory).
    private init(unchecked root: String) { self.root = root }

    static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/\(part)"
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw WorkFolderError(path: current, message: "cannot create folder", reason: String(cString: strerror(errno)))
            }
        }
    }
}
