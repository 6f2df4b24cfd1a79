import DubSupport
import ProviderAPI
/// The `verbose_json` body of `/audio/transcriptions` (only the fields dub uses; unknown ones are ignored).
struct WhisperResponse: Decodable {
    struct Segment: Decodable {
        var start: Double
        var end: Double
        var text: String
    }
    struct Word: Decodable {
        var word: String
        var start: Double
        var end: Double
    }
    struct Usage: Decodable {
        var seconds: Double?
    }

    var language: String?
    var duration: Double?
    var text: String?
    var segments: [Segment]?
    var words: [Word]?
    var usage: Usage?

    /// The segments of one chunk moved to its place in the whole file, each with the words whose middle falls
    /// inside it (a word between segments goes to the nearest one).
    func segments(offset: Double, chunkDuration: Double) -> [Transcript.Segment] {
        var segments = (self.segments ?? []).map {
            Transcript.Segment(id: 0, start: $0.start + offset, end: $0.end + offset, text: $0.text.trimmed)
        }
        if segments.isEmpty, let text = text?.trimmed, !text.isEmpty {
            segments = [Transcript.Segment(id: 0, start: offset, end: offset + (duration ?? chunkDuration), text: text)]
        }
        guard !segments.isEmpty else { return [] }
        for word in words ?? [] {
            let item = Transcript.Word(text: word.word.trimmed, start: word.start + offset, end: word.end + offset)
            let middle = (item.start + item.end) / 2
            let index = segments.indices.min { a, b in
                Self.distance(middle, segments[a]) < Self.distance(middle, segments[b])
            } ?? 0
            segments[index].words.append(item)
        }
        return segments.filter { !$0.text.isEmpty }
    }

    private static func distance(_ time: Double, _ segment: Transcript.Segment) -> Double {
        time < segment.start ? segment.start - time : time > segment.end ? time - segment.end : 0
    }
}
