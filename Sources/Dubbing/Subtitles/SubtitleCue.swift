import DubSupport
import ProviderAPI
/// One timed subtitle: what is said between `start` and `end` (seconds on the media timeline).
public struct SubtitleCue: Sendable, Equatable, Codable {
    /// Position in the file, from 1.
    public var index: Int
    /// Start in seconds.
    public var start: Double
    /// End in seconds.
    public var end: Double
    /// The text; lines of a multi-line cue are joined with "\n".
    public var text: String
    /// The speaker, when the source names one (WebVTT `<v Name>`).
    public var speaker: String?

    public init(index: Int, start: Double, end: Double, text: String, speaker: String? = nil) {
        self.index = index
        self.start = start
        self.end = end
        self.text = text
        self.speaker = speaker
    }
}

/// A subtitle file that could not be read, with the line where it went wrong.
public struct SubtitleError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file.
    public var path: String?
    /// The 1-based line number of the problem.
    public var line: Int
    /// What is wrong there.
    public var message: String

    public init(path: String?, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        "malformed subtitles\(path.map { " '\($0)'" } ?? ""), line \(line): \(message)"
    }
}
