import DubSupport
import ProviderAPI
/// What a dubbing run produced and measured.
public struct DubReport: Codable, Sendable, Equatable {
    public var output: String
    public var subtitles: [String]
    public var work: String
    /// Seconds per stage.
    public var stageSeconds: [String: Double]
    /// Stages and per-line steps that ran in this run (the rest came from the work folder).
    public var executed: [String]
    public var timing: TimingSummary
    public var loudnessIn: Double
    public var loudnessOut: Double
    public var truePeak: Double
    /// What each provider consumed (audio seconds, tokens, characters, requests).
    public var usage: [String: ProviderUsage]
    /// Its estimated cost in US dollars, per provider (`CostEstimate`).
    public var costUSD: [String: Double]
    /// The round-trip check of every line, with `--verify`.
    public var verification: [LineCheck]?
    /// Problems that did not stop the run (a truncated input, subtitles cut at the media's end, ...).
    public var warnings: [String]?
    /// The dub track's layout, its codec when not AAC, and where the dub is in it ("stereo", "stereo (Opus)", or e.g.
    /// "5.1 (AC3), the dub in the centre channel").
    public var layout: String?
    /// Who spoke with which voice, one line per speaker (`VoiceCast.summary`: the voice, whether it was cloned and from
    /// how many seconds, and why it was chosen).
    public var cast: [String]?
    /// How many cloned voices were deleted at the provider after the job (nil: none were cloned, or `--keep-voices`).
    public var clonesDeleted: Int?
    /// The quality figures (`QualityFigures`; nil in reports of jobs finished before they were measured).
    public var quality: QualityFigures?
    /// The visual report of the dub in the work folder (`ReviewReport`).
    public var reviewReport: String?

    enum CodingKeys: String, CodingKey {
        case output, subtitles, work
        case stageSeconds = "stage_seconds"
        case executed, timing
        case loudnessIn = "loudness_in_lufs"
        case loudnessOut = "loudness_out_lufs"
        case truePeak = "true_peak_dbtp"
        case usage
        case costUSD = "cost_usd"
        case verification, warnings, layout, cast
        case clonesDeleted = "clones_deleted"
        case quality
        case reviewReport = "report_html"
    }
}

/// Timing statistics over all lines.
public struct TimingSummary: Codable, Sendable, Equatable {
    public var lines: Int
    public var withinSlot: Int
    public var maxFactor: Double
    public var maxShift: Double
    public var overlaps: Int
    public var methods: [String: Int]

    enum CodingKeys: String, CodingKey {
        case lines
        case withinSlot = "within_slot"
        case maxFactor = "max_factor"
        case maxShift = "max_shift"
        case overlaps, methods
    }
}

/// One line of `timing.json`: slot, raw and final length, speed factor, shift and the method that fit it.
public struct LineTiming: Codable, Sendable, Equatable {
    public var id: Int
    public var slotStart: Double
    public var slotEnd: Double
    public var rawDuration: Double
    public var start: Double
    public var duration: Double
    /// Total speed-up: provider speed × time-stretch.
    public var factor: Double
    public var shift: Double
    public var method: FitMethod
    public var text: String
    /// The engine's own speed the line was spoken at (1: natural), and the time-stretch after it.
    public var engineSpeed: Double?
    public var stretch: Double?
    /// Seconds of silence taken before the slot and after it.
    public var borrowedBefore: Double?
    public var borrowedAfter: Double?
    /// Whether the line was re-translated shorter to fit (condensed).
    public var condensed: Bool?
    /// The line's audio as it went into the mix (relative to the work folder when inside it).
    public var audio: String?

    enum CodingKeys: String, CodingKey {
        case id
        case slotStart = "slot_start"
        case slotEnd = "slot_end"
        case rawDuration = "raw_duration"
        case start, duration, factor, shift, method, text
        case engineSpeed = "engine_speed"
        case stretch
        case borrowedBefore = "borrowed_before"
        case borrowedAfter = "borrowed_after"
        case condensed, audio
    }
}

/// Per-line progress within a stage.
public struct DubProgress: Sendable, Equatable {
    public var stage: String
    public var done: Int
    public var total: Int
    public init(stage: String, done: Int, total: Int) {
        self.stage = stage
        self.done = done
        self.total = total
    }
}
