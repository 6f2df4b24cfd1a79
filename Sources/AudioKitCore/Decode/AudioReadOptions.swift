import DubSupport
/// What `AudioReader` should produce from a media file.
public struct AudioReadOptions: Sendable, Equatable {
    /// Stream to read; `nil` picks the best audio stream.
    public var streamIndex: Int?
    /// Output sample rate in Hz; `nil` keeps the source rate.
    public var sampleRate: Int?
    /// Output channel count; `nil` keeps the source's. Down- and up-mixing use FFmpeg's standard matrices.
    public var channels: Int?
    /// Where to start, in seconds on the media timeline.
    public var start: Double
    /// How much to read, in seconds; `nil` reads to the end.
    public var duration: Double?
    /// Which library changes the sample rate.
    public var resampler: ResamplerKind

    /// Creates options; the defaults read the whole best audio stream at its own rate and layout.
    public init(streamIndex: Int? = nil, sampleRate: Int? = nil, channels: Int? = nil, start: Double = 0,
                duration: Double? = nil, resampler: ResamplerKind = .soxr) {
        self.streamIndex = streamIndex
        self.sampleRate = sampleRate
        self.channels = channels
        self.start = start
        self.duration = duration
        self.resampler = resampler
    }

    /// Throws `invalidArgument` for values no file could satisfy.
    public func validate() throws {
        if let sampleRate, !(1000...768_000).contains(sampleRate) {
            throw MediaError(.invalidArgument, "sample rate \(sampleRate) Hz is out of range (1000–768000)")
        }
        if let channels, !(1...8).contains(channels) {
            throw MediaError(.invalidArgument, "channel count \(channels) is out of range (1–8)")
        }
        if !(start >= 0) || !start.isFinite {
            throw MediaError(.invalidArgument, "start \(start) s must be zero or positive")
        }
        if let duration, !(duration > 0) || !duration.isFinite {
            throw MediaError(.invalidArgument, "duration \(duration) s must be positive")
        }
    }
}
