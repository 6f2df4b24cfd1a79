import DubSupport
/// What a media file contains: its container and every stream.
public struct MediaInfo: Codable, Sendable, Equatable {
    /// Demuxer name(s), e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    public var format: String
    /// Human-readable container name, e.g. `QuickTime / MOV`.
    public var formatLongName: String
    /// Duration in seconds, when known.
    public var duration: Double?
    /// Overall bit rate in bits per second, when known.
    public var bitRate: Int?
    /// Start of the container's timeline in seconds.
    public var startTime: Double?
    /// Every stream, in container order.
    public var streams: [StreamInfo]

    enum CodingKeys: String, CodingKey {
        case format
        case formatLongName = "format_long_name"
        case duration
        case bitRate = "bit_rate"
        case startTime = "start_time"
        case streams
    }

    /// The audio streams only.
    public var audioStreams: [StreamInfo] { streams.filter { $0.type == .audio } }
    /// The video streams only: moving pictures, not an audio file's cover art.
    public var videoStreams: [StreamInfo] { streams.filter { $0.type == .video && $0.coverArt != true } }
}

/// One stream of a media file.
public struct StreamInfo: Codable, Sendable, Equatable {
    /// The kind of content a stream carries.
    public enum Kind: String, Codable, Sendable {
        case audio, video, subtitle, data, attachment, unknown
    }

    /// Index of the stream in the container.
    public var index: Int
    /// What the stream carries.
    public var type: Kind
    /// Codec short name, e.g. `aac`, `h264`.
    public var codec: String
    /// Language tag from the container (`eng`, `spa`, ...), if any.
    public var language: String?
    /// Stream title from the container, if any.
    public var title: String?
    /// Whether the stream carries the default disposition.
    public var isDefault: Bool
    /// Duration in seconds, when the container records it.
    public var duration: Double?
    /// Start time in seconds, when known.
    public var startTime: Double?
    /// Bit rate in bits per second, when known.
    public var bitRate: Int?
    /// Audio: sample rate in Hz.
    public var sampleRate: Int?
    /// Audio: channel count.
    public var channels: Int?
    /// Audio: channel layout, e.g. `stereo`, `5.1(side)`.
    public var channelLayout: String?
    /// Audio: decoded sample format, e.g. `fltp`.
    public var sampleFormat: String?
    /// Video: width in pixels.
    public var width: Int?
    /// Video: height in pixels.
    public var height: Int?
    /// Video: average frame rate in frames per second.
    public var frameRate: Double?
    /// Video: `true` when the stream is a still picture attached to the file (an album's cover art), not video.
    public var coverArt: Bool?

    enum CodingKeys: String, CodingKey {
        case index, type, codec, language, title
        case isDefault = "default"
        case duration
        case startTime = "start_time"
        case bitRate = "bit_rate"
        case sampleRate = "sample_rate"
        case channels
        case channelLayout = "channel_layout"
        case coverArt = "cover_art"
        case sampleFormat = "sample_format"
        case width, height
        case frameRate = "frame_rate"
    }
}
