#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The one way dub writes a file: under a temporary name beside it that no other write shares, flushed to disk,
/// then renamed over the target (and the folder flushed), so a reader sees either the old file or the whole new one,
/// and two writers of the same target never write into each other's temporary file.
///
/// Temporary names are `.NAME.dub-tmp-PID-N-RANDOM`: the marker `.dub-tmp-` is how cleanup tells them from the
/// user's files, and every temporary file of a live process is registered so a signal handler can remove them.
public enum AtomicFile {
    /// What every temporary name contains.
    public static let marker = ".dub-tmp-"

    /// The permission bits of finished outputs (`DUB_OUTPUT_MODE`, octal, default 600): work files stay private.
    public static let outputMode: mode_t = {
        if let raw = getenv("DUB_OUTPUT_MODE").map({ String(cString: $0) }), let mode = mode_t(raw, radix: 8), mode <= 0o777 {
            return mode
        }
        return 0o600
    }()

    private static let counter = Atomic<Int>(0)
    private static let live = Mutex<Set<String>>([])

    /// A fresh temporary path beside `target`, registered until it is committed or discarded; `suffix` (such as
    /// `.mp3`) is appended for libraries that go by the extension.
    public static func temporaryPath(for target: String, suffix: String = "") -> String {
        let slash = target.lastIndex(of: "/")
        let dir = slash.map { String(target[...$0]) } ?? ""
        let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
        let n = counter.add(1, ordering: .relaxed).newValue
        let temp = "\(dir).\(name)\(marker)\(getpid())-\(n)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))\(suffix)"
        live.withLock { _ = $0.insert(temp) }
        return temp
    }

    /// Whether a file name (not a path) is one of dub's temporary files.
    public static func isTemporary(name: String) -> Bool {
        name.hasPrefix(".") && name.contains(marker)
    }

    /// Writes `target` through `body`, which must create the file at the temporary path it is given; the result is
    /// renamed into place only when `body` returns (and the running task, if any, was not cancelled meanwhile).
    public static func write<T>(to target: String, mode: mode_t = AtomicFile.outputMode, _ body: (String) throws -> T) throws -> T {
        let temp = temporaryPath(for: target)
        do {
            let result = try body(temp)
            try commit(temp, to: target, mode: mode)
            return result
        } catch {
            discard(temp)
            throw renaming(error, from: temp, to: target)
        }
    }

    /// Writes `bytes` to `target` atomically.
    public static func write(_ bytes: some Collection<UInt8>, to target: String, mode: mode_t = AtomicFile.outputMode) throws {
        try write(to: target, mode: mode) { temp in
            let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw MediaError(.writeFailed, "cannot create", path: target, underlying: String(cString: strerror(errno))) }
            defer { close(fd) }
            let data = Array(bytes)
            var written = 0
            while written < data.count {
                let n = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, data.count - written) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw MediaError(.writeFailed, "cannot write", path: target, underlying: String(cString: strerror(errno)), hint: "is the disk full?")
                }
                written += n
            }
        }
    }

    /// Flushes `temp`, gives it `mode`, renames it over `target` and flushes the folder. Refuses when the calling
    /// work was cancelled (a lost lease must not put an output in place).
    public static func commit(_ temp: String, to target: String, mode: mode_t = AtomicFile.outputMode) throws {
        try WorkCancellation.check()
        let fd = open(temp, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw MediaError(.writeFailed, "cannot finish", path: target, underlying: String(cString: strerror(errno)))
        }
        let synced = fsync(fd) == 0
        let syncError = errno
        fchmod(fd, mode)
        close(fd)
        guard synced else {
            throw MediaError(.writeFailed, "cannot flush to disk", path: target, underlying: String(cString: strerror(syncError)), hint: "is the disk full?")
        }
        guard rename(temp, target) == 0 else {
            throw MediaError(.writeFailed, "cannot move the finished file into place", path: target, underlying: String(cString: strerror(errno)))
        }
        live.withLock { _ = $0.remove(temp) }
        syncFolder(of: target)
    }

    /// Removes a temporary file that will not be committed.
    public static func discard(_ temp: String) {
        unlink(temp)
        live.withLock { _ = $0.remove(temp) }
    }

    /// Removes every temporary file this process has not committed (on SIGINT/SIGTERM, before exiting).
    public static func discardAll() {
        for temp in live.withLock({ $0 }) { unlink(temp) }
    }

    /// Flushes the folder holding `path`, so a rename survives a crash.
    public static func syncFolder(of path: String) {
        let dir = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// An error that names the temporary file names the target instead.
    static func renaming(_ error: any Error, from temp: String, to target: String) -> any Error {
        guard var media = error as? MediaError else { return error }
        if media.path == temp { media.path = target }
        if let underlying = media.underlying, underlying.contains(temp) {
            media.underlying = underlying.replacingOccurrences(of: temp, with: target)
        }
        return media
    }
}

extension String {
    fileprivate func replacingOccurrences(of old: String, with new: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: old) {
            result += rest[..<range.lowerBound] + new
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
