#if canImport(Glibc)
import Glibc
#endif

/// Lets the kernel drop the page-cache pages of a file that is streamed through once, behind its reader or writer, so
/// a long dub's work files (a 60-minute float WAV is 1.4 GB, and a dub writes and reads several) do not pile up in the
/// page cache.
///
/// Growing the page cache by gigabytes evicts what other processes have cached, and each new page costs the kernel a
/// fresh page of memory: on a virtual machine whose host takes freed guest memory back (free page reporting), that is
/// a fault in the host for every 4 KiB page, about 3 s of CPU per GB written. Pages dropped behind the stream are
/// reused for the next stretch of it instead.
///
/// Behind a reader the pages are clean and go at once (`posix_fadvise(POSIX_FADV_DONTNEED)`). Behind a writer, each
/// stretch is queued for writing back as soon as it is written, and dropped once `lag` bytes further on, after waiting
/// for its write-back to end (`sync_file_range`), which by then has almost always ended. No data is lost either way: a
/// later read comes from the disk. Files shorter than `stride` are never advised.
public final class DropBehind {
    private let descriptor: Int32
    private let writing: Bool
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
    private static let syncFileRange: SyncFileRange? = {
        #if canImport(Glibc)
        return dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range").map { unsafeBitCast($0, to: SyncFileRange.self) }
        #else
        return nil
        #endif
    }()
    private static let (waitBefore, write, waitAfter): (UInt32, UInt32, UInt32) = (1, 2, 4)

    /// Opens `path` for the advice, the stream starting at byte `offset`, behind a writer or a reader; nil where it
    /// cannot be opened (the stream then goes on without advice).
    public init?(path: String, from offset: Int = 0, writing: Bool = false) {
        #if canImport(Glibc)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        self.writing = writing
        (from, queued, next) = (offset, offset, offset + Self.stride)
        #else
        return nil
        #endif
    }

    deinit {
        #if canImport(Glibc)
        close(descriptor)
        #endif
    }

    /// The stream has reached byte `offset`: the bytes before it are done with. A position behind the last one, or
    /// more than `stride` past where advice was due, is a seek: advice starts again from there, so pages the stream
    /// skipped over (another reader's, perhaps) are left alone.
    public func advance(to offset: Int) {
        if offset < queued || offset > next + Self.stride {
            (from, queued, next) = (offset, offset, offset + Self.stride)
            return
        }
        guard offset >= next else { return }
        next = offset + Self.stride
        #if canImport(Glibc)
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

    /// A writer's stream has reached the file's current end.
    public func advanceToEnd() {
        #if canImport(Glibc)
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return }
        advance(to: Int(status.st_size))
        #endif
    }
}
