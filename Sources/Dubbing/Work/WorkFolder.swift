import DubSupport
import ProviderAPI
import AudioKitCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A job's folder of artifacts. Every file is written atomically (`AtomicFile`: a temporary file of its own,
/// flushed to disk, then renamed), so a run killed at any point leaves each artifact either whole or absent.
///
/// A work folder carries a marker file (`.dub-work`); dub only works in a folder that has it, is empty, or does not
/// exist yet, unless forced, and cleans up only its own temporary files at the levels it writes them.
public struct WorkFolder: Sendable {
    /// The folder.
    public let root: String

    /// The file that makes a folder a dub work folder.
    public static let markerFile = ".dub-work"
    /// The subfolders dub writes files into (besides `cache/STAGE`).
    static let subfolders = ["stems", "subtitles", "clone", "report"]

    /// Opens the work folder at `root`, creating it (mode 0700) if needed.
    /// - Parameter force: use a non-empty folder that is not a dub work folder anyway (it becomes one).
    /// - Throws: `WorkFolderError` when `root` holds other files and `force` is false.
    public init(root: String, force: Bool = false) throws {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        try Self.makeDirectories(self.root)
        if access(path(Self.markerFile), F_OK) != 0 {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: self.root)) ?? []
            guard entries.isEmpty || force else {
                throw WorkFolderError(path: self.root, message: "refusing to work in", reason:
                    "the folder is not empty and is not a dub work folder (no \(Self.markerFile)); give a new or empty folder, or --force to use it anyway")
            }
            try AtomicFile.write(Array("dub work folder: dub writes and removes files here\n".utf8), to: path(Self.markerFile), mode: 0o600)
        }
    }

    /// The work folder at `root` if there is one (it has the marker), without creating anything.
    public static func existing(_ root: String) -> WorkFolder? {
        let folder = WorkFolder(unchecked: root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root)
        return folder.exists(markerFile) ? folder : nil
    }

    /// A folder value that reads paths as given (absolute, or relative to the current directory).
    private init(unchecked root: String) { self.root = root }

    /// The absolute path of `relative` inside the folder (an absolute path is taken as it is).
    public func path(_ relative: String) -> String { root.isEmpty || relative.hasPrefix("/") ? relative : "\(root)/\(relative)" }

    /// `path` relative to the folder when it is inside it, else as given.
    public func relative(_ path: String) -> String {
        root.isEmpty || !path.hasPrefix(root + "/") ? path : String(path.dropFirst(root.count + 1))
    }

    /// Whether `relative` exists.
    public func exists(_ relative: String) -> Bool { access(path(relative), F_OK) == 0 }

    /// Writes `bytes` to `relative` atomically, creating parent folders.
    public func write(_ bytes: some Collection<UInt8>, to relative: String) throws {
        let target = path(relative)
        if let slash = target.lastIndex(of: "/") { try Self.makeDirectories(String(target[..<slash])) }
        do {
            try AtomicFile.write(bytes, to: target, mode: 0o600)
        } catch let error as MediaError {
            throw WorkFolderError(path: target, message: error.message, reason: error.underlying ?? "write failed")
        }
    }

    /// Encodes `value` as pretty, key-sorted JSON into `relative`, atomically.
    public func writeJSON(_ value: some Encodable, to relative: String) throws {
        try write(try DubJSON.encode(value, pretty: true) + Array("\n".utf8), to: relative)
    }

    /// Decodes `relative` as JSON, or returns nil when it does not exist.
    public func readJSON<T: Decodable>(_ type: T.Type, from relative: String) throws -> T? {
        guard let bytes = try read(relative) else { return nil }
        do {
            return try DubJSON.decode(type, from: Data(bytes))
        } catch {
            throw WorkFolderError(path: path(relative), message: "cannot read", reason: "not valid JSON for this file (\(error))")
        }
    }

    /// The bytes of `relative` (a regular file of at most `InputFile.workFileLimit` bytes), or nil when it does not exist.
    public func read(_ relative: String) throws -> [UInt8]? {
        guard exists(relative) else { return nil }
        return try InputFile.read(path(relative), what: "work file", limit: InputFile.workFileLimit)
    }

    /// Renames a finished temporary file (made by `AtomicFile.temporaryPath`) to `relative`, atomically.
    public func moveIntoPlace(_ temp: String, _ relative: String) throws {
        try AtomicFile.commit(temp, to: path(relative), mode: 0o600)
    }

    /// Removes the temporary files a killed run left behind: only names with `AtomicFile`'s marker, only in the
    /// folders dub writes into (the root, `stems/`, `cache/STAGE/`), never anything else.
    public func removeLeftovers() {
        var folders = [root] + Self.subfolders.map(path)
        let cache = path("cache")
        for stage in (try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? [] where !stage.hasPrefix(".") {
            folders.append("\(cache)/\(stage)")
        }
        for folder in folders {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where AtomicFile.isTemporary(name: name) {
                var info = stat()
                if lstat("\(folder)/\(name)", &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { unlink("\(folder)/\(name)") }
            }
        }
    }

    /// Deletes the whole work folder (only if it is one: it has the marker).
    public func remove() throws {
        guard exists(Self.markerFile) else {
            throw WorkFolderError(path: root, message: "refusing to delete", reason: "not a dub work folder (no \(Self.markerFile))")
        }
        try FileManager.default.removeItem(atPath: root)
    }

    /// The work folder of queued job `id`: always under the daemon's data root (a job cannot name another).
    public static func jobPath(dataRoot: String, job id: Int) -> String {
        "\(dataRoot)/jobs/\(id)"
    }

    /// Removes job `id`'s work folder, if it has one; returns whether there was one.
    @discardableResult
    public static func removeJobFolder(dataRoot: String, job id: Int) throws -> Bool {
        guard let folder = existing(jobPath(dataRoot: dataRoot, job: id)) else { return false }
        try folder.remove()
        return true
    }

    /// Creates `path` and any missing parents (mode 0700).
    static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/\(part)"
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw WorkFolderError(path: current, message: "cannot create folder", reason: String(cString: strerror(errno)))
            }
        }
    }
}
