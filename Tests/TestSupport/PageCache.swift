import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What of a file the kernel holds in its page cache (`mincore` over a mapping of it), for the tests of dropping
/// pages behind a stream.
public enum PageCache {
    /// Whether each page of the file at `path` is in the page cache, in order.
    public static func residency(_ path: String) throws -> [Bool] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw POSIXError(.ENOENT) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_size > 0 else { return [] }
        let length = Int(status.st_size), page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let map = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else { throw POSIXError(.ENOMEM) }
        defer { munmap(map, length) }
        var vector = [UInt8](repeating: 0, count: (length + page - 1) / page)
        guard mincore(map, length, &vector) == 0 else { throw POSIXError(.EINVAL) }
        return vector.map { $0 & 1 != 0 }
    }

    /// The bytes of the file at `path` in the page cache.
    public static func residentBytes(_ path: String) throws -> Int {
        try residency(path).filter { $0 }.count * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Writes `megabytes` MiB to `path` and syncs it: the file is then in the page cache, its pages clean.
    public static func writeCached(_ path: String, megabytes: Int) throws {
        let block = Data(repeating: 0x5A, count: 1 << 20)
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        for _ in 0..<megabytes { try handle.write(contentsOf: block) }
        try handle.synchronize()
        try handle.close()
    }

    /// Reads the whole file at `path` (into the page cache, its pages clean).
    public static func readThrough(_ path: String) throws {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {}
        try handle.close()
    }

    /// Whether the file system of the folder at `path` lets the kernel drop a synced file's pages when advised to (not
    /// tmpfs, where the page cache is the storage): tried on a file of its own.
    public static func isDiskBacked(_ path: String) -> Bool {
        let probe = path + "/.page-cache-probe"
        defer { unlink(probe) }
        guard (try? writeCached(probe, megabytes: 1)) != nil else { return false }
        let fd = open(probe, O_RDONLY)
        guard fd >= 0 else { return false }
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
        close(fd)
        return (try? residency(probe).contains(true)) == false
    }
}
