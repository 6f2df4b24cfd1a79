/// A failure in media I/O, carrying what failed, on which file, and the underlying library's own message.
///
/// `description` is a single line meant for users: what failed, on which file, the library's reason,
/// and what to do about it when that is known.
public struct MediaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A stable, machine-readable classification of the failure.
    public enum Code: String, Sendable, Codable {
        case fileNotFound
        case notARegularFile
        case emptyFile
        case permissionDenied
        case notMedia
        case noAudioStream
        case streamNotFound
        case noAudioData
        case decoderUnavailable
        case encoderUnavailable
        case decodeFailed
        case resampleFailed
        case encodeFailed
        case muxFailed
        case writeFailed
        case unsupported
        case invalidArgument
        /// A file over the size dub accepts for it.
        case tooLarge
        /// A file that should be text is binary.
        case notText
    }

    /// What kind of failure this is.
    public var code: Code
    /// The file the failure concerns, when there is one.
    public var path: String?
    /// What failed, in words.
    public var message: String
    /// The library's own message (FFmpeg's `av_strerror`, libsndfile's `sf_strerror`, libsoxr's error).
    public var underlying: String?
    /// What the user can do about it.
    public var hint: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, path: String? = nil, underlying: String? = nil, hint: String? = nil) {
        self.code = code
        self.path = path
        self.message = message
        self.underlying = underlying
        self.hint = hint
    }

    public var description: String {
        var line = message
        if let path { line += " '\(path)'" }
        if let underlying, !underlying.isEmpty { line += ": \(underlying)" }
        if let hint, !hint.isEmpty { line += " (\(hint))" }
        return line
    }
}
