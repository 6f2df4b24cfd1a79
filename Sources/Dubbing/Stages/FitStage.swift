import DubSupport
import ProviderAPI
import AudioKitCore

/// fit: the whole timeline planned at once by `FitPlanner` (silence after a line, the provider's own speed,
/// time-stretch up to `--max-speed`, re-translation shorter, then a bounded overrun that shifts later lines), the
/// remedies carried out (re-synthesis and re-translation cached per line), and each clip time-stretched by its
/// final factor (cached per clip and factor): all of it `TimelineFitter`'s, which writes `timing.json`.
struct FitStage: DubStage {
    static let stage = StageName.fit

    /// The timeline: each line's timing and its clip.
    struct Output: Sendable {
        let timings: [LineTiming]
        /// Clip files and where they start.
        let clips: [MixClip]
    }

    struct Input: Sendable {
        let lines: [DubLine]
        let spoken: [Int: SpokenLine]
        /// The media's duration (no line runs past it), when known.
        let mediaEnd: Double?
    }

    /// The timeline's owner.
    let fitter: TimelineFitter

    func run(_ input: Input, in context: StageContext) async throws -> Output {
        try await fitter.fit(input, in: context)
    }
}
