import DubSupport
import ProviderAPI
import AudioKitCore

/// One line to dub: a stretch of the original speech, its text, and (once translated) what to say.
/// `segments.json` (the lines as cut) and `lines.json` (the texts as spoken) in a work folder are arrays of these;
/// editing a line's `text` in `lines.json` and re-running redoes only that line's audio.
public struct DubLine: Codable, Sendable, Equatable {
    /// Stable id, from 0 in time order.
    public var id: Int
    /// Where the original speech starts, in seconds.
    public var start: Double
    /// Where it ends, in seconds.
    public var end: Double
    /// Who speaks, when known.
    public var speaker: String?
    /// The original words.
    public var source: String
    /// The words to say in the target language (nil until translated).
    public var text: String?
    /// Silence until the next line starts (or to the end of the media), in seconds.
    public var gapAfter: Double
    /// How to say it (from the translator; editable in `lines.json`), for the engines that take a delivery note.
    public var delivery: Delivery?
    /// This line's own voice (`dubctl lines set --voice`), over its speaker's in `voices.json`.
    public var voice: String?
    /// Set by `dubctl lines redo` (and `jobs redo`): a token in the line's synthesis cache key, so the line is spoken
    /// afresh once and the new take is then cached like any other.
    public var redo: String?

    enum CodingKeys: String, CodingKey {
        case id, start, end, speaker, source, text, delivery, voice, redo
        case gapAfter = "gap_after"
    }

    public init(id: Int, start: Double, end: Double, speaker: String? = nil, source: String, text: String? = nil, gapAfter: Double = 0) {
        self.id = id
        self.start = start
        self.end = end
        self.speaker = speaker
        self.source = source
        self.text = text
        self.gapAfter = gapAfter
    }

    /// The slot's length in seconds.
    public var duration: Double { end - start }
}

extension DubLine {
    /// The most characters one dubbing line may hold (a long subtitle cue must be split).
    public static let maxCharacters = 600
    /// The longest slot one line may have, in seconds.
    public static let maxSeconds = 60.0
    /// How far past the media's end a line may run before it is refused (it is cut at the end with a warning).
    public static let endTolerance = 5.0
    /// The densest timeline accepted: one line per this many seconds of media, plus a few.
    public static let minSecondsPerLine = 0.5

    /// Checks lines against the limits and the media's length; returns them with ends past the media cut back to
    /// it, plus a warning for each cut.
    /// - Parameter origin: how the lines are named in errors (`subtitles 'x.srt'`, `lines.json`).
    public static func checked(_ lines: [DubLine], mediaEnd: Double?, origin: String) throws -> (lines: [DubLine], warnings: [String]) {
        var result = lines
        var warnings: [String] = []
        if let mediaEnd, mediaEnd > 0 {
            let most = Int(mediaEnd / minSecondsPerLine) + 10
            guard lines.count <= most else {
                throw LineError(origin: origin, line: nil, message: "\(lines.count) lines for \(mediaEnd.fixed(1)) s of media; at most \(most) (one per \(minSecondsPerLine) s) fit")
            }
        }
        for (i, line) in lines.enumerated() {
            guard line.start.isFinite, line.end.isFinite, line.start >= 0, line.end >= line.start else {
                throw LineError(origin: origin, line: i + 1, message: "times \(line.start)–\(line.end) are not a valid span")
            }
            let at = SubtitleFormat.timestamp(line.start, separator: ".")
            guard line.end - line.start <= maxSeconds else {
                throw LineError(origin: origin, line: i + 1, message: "lasts \((line.end - line.start).fixed(1)) s (\(at)); a line lasts at most \(Int(maxSeconds)) s: split it")
            }
            let characters = max(line.source.count, line.text?.count ?? 0)
            guard characters <= maxCharacters else {
                throw LineError(origin: origin, line: i + 1, message: "holds \(characters) characters (\(at)); a line holds at most \(maxCharacters): split it")
            }
            guard let mediaEnd, mediaEnd > 0 else { continue }
            guard line.start < mediaEnd else {
                throw LineError(origin: origin, line: i + 1, message: "starts at \(at), after the media ends (\(SubtitleFormat.timestamp(mediaEnd, separator: "."))); are these the right subtitles?")
            }
            if line.end > mediaEnd {
                guard line.end <= mediaEnd + endTolerance else {
                    throw LineError(origin: origin, line: i + 1, message: "ends at \(SubtitleFormat.timestamp(line.end, separator: ".")), more than \(Int(endTolerance)) s after the media ends (\(SubtitleFormat.timestamp(mediaEnd, separator: ".")))")
                }
                result[i].end = mediaEnd
                warnings.append("\(origin), line \(i + 1): ends \((line.end - mediaEnd).fixed(2)) s after the media; cut at its end")
            }
        }
        return (result, warnings)
    }
}

/// Lines that break the limits (too long, too many, outside the media).
public struct LineError: Error, CustomStringConvertible, Sendable {
    /// Where the lines came from (`subtitles 'x.srt'`, `lines.json`).
    public var origin: String
    /// The 1-based cue or line number, when one line is at fault.
    public var line: Int?
    public var message: String
    public var description: String { "\(origin)\(line.map { ", cue \($0)" } ?? ""): \(message)" }
}
