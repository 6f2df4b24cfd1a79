#if canImport(Glibc)
import Glibc
#endif

/// C library functions the Glibc module leaves out (declared in headers it does not import, or only with
/// `_GNU_SOURCE`), looked up by name in the process.
enum CLibrary {
    /// The function `name` as `T` (a `@convention(c)` type), nil where the C library has no such function.
    static func symbol<T>(_ name: String) -> T? {
        #if canImport(Glibc)
        return dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: T.self) }
        #else
        return nil
        #endif
    }
}
