import DubSupport
/// One clip placed on the mix timeline.
public struct MixClip: Sendable, Equatable {
    /// Any file with audio.
    public var path: String
    /// Where it starts, in seconds.
    public var start: Double
    /// Gain in dB.
    public var gain: Double
    /// Fade in and out, in seconds (short, to avoid clicks).
    public var fade: Double

    public init(path: String, start: Double, gain: Double = 0, fade: Double = 0.008) {
        self.path = path
        self.start = start
        self.gain = gain
        self.fade = fade
    }

    /// Parses `FILE@START[:GAIN]` as `dubctl mix --clip` takes it (GAIN in dB).
    public init(argument: String) throws {
        guard let at = argument.lastIndex(of: "@") else {
            throw MediaError(.invalidArgument, "clip '\(argument)' needs a start time: FILE@SECONDS[:GAIN_DB]")
        }
        path = String(argument[..<at])
        let spec = argument[argument.index(after: at)...].split(separator: ":", maxSplits: 1)
        guard let first = spec.first, let start = Double(first), start >= 0, start < 86_400 else {
            throw MediaError(.invalidArgument, "clip '\(argument)' has no valid start time (seconds from 0 to 86400)")
        }
        self.start = start
        gain = 0
        if spec.count == 2 {
            guard let g = Double(spec[1]), (-60...24).contains(g) else { throw MediaError(.invalidArgument, "clip '\(argument)' has no valid gain (dB from -60 to 24)") }
            gain = g
        }
        fade = 0.008
    }
}

/// What loudness the mix should end at.
public enum LoudnessTarget: Sendable, Equatable {
    /// Leave the level as mixed (the limiter still keeps the true-peak ceiling).
    case none
    /// An integrated loudness in LUFS.
    case lufs(Double)
    /// The integrated loudness of another file (e.g. the original soundtrack).
    case match(String)

    /// The reference file of `.match`.
    public var matchPath: String? {
        if case .match(let path) = self { return path }
        return nil
    }

    /// Parses `-16` or `match:FILE`.
    public init(argument: String) throws {
        if argument.hasPrefix("match:") {
            self = .match(String(argument.dropFirst(6)))
        } else if let value = Double(argument), value < 0, value > -70 {
            self = .lufs(value)
        } else {
            throw MediaError(.invalidArgument, "loudness target '\(argument)' must be LUFS between -70 and 0, or match:FILE")
        }
    }
}

/// How to mix.
public struct MixSettings: Sendable, Equatable {
    /// How far the bed is lowered under the clips, in dB.
    public var duckDepth: Double = 10
    /// How long the bed takes to go down before a clip starts, in seconds.
    public var duckAttack: Double = 0.12
    /// How long it takes to come back after a clip ends, in seconds.
    public var duckRelease: Double = 0.35
    /// Gain of the bed itself, in dB.
    public var bedGain: Double = 0
    public var loudness: LoudnessTarget = .none
    /// The ceiling the limiter keeps, in dBTP.
    public var truePeakCeiling: Double = -1
    /// Output sample rate and channels; nil takes the bed's (or 48 kHz stereo without a bed).
    public var sampleRate: Int?
    public var channels: Int?
    /// The mix's exact length in seconds (the media's duration in the pipeline): clips are cut there. Nil: the
    /// longer of the bed and the clips.
    public var length: Double?
    /// Where the clips go in a surround mix; nil: each clip is converted to the output's layout and the whole bed is
    /// ducked (mono and stereo mixes).
    public var dialogue: DialoguePlacement?

    public init() {}
}

/// The dialogue of a surround mix: every clip summed to mono into one channel (the centre, where films keep their
/// dialogue), and a share of it into the front left and right; only that channel of the bed is ducked, so every other
/// channel of the bed comes out as it went in.
public struct DialoguePlacement: Sendable, Equatable {
    /// The channel the clips go into.
    public var channel: Int
    /// The share (0–0.5) of the clips that also goes to the front left and right (channels 0 and 1).
    public var spread: Double

    public init(channel: Int = ChannelEdit.centre, spread: Double = 0) {
        self.channel = channel
        self.spread = spread
    }
}

/// What the mixer did.
public struct MixReport: Sendable, Equatable, Codable {
    public var duration: Double
    public var clips: Int
    /// Integrated loudness of the mix before and after normalisation, LUFS.
    public var loudnessBefore: Double
    public var loudnessAfter: Double
    public var truePeak: Double
    /// Gain applied to reach the loudness target, dB.
    public var normalisationGain: Double
    /// The mix's loudness each second (ungated LUFS), for pictures of it.
    public var loudnessCurve: [Double]?

    enum CodingKeys: String, CodingKey {
        case duration, clips
        case loudnessCurve = "loudness_curve"
        case loudnessBefore = "loudness_before_lufs"
        case loudnessAfter = "loudness_after_lufs"
        case truePeak = "true_peak_dbtp"
        case normalisationGain = "normalisation_gain_db"
    }
}
