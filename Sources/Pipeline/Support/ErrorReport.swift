import AudioKitCore

/// Turns any error from AudioKitCore or Pipeline into the one line a user sees.
public enum ErrorReport {
    /// One line: what failed, on which file, the library's reason, and what to do.
    public static func line(for error: any Error) -> String {
        if let media = error as? MediaError { return media.description }
        return String(describing: error)
    }

    /// A stable code for logs and job records (`notMedia`, `noAudioStream`, ...), or `internal` for unknown errors.
    public static func code(for error: any Error) -> String {
        (error as? MediaError)?.code.rawValue ?? "internal"
    }
}
