import DubSupport
/// dub's own transcript, the same whatever provider produced it (`dubctl transcribe -o transcript.json`):
/// `{"language":"en","duration":S,"segments":[{"id":..,"start":S,"end":S,"text":..,"speaker":..,
/// "words":[{"text":..,"start":S,"end":S}]}]}`, times in seconds.
public struct Transcript: Codable, Sendable, Equatable {
    /// The spoken language's code (ISO 639-1, else 639-3; `und` when unknown).
    public var language: String
    /// Length of the audio, in seconds.
    public var duration: Double
    public var segments: [Segment]
    /// What the recogniser could not do as asked (e.g. no speakers), for the report.
    public var notes: [String]?

    public init(language: String, duration: Double, segments: [Segment]) {
        self.language = language
        self.duration = duration
        self.segments = segments
    }

    /// A stretch of speech as the recogniser grouped it.
    public struct Segment: Codable, Sendable, Equatable {
        public var id: Int
        public var start: Double
        public var end: Double
        public var text: String
        public var speaker: String?
        public var words: [Word]

        public init(id: Int, start: Double, end: Double, text: String, speaker: String? = nil, words: [Word] = []) {
            self.id = id
            self.start = start
            self.end = end
            self.text = text
            self.speaker = speaker
            self.words = words
        }

        enum CodingKeys: String, CodingKey { case id, start, end, text, speaker, words }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(Int.self, forKey: .id)
            start = try c.decode(Double.self, forKey: .start)
            end = try c.decode(Double.self, forKey: .end)
            text = try c.decode(String.self, forKey: .text)
            speaker = try c.decodeIfPresent(String.self, forKey: .speaker)
            words = try c.decodeIfPresent([Word].self, forKey: .words) ?? []
        }
    }

    /// One recognised word with its time.
    public struct Word: Codable, Sendable, Equatable {
        public var text: String
        public var start: Double
        public var end: Double
        /// The speaker, when the recogniser labels words (diarization).
        public var speaker: String?

        public init(text: String, start: Double, end: Double, speaker: String? = nil) {
            self.text = text
            self.start = start
            self.end = end
            self.speaker = speaker
        }
    }
}
