import AudioKitCore

/// Turns any error from AudioKitCore or Pipeline into the one line a user sees.
public enum ErrorReport {
    /// One line: what failed, on which file, the library's reason, and what to do.
    public static func line(for error: any Error) -> String {
        if let media = error as? MediaError { return media.description }
        if error is CancellationError { return "cancelled" }
        return String(describing: error)
    }

    /// Whether retrying cannot help: bad input media, malformed subtitles or glossary, invalid arguments, a
    /// provider that rejects the key, is out of quota, is not configured, or rejects the request itself (4xx).
    public static func isPermanent(_ error: any Error) -> Bool {
        if let media = error as? MediaError {
            switch media.code {
            case .resampleFailed, .encodeFailed, .muxFailed, .writeFailed: return false
            default: return true
            }
        }
        if let provider = error as? ProviderError {
            switch provider.code {
            case .authentication, .quota, .notConfigured, .insecureURL: return true
            case .http: return (400..<500).contains(provider.status) && ![408, 409, 429].contains(provider.status)
            default: return false
            }
        }
        return error is SubtitleError || error is GlossaryError || error is TranscriptError || error is BudgetError
            || error is DubRequestError || error is LineError
    }

    /// A stable code for logs and job records (`notMedia`, `noAudioStream`, ...), or `internal` for unknown errors.
    public static func code(for error: any Error) -> String {
        if let media = error as? MediaError { return media.code.rawValue }
        if error is SubtitleError { return "malformedSubtitles" }
        if error is GlossaryError { return "malformedGlossary" }
        if error is TranscriptError { return "malformedTranscript" }
        if error is BudgetError { return "overBudget" }
        if error is DubRequestError { return "invalidRequest" }
        if error is LineError { return "invalidLines" }
        if error is WorkFolderError { return "workFolder" }
        if error is SynthesisError { return "synthesisFailed" }
        if error is JobConflict { return "outputInUse" }
        if error is CancellationError { return "cancelled" }
        if let provider = error as? ProviderError { return "provider_\(provider.code.rawValue)" }
        if let database = error as? DatabaseError { return "database_\(database.kind.rawValue)" }
        return "internal"
    }
}
