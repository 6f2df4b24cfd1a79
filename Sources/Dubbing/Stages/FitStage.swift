import DubSupport
import ProviderAPI
import AudioKitCore

/// fit: the whole timeline planned at once by `FitPlanner` (the silence around a line, all speeds chosen together and
/// kept even between neighbours, a shorter text for a line that cannot be said within `--max-speed`, the engine's own
/// speed, the time-stretch, then a bounded overrun that shifts later lines), the remedies carried out (re-synthesis
/// and re-translation cached per line), and each clip time-stretched by its final factor (cached per clip and factor):
/// all of it `TimelineFitter`'s, which writes `timing.json`.
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
