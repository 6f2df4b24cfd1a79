#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks made before handing a path to a C library, so users get a precise reason
/// ("no such file", "is a directory", "is empty") instead of a generic demuxer error.
public enum FileCheck {
    /// Throws unless `path` names a non-empty, readable regular file.
    public static func requireReadableFile(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let err = errno
            if err == EACCES {
                throw MediaError(.permissionDenied, "cannot read", path: path, underlying: String(cString: strerror(err)))
            }
            throw MediaError(.fileNotFound, "no such file", path: path, hint: "check the path")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let what = (info.st_mode & S_IFMT) == S_IFDIR ? "is a directory, not a media file" : "is not a regular file"
            throw MediaError(.notARegularFile, "input \(what):", path: path)
        }
        guard info.st_size > 0 else {
            throw MediaError(.emptyFile, "input file is empty (0 bytes):", path: path)
        }
        guard access(path, R_OK) == 0 else {
            throw MediaError(.permissionDenied, "cannot read", path: path, underlying: String(cString: strerror(errno)))
        }
    }
}
