#if canImport(Glibc)
import Glibc
#endif

/// Keeps the process's resident memory close to what it uses. glibc keeps freed memory for reuse, and after it frees a
/// large block it raises the size from which blocks get their own mapping, so later large buffers (a decoder's, an
/// upsampler's, a muxer's growing index) come from the shared heap and stay resident after they are freed: over a long
/// dub that grew the resident size by more than the work needs. Both calls do nothing where the C library is not glibc.
public enum MemoryRelease {
    private typealias Trim = @convention(c) (Int) -> Int32
    private typealias Option = @convention(c) (Int32, Int32) -> Int32
    /// glibc's `malloc_trim` and `mallopt` (declared in `<malloc.h>`, which the Glibc module leaves out).
    private static let mallocTrim: Trim? = CLibrary.symbol("malloc_trim")
    private static let mallopt: Option? = CLibrary.symbol("mallopt")

    /// Gives every block of 1 MiB or more its own mapping, returned to the system when freed (glibc's
    /// `M_MMAP_THRESHOLD`, which also stops the threshold from rising), and keeps up to 1 MiB of freed memory at the top
    /// of a heap before returning it (`M_TRIM_THRESHOLD`, which the first setting would leave at 128 KiB: then each
    /// block of a stream freed at the top went back to the system and the next one faulted its pages in again; a mix of
    /// 150 lines took 56,000 page faults, against 10,000 with 1 MiB). Holds glibc to one heap per core
    /// (`M_ARENA_MAX`; its default is eight per core, and each heap a thread has used keeps its own free memory: a
    /// 60-minute dub, whose stages start threads of their own, peaked 3 to 6 MB higher). Call once, at start, before
    /// any thread.
    public static func configure() {
        _ = mallopt?(-3, 1 << 20)
        _ = mallopt?(-1, 1 << 20)
        #if canImport(Glibc)
        _ = mallopt?(-8, Int32(max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        #endif
    }

    /// Returns unused heap memory to the system (between stages).
    public static func trim() {
        _ = mallocTrim?(0)
    }
}
