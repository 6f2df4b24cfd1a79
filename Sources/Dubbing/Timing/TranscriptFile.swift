import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// Reads and writes transcripts: dub's JSON, or SRT/VTT subtitles (one cue per segment, speaker kept).
public enum TranscriptFile {
    /// Writes `transcript` to `path` (.json, .srt or .vtt), atomically.
    public static func write(_ transcript: Transcript, to path: String) throws {
        let data: [UInt8]
        if let format = SubtitleFormat(path: path) {
            let cues = transcript.segments.enumerated().map { index, segment in
                SubtitleCue(index: index + 1, start: segment.start, end: segment.end, text: segment.text, speaker: segment.speaker)
            }
            data = Array(format.render(cues).utf8)
        } else {
            data = try DubJSON.encode(transcript, pretty: true)
        }
        try AtomicFile.write(data, to: path)
    }

    /// Reads dub's transcript JSON; a file that is not one gets an error naming the file.
    public static func read(_ path: String) throws -> Transcript {
        let data: [UInt8]
        do {
            data = try InputFile.read(path, what: "transcript", limit: InputFile.workFileLimit)
        } catch let error as MediaError {
            throw TranscriptError(path: path, message: error.description)
        }
        do {
            return try DubJSON.decode(Transcript.self, from: Data(data))
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
