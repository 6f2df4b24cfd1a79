/// One line to dub: a stretch of the original speech, its text, and (once translated) what to say.
/// `lines.json` in a work folder is an array of these; editing a line's `text` there and re-running
/// redoes only that line's audio.
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

    enum CodingKeys: String, CodingKey {
        case id, start, end, speaker, source, text
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
