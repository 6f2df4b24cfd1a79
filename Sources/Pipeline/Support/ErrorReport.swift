import AudioKitCore

/// Turns any error from AudioKitCore or Pipeline into the one line a user sees.
public enum ErrorReport {
    /// One line: what failed, on which file, the library's reason, and what to do.
    public static func line(for error: any Error) -> String {
        if let media = error as? MediaError { return media.description }
        return String(describing: error)
    }

    /// Whether retrying cannot help: bad input media, malformed subtitles, invalid arguments.
    public static func isPermanent(_ error: any Error) -> Bool {
        if let media = error as? MediaError {
            switch media.code {
            case .resampleFailed, .encodeFailed, .muxFailed, .writeFailed: return false
            default: return true
            }
        }
        return error is SubtitleError
    }

    /// A stable code for logs and job records (`notMedia`, `noAudioStream`, ...), or `internal` for unknown errors.
    public static func code(for error: any Error) -> String {
        if let media = error as? MediaError { return media.code.rawValue }
        if error is SubtitleError { return "malformedSubtitles" }
        if let database = error as? DatabaseError { return "database_\(database.kind.rawValue)" }
        return "internal"
    }
}
