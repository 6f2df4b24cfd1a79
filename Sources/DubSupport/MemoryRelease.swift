#if canImport(Glibc)
import Glibc
#endif

/// Hands the heap's free pages back to the system. glibc keeps freed memory for reuse; after a stage that held large
/// buffers (a decoder, an upsampler, a muxer's index) that would stay in the process's resident size for the rest of
/// a long dub or a daemon's life, so the pipeline trims between stages.
public enum MemoryRelease {
    private typealias Trim = @convention(c) (Int) -> Int32
    /// glibc's `malloc_trim` (declared in `<malloc.h>`, which the Glibc module leaves out), where the C library has it.
    nonisolated(unsafe) private static let mallocTrim: Trim? = {
        #if canImport(Glibc)
        return dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
        #else
        return nil
        #endif
    }()

    /// Returns unused heap memory to the system; does nothing where the C library cannot.
    public static func trim() {
        _ = mallocTrim?(0)
    }
}
