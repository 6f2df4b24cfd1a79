import DubSupport
import ProviderAPI
import AudioKitCore

/// mix: the fitted clips over the background stem with ducking, matched to the source's integrated loudness with
/// true peak ≤ −1 dBTP (`mix.wav`). Cached by the bed's content and every clip and offset.
struct MixStage: DubStage {
    static let stage = StageName.mix

    struct Input: Sendable {
        /// The bed (the background stem, or the original audio).
        let background: String
        /// The original audio, whose loudness the mix matches.
        let audio: ExtractStage.Output
        let fitted: FitStage.Output
        /// The media's duration: the mix is exactly this long (nil: as long as the bed).
        let length: Double?
    }

    struct Output: Sendable {
        let path: String
        let report: MixReport
        /// The original audio's integrated loudness, LUFS.
        let loudnessIn: Double
    }

    /// Whether the bed is a separated background: a light duck suffices over it; over the original (voices
    /// included) the mix ducks hard.
    let separated: Bool

    func run(_ input: Input, in context: StageContext) async throws -> Output {
        let (clips, audio, background, folder) = (input.fitted.clips, input.audio, input.background, context.work)
        let depth = separated ? 6 : 14
        let length = input.length
        let key = try CacheKey(["mix-2", try CacheKey.fingerprint(ofFile: background).hex, "duck\(depth)", "\(length ?? 0)"]
                               + clips.map { "\($0.path)@\($0.start)" })
        let loudnessIn = try await BlockingWork.run { try LoudnessMeter.measure(path: audio.path).integrated }
        let report = try await context.runner.run(Self.name, key: key, artifacts: ["mix.json", "mix.wav"]) { _ in
            try await BlockingWork.run {
                var settings = MixSettings()
                settings.duckDepth = Double(depth)
                settings.length = length
                // The source's loudness, measured once above (what `.match` would measure again); silence matches nothing.
                settings.loudness = loudnessIn > -70 ? .lufs(loudnessIn) : .none
                return try Mixer.mix(bed: background, clips: clips, output: folder.path("mix.wav"), settings: settings)
            }
        }
        return Output(path: folder.path("mix.wav"), report: report, loudnessIn: loudnessIn)
    }
}
