import DubSupport
/// The codec of a new audio track in an MP4, MOV or Matroska output (WebM and Ogg hold Opus only).
public enum AudioTrackCodec: String, Sendable, Equatable, CaseIterable, Codable {
    /// AAC, up to 7.1 (the default).
    case aac
    /// Dolby Digital, up to 5.1 (a 7.1 track is down-mixed to 5.1).
    case ac3
    /// Dolby Digital Plus, up to 5.1 here (FFmpeg's encoder).
    case eac3

    /// The most channels FFmpeg's encoder for it takes (more are down-mixed).
    public var maxChannels: Int { self == .aac ? 8 : 6 }
}

/// A new audio track to add when muxing.
public struct MuxAudioTrack: Sendable, Equatable {
    /// Any file AudioKitCore can read audio from (WAV, FLAC, or media).
    public var path: String
    /// The track's language, stored as its ISO 639-2 code.
    public var language: Language?
    /// An optional track title.
    public var title: String?
    /// The track's channels; nil keeps the file's (up to 7.1 in AAC and Opus, 5.1 in AC-3 and E-AC-3). Fewer are a down-mix at the
    /// ffmpeg command line's levels.
    public var channels: Int?
    /// The codec; nil: AAC (Opus in WebM and Ogg).
    public var codec: AudioTrackCodec?

    public init(path: String, language: Language? = nil, title: String? = nil, channels: Int? = nil, codec: AudioTrackCodec? = nil) {
        self.path = path
        self.language = language
        self.title = title
        self.channels = channels
        self.codec = codec
    }

    /// Parses `FILE[:LANG]`, as `dubctl mux --audio` takes it.
    public init(argument: String) throws {
        (path, language) = try Language.split(argument)
        title = nil
    }
}

/// A subtitle file (SRT or WebVTT) to add as a soft subtitle track.
public struct MuxSubtitleTrack: Sendable, Equatable {
    public var path: String
    public var language: Language?
    public var title: String?
    /// Whether players should show it by default.
    public var isDefault: Bool

    public init(path: String, language: Language? = nil, title: String? = nil, isDefault: Bool = false) {
        self.path = path
        self.language = language
        self.title = title
        self.isDefault = isDefault
    }

    /// Parses `FILE[:LANG]`, as `dubctl mux --subtitles` takes it.
    public init(argument: String) throws {
        (path, language) = try Language.split(argument)
        title = nil
        isDefault = false
    }
}

/// What to write: the input's video (copied), new audio tracks (encoded), and optionally the input's own streams.
public struct MuxRequest: Sendable, Equatable {
    /// The source of the video stream.
    public var videoPath: String
    /// New audio tracks, in order; the first one is marked default.
    public var audioTracks: [MuxAudioTrack]
    /// The output file; its extension picks the container (mp4, mov, mkv, webm).
    public var outputPath: String
    /// Copy the input's audio streams after the new ones (not default).
    public var keepOriginalAudio: Bool
    /// Copy the input's subtitle streams.
    public var keepSubtitles: Bool
    /// New subtitle tracks, converted to what the container holds (mov_text for mp4/mov, SubRip for mkv,
    /// WebVTT for webm).
    public var subtitleTracks: [MuxSubtitleTrack]
    /// How many threads may encode each long AAC track from a PCM file, a stretch each (nil: one per core; each
    /// stretch lasts a minute at least).
    public var encoderThreads: Int?

    public init(videoPath: String, audioTracks: [MuxAudioTrack], outputPath: String,
                keepOriginalAudio: Bool = false, keepSubtitles: Bool = false, subtitleTracks: [MuxSubtitleTrack] = [],
                encoderThreads: Int? = nil) {
        self.videoPath = videoPath
        self.audioTracks = audioTracks
        self.outputPath = outputPath
        self.keepOriginalAudio = keepOriginalAudio
        self.keepSubtitles = keepSubtitles
        self.subtitleTracks = subtitleTracks
        self.encoderThreads = encoderThreads
    }
}

/// What `Muxer` wrote.
public struct MuxResult: Sendable, Equatable {
    /// The output file.
    public var outputPath: String
    /// Duration of the output's video (or of its audio, without video), in seconds.
    public var duration: Double
    /// Codec of the new audio tracks (`aac` or `opus`).
    public var audioCodec: String
    /// Problems that did not stop muxing.
    public var warnings: [String]
}
