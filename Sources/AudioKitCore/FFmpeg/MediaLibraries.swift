import DubSupport
import CFFmpeg
import CSndFile
import CSoxr
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide settings and facts about the C media libraries behind AudioKitCore.
public enum MediaLibraries {
    /// How much FFmpeg itself may print to standard error.
    public enum LibraryLogLevel: Sendable {
        /// Nothing: AudioKitCore reports problems through its own errors and warnings.
        case quiet
        /// FFmpeg's own error lines, for debugging a file.
        case errors
    }

    /// Sets FFmpeg's log level for the whole process.
    public static func setLibraryLogging(_ level: LibraryLogLevel) {
        switch level {
        case .quiet: dub_av_log_quiet()
        case .errors: dub_av_log_error()
        }
    }

    /// The processors online, at least 1: how many threads long media work splits into.
    static let cores: Int = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    /// The versions of the linked libraries, e.g. `["libavformat": "59.27.100", ...]`.
    public static var versions: [String: String] {
        func semver(_ v: UInt32) -> String { "\(v >> 16).\((v >> 8) & 0xFF).\(v & 0xFF)" }
        return [
            "libavformat": semver(avformat_version()),
            "libavcodec": semver(avcodec_version()),
            "libswresample": semver(swresample_version()),
            "libavutil": semver(avutil_version()),
            "libsndfile": String(cString: sf_version_string()),
            "libsoxr": String(cString: soxr_version()),
        ]
    }
}
