#if canImport(Glibc)
import Glibc
#endif

/// Lets the kernel drop the page-cache pages of a long file that is streamed through once, behind its reader or
/// writer, so a long dub's work files (a 60-minute float WAV is 1.4 GB, and a dub writes and reads several) do not pile
/// up in the page cache.
///
/// Growing the page cache by gigabytes evicts what other processes have cached, and each new page costs the kernel a
/// fresh page of memory: on a virtual machine whose host takes freed guest memory back (free page reporting), that is
/// a fault in the host for every 4 KiB page, about 3 s of CPU per GB written. Pages dropped behind the stream are
/// reused for the next stretch of it instead.
///
/// Advice is given every `stride` bytes. Behind a reader the pages are clean and go at once
/// (`posix_fadvise(POSIX_FADV_DONTNEED)`). Behind a writer, each stretch is queued for writing back when advice is
/// given, and dropped `lag` bytes further on after waiting for its write-back to end (`sync_file_range`), which by then
/// has almost always ended. No data is lost either way: a later read comes from the disk. The file is opened for the
/// advice only once a first piece is due, so a short file costs nothing.
public final class DropBehind {
    private let path: String
    private let writing: Bool
    /// Opened at the first advice (-1 before; -2 when it could not be opened: no advice then).
    private var descriptor: Int32 = -1
    /// Bytes before this have been dropped (or were never streamed: a seek).
    private var from: Int
    /// A writer's bytes before this have been queued for writing back.
    private var queued: Int
    /// The position from which the next advice is given.
    private var next: Int

    /// Bytes streamed between two pieces of advice.
    static let stride = 8 << 20
    /// How far behind a writer its pages are dropped.
    static let lag = 32 << 20

    private typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
    /// glibc's `sync_file_range` (declared in `<fcntl.h>` only with `_GNU_SOURCE`, which the Glibc module leaves out).
    private static let syncFileRange: SyncFileRange? = CLibrary.symbol("sync_file_range")
    private static let (waitBefore, write, waitAfter): (UInt32, UInt32, UInt32) = (1, 2, 4)

    /// Advice for the file at `path`, streamed from its start, behind a writer or a reader.
    public init(path: String, writing: Bool = false) {
        self.path = path
        self.writing = writing
        (from, queued, next) = (0, 0, Self.stride)
    }

    deinit {
        #if canImport(Glibc)
        if descriptor >= 0 { close(descriptor) }
        #endif
    }

    /// The stream has reached byte `offset`: the bytes before it are done with. A position before the last one advice
    /// was given at, or more than `stride` past where advice was due, is a seek: advice starts again from there, so
    /// pages the stream skipped over (another reader's, perhaps) are left alone.
    public func advance(to offset: Int) {
        if offset < queued || offset > next + Self.stride {
            (from, queued, next) = (offset, offset, offset + Self.stride)
            return
        }
        guard offset >= next else { return }
        next = offset + Self.stride
        #if canImport(Glibc)
        if descriptor == -1 {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            if descriptor < 0 { descriptor = -2 }
        }
        guard descriptor >= 0 else { return }
        if writing {
            guard let sync = Self.syncFileRange else { return }
            _ = sync(descriptor, Int64(queued), Int64(offset - queued), Self.write)
            queued = offset
            let end = offset - Self.lag
            guard end > from else { return }
            _ = sync(descriptor, Int64(from), Int64(end - from), Self.waitBefore | Self.write | Self.waitAfter)
            _ = posix_fadvise(descriptor, off_t(from), off_t(end - from), POSIX_FADV_DONTNEED)
            from = end
        } else {
            _ = posix_fadvise(descriptor, off_t(from), off_t(offset - from), POSIX_FADV_DONTNEED)
            (from, queued) = (offset, offset)
        }
        #endif
    }

    /// The stream has moved (a seek): advice starts again from the next position given.
    public func restart() {
        // No position is below this, so the next one is taken for a seek (and the check stops there: `next` is not read).
        queued = .max
    }

    /// A writer's stream has reached the file's current end.
    public func advanceToEnd() {
        #if canImport(Glibc)
        var status = stat()
        let known = descriptor >= 0 ? fstat(descriptor, &status) : stat(path, &status)
        guard known == 0 else { return }
        advance(to: Int(status.st_size))
        #endif
    }
}
