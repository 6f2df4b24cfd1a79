import DubSupport
import ProviderAPI
/// One synthesized line as the fit planner sees it.
public struct FitLine: Sendable, Equatable {
    /// The line's id (stable across rounds).
    public var id: Int
    /// Where the original speech starts, in seconds.
    public var slotStart: Double
    /// Where the original speech ends, in seconds.
    public var slotEnd: Double
    /// The synthesized audio's measured length, in seconds.
    public var duration: Double
    /// The speaker, so turns can keep a larger gap.
    public var speaker: String?
    /// The provider speed the audio was synthesized at (1 = natural).
    public var providerSpeed: Double
    /// How many times the line has already been re-translated shorter.
    public var retranslations: Int

    public init(id: Int, slotStart: Double, slotEnd: Double, duration: Double, speaker: String? = nil,
                providerSpeed: Double = 1, retranslations: Int = 0) {
        self.id = id
        self.slotStart = slotStart
        self.slotEnd = slotEnd
        self.duration = duration
        self.speaker = speaker
        self.providerSpeed = providerSpeed
        self.retranslations = retranslations
    }

    /// The slot's length.
    public var slotLength: Double { slotEnd - slotStart }
}

/// The limits the planner works within.
public struct FitSettings: Sendable, Equatable {
    /// The most a line may be sped up by time-stretching before other remedies (`--max-speed`).
    public var maxSpeed: Double = 1.15
    /// The absolute cap on speed-up, used only when nothing else fits.
    public var hardCap: Double = 1.3
    /// Silence kept between consecutive lines, in seconds.
    public var minGap: Double = 0.08
    /// Silence kept between lines of different speakers, in seconds.
    public var turnGap: Double = 0.2
    /// How far a line may be pushed later than its original start, in seconds: a hard limit (a line that cannot
    /// start by then is dropped).
    public var driftLimit: Double = 0.75
    /// The largest change of speed factor between neighbouring lines: consecutive lines of one speaker less than
    /// `speakerNeighbourGap` apart, and any two lines less than `neighbourGap` apart.
    public var maxSpeedStep: Double = 0.1
    /// Lines closer than this are "neighbours" for smoothing, in seconds.
    public var neighbourGap: Double = 0.6
    /// Consecutive lines of one speaker closer than this are one stretch of their speech, in seconds.
    public var speakerNeighbourGap: Double = 3
    /// How much earlier than its slot a line may start, taking silence before it (never the previous line's slot).
    public var borrowBefore: Double = 0.25
    /// How early a line may start without it being heard as early; more is borrowed only to stay within `maxSpeed`.
    public var startTolerance: Double = 0.15
    /// The speeds the TTS provider can synthesize at itself, if any.
    public var providerSpeedRange: ClosedRange<Double>?
    /// How many times a line may be re-translated shorter.
    public var maxRetranslations: Int = 2
    /// The end of the media; the last line may not run past it.
    public var mediaEnd: Double?

    public init() {}
}

/// How a line was made to fit.
public enum FitMethod: String, Sendable, Codable, Equatable {
    /// It fitted its slot as synthesized (possibly slowed slightly to fill it).
    case fits
    /// It used the silence after its slot.
    case silence
    /// It was re-synthesized with the provider's speed setting.
    case providerSpeed = "provider-speed"
    /// It was time-stretched within `maxSpeed`.
    case stretched
    /// It was re-translated shorter.
    case retranslated
    /// Nothing else worked: stretched up to the hard cap and later lines shifted.
    case exceeded
    /// Left out: the lines before it ran so long that it could not start within the drift limit of its slot (the
    /// limit is hard, so one overlong passage cannot push the rest of the video later and later).
    case dropped
}

/// Something the planner needs done before it can settle a line.
public enum FitAction: Sendable, Equatable {
    /// Synthesize again with the provider's own speed setting.
    case resynthesize(speed: Double)
    /// Translate again so that the line lasts at most this many seconds at natural speed.
    case retranslate(targetSeconds: Double)
}

/// Where and how one line is placed.
public struct FitDecision: Sendable, Equatable, Codable {
    public var id: Int
    /// The original slot.
    public var slotStart: Double
    public var slotEnd: Double
    /// The synthesized length before fitting.
    public var rawDuration: Double
    /// Where the line is placed.
    public var start: Double
    /// Its length after the time-stretch.
    public var duration: Double
    /// Time-stretch factor: > 1 faster, < 1 slower (the audio is `rawDuration / factor` long).
    public var factor: Double
    /// How much later than its slot the line starts.
    public var shift: Double
    /// What made it fit.
    public var method: FitMethod
    /// Whether the line could not start within the drift limit (it is then dropped: `method == .dropped`).
    public var driftExceeded: Bool

    /// Where the line ends.
    public var end: Double { start + duration }
    /// Seconds of the silence before its slot the line starts in.
    public var borrowedBefore: Double { max(0, slotStart - start) }
    /// Seconds it runs past its slot's end.
    public var borrowedAfter: Double { method == .dropped ? 0 : max(0, end - slotEnd) }
}

/// The planner's answer for a whole timeline.
public struct FitPlan: Sendable, Equatable {
    /// One decision per line, in time order.
    public var decisions: [FitDecision]
    /// Work to do before planning again; empty when the plan is final.
    public var actions: [(id: Int, action: FitAction)]

    public static func == (a: FitPlan, b: FitPlan) -> Bool {
        a.decisions == b.decisions && a.actions.map(\.id) == b.actions.map(\.id) && a.actions.map(\.action) == b.actions.map(\.action)
    }

    /// Whether nothing more needs doing.
    public var isFinal: Bool { actions.isEmpty }
}
