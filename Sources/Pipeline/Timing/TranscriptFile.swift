import Foundation

/// Reads and writes transcripts: dub's JSON, or SRT/VTT subtitles (one cue per segment, speaker kept).
public enum TranscriptFile {
    /// Writes `transcript` to `path` (.json, .srt or .vtt), atomically.
    public static func write(_ transcript: Transcript, to path: String) throws {
        let data: Data
        if let format = SubtitleFormat(path: path) {
            let cues = transcript.segments.enumerated().map { index, segment in
                SubtitleCue(index: index + 1, start: segment.start, end: segment.end, text: segment.text, speaker: segment.speaker)
            }
            data = Data(format.render(cues).utf8)
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            data = try encoder.encode(transcript)
        }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Reads dub's transcript JSON; a file that is not one gets an error naming the file.
    public static func read(_ path: String) throws -> Transcript {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TranscriptError(path: path, message: "cannot read the file")
        }
        do {
            return try JSONDecoder().decode(Transcript.self, from: data)
        } catch {
            throw TranscriptError(path: path, message: "not a dub transcript JSON (\(error))")
        }
    }
}

/// A transcript file that could not be read.
public struct TranscriptError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var description: String { "transcript '\(path)': \(message)" }
}
