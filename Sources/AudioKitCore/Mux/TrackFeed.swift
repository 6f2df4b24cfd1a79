import DubSupport

/// The samples of a new track from a given frame on, in chunks for its encoder: the source's audio (read on the
/// media timeline, as every track is), then silence up to the track's length (the video's), and nothing past `end`.
final class TrackFeed {
    private let reader: AudioReader
    private let rate: Int
    private let channels: Int
    /// The next track frame to produce.
    private var position: Int
    /// Where this feed stops (the track's length or a stretch's end); nil: where the source ends.
    private let end: Int?
    private var sourceDone = false

    /// Opens `source` at track frame `start`, to feed up to `end` (nil: where the source ends).
    init(_ source: TrackSource, from start: Int = 0, to end: Int?) throws {
        reader = try AudioReader(path: source.path, options: AudioReadOptions(streamIndex: source.streamIndex, sampleRate: source.rate,
                                                                              channels: source.channels, start: Double(start) / Double(source.rate)))
        rate = source.rate
        channels = source.channels
        position = start
        self.end = end
    }

    /// Problems reading the source that did not stop it.
    var warnings: [String] { reader.warnings }

    /// Gives `encoder` its next chunk, or tells it the input is finished.
    func feed(_ encoder: AudioEncoder) throws {
        if let end, position >= end {
            encoder.finishInput()
            return
        }
        if !sourceDone, var chunk = try reader.next() {
            if let end, chunk.count / channels > end - position {
                chunk.removeLast(chunk.count - (end - position) * channels)
            }
            position += chunk.count / channels
            try encoder.push(chunk)
            return
        }
        sourceDone = true
        guard let end else {
            encoder.finishInput()
            return
        }
        let step = min(end - position, rate)
        try encoder.push([Float](repeating: 0, count: step * channels))
        position += step
    }
}

/// Where a new track's samples come from: a stream of a file, read at the encoder's rate and channel count, padded
/// with silence (or cut) to `length` frames (nil: the source's own length).
struct TrackSource: Sendable {
    let path: String
    let streamIndex: Int
    let rate: Int
    let channels: Int
    let length: Int?
}
