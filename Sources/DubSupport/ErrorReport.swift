/// An error that says how a job should treat it and what to call it, so the job layer needs no list of every error
/// type in dub: each module's error types conform where they are declared.
public protocol ClassifiedError: Error, CustomStringConvertible {
    /// A stable code for logs and job records (`notMedia`, `provider_quota`, `invalidRequest`, ...).
    var errorCode: String { get }
    /// Whether retrying cannot help (bad input, a refused key, no quota, an invalid request).
    var isPermanent: Bool { get }
}

/// Turns any error into the one line a user sees, a code and whether to retry.
public enum ErrorReport {
    /// One line: what failed, on which file, the library's reason, and what to do.
    public static func line(for error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        return String(describing: error)
    }

    /// Whether retrying cannot help (`ClassifiedError.isPermanent`; unknown errors are retried).
    public static func isPermanent(_ error: any Error) -> Bool {
        (error as? any ClassifiedError)?.isPermanent ?? false
    }

    /// A stable code for logs and job records, or `internal` for errors that do not say.
    public static func code(for error: any Error) -> String {
        if error is CancellationError { return "cancelled" }
        return (error as? any ClassifiedError)?.errorCode ?? "internal"
    }
}

extension MediaError: ClassifiedError {
    public var errorCode: String { code.rawValue }
    /// Bad input is permanent; failing to resample, encode, mux or write may be the machine's and is retried.
    public var isPermanent: Bool {
        switch code {
        case .resampleFailed, .encodeFailed, .muxFailed, .writeFailed: false
        default: true
        }
    }
}
