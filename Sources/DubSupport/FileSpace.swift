#if canImport(Glibc)
import Glibc
#endif

/// Changes to a file's layout that leave its data where it is on disk.
public enum FileSpace {
    /// glibc's `fallocate` (declared in `<fcntl.h>` only with `_GNU_SOURCE`, which the Glibc module leaves out).
    private typealias Fallocate = @convention(c) (Int32, Int32, Int64, Int64) -> Int32
    private static let fallocate: Fallocate? = CLibrary.symbol("fallocate")
    /// `FALLOC_FL_INSERT_RANGE` of `<linux/falloc.h>` (the kernel's interface, since Linux 4.1).
    private static let insertRangeMode: Int32 = 0x20

    /// What inserting a range did.
    public enum Insertion: Equatable, Sendable {
        /// The range is in place.
        case inserted
        /// The file system or kernel cannot (tmpfs, btrfs, network file systems, unaligned sizes): the file is unchanged.
        case unsupported
        /// It failed part-way (no space, an I/O error): the file's size, and maybe its data, have changed. `errno`.
        case failed(Int32)
    }

    /// Inserts `length` bytes of zeros at `offset` of the open file `fd`, moving what follows without copying it
    /// (ext4 and XFS): both must be multiples of the file system's block size, and `offset` inside the file.
    public static func insert(_ fd: Int32, at offset: Int64, length: Int64) -> Insertion {
        guard let fallocate else { return .unsupported }
        while true {
            if fallocate(fd, insertRangeMode, offset, length) == 0 { return .inserted }
            switch errno {
            case EINTR: continue
            // Refused before anything changed: the file system has no such operation, or the range does not suit it.
            case EOPNOTSUPP, EINVAL, ENOSYS, ENODEV: return .unsupported
            case let code: return .failed(code)
            }
        }
    }
}
