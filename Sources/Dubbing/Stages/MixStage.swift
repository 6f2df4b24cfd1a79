import DubSupport
import ProviderAPI
import AudioKitCore

/// mix: the fitted clips over the background stem with ducking, matched to the source's integrated loudness with
/// true peak ≤ −1 dBTP (`mix.wav`). A surround mix keeps every channel of the bed as it is but the centre: the clips
/// go there (a share to the front left and right with `--centre-spread`), at the loudness of the dialogue they
/// replace, and only the centre is ducked. Cached by the bed's content and every clip and offset.
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
        /// The vocals stem (the centre's dialogue, for a surround source), when the voices were separated.
        let vocals: String?
        /// The original audio's loudness when already measured (the pipeline measures it while the providers work).
        var sourceLoudness: SourceLoudness? = nil
    }

    struct Output: Sendable {
        let path: String
        let report: MixReport
        /// The original audio's integrated loudness, LUFS, and its loudness each second.
        let loudnessIn: Double
        let sourceCurve: [Double]
    }

    /// The original audio's loudness, measured once per file (cached by its fingerprint under `cache/loudness/`).
    struct SourceLoudness: Codable, Sendable {
        let integrated: Double
        let curve: [Double]
    }

    /// The loudness of the original audio at `path`, measured once per file (cached by its fingerprint).
    static func sourceLoudness(of path: String, context: StageContext) async throws -> SourceLoudness {
        try await context.runner.line("loudness", key: try CacheKey(["loudness-1", try CacheKey.fingerprint(ofFile: path).hex])) { _ in
            try await BlockingWork.run {
                let measured = try LoudnessMeter.measure(path: path, truePeak: false, curve: true)
                return SourceLoudness(integrated: measured.integrated, curve: measured.curve ?? [])
            }
        }
    }

    /// Whether the bed is a separated background: a light duck suffices over it; over the original (voices
    /// included) the mix ducks hard.
    let separated: Bool
    /// The share of a surround dub that also goes to the front left and right.
    let centreSpread: Double

    func run(_ input: Input, in context: StageContext) async throws -> Output {
        let (clips, audio, background, folder, vocals) = (input.fitted.clips, input.audio, input.background, context.work, input.vocals)
        let depth = separated ? 6 : 14
        let length = input.length
        let surround = audio.isSurround ? DialoguePlacement(spread: centreSpread) : nil
        let key = try CacheKey(["mix-2", try CacheKey.fingerprint(ofFile: background).hex, "duck\(depth)", "\(length ?? 0)"]
                               + (surround.map { ["centre", "\($0.spread)", try vocals.map { try CacheKey.fingerprint(ofFile: $0).hex } ?? "-"] } ?? [])
                               + clips.map { "\($0.path)@\($0.start)" })
        let source: SourceLoudness
        if let measured = input.sourceLoudness { source = measured } else { source = try await Self.sourceLoudness(of: audio.path, context: context) }
        let loudnessIn = source.integrated
        let report = try await context.runner.run(Self.name, key: key, artifacts: ["mix.json", "mix.wav"]) { _ in
            try await BlockingWork.run {
                var settings = MixSettings()
                settings.duckDepth = Double(depth)
                settings.length = length
                var clips = clips
                if let surround {
                    // Every other channel stays as the source has it, so no gain over the whole mix: the dub is brought
                    // to the loudness of the dialogue it replaces instead, which keeps the mix at the source's loudness.
                    settings.dialogue = surround
                    settings.channels = audio.channels
                    let dialogue = try Self.dialogueLoudness(vocals: vocals, audio: audio.path, folder: folder)
                    let dub = try Mixer.clipsLoudness(clips)
                    if dialogue > -70, dub > -70 { clips = clips.map { var c = $0; c.gain += dialogue - dub; return c } }
                } else {
                    // The source's loudness, measured once above (what `.match` would measure again); silence matches nothing.
                    settings.loudness = loudnessIn > -70 ? .lufs(loudnessIn) : .none
                }
                return try Mixer.mix(bed: background, clips: clips, output: folder.path("mix.wav"), settings: settings)
            }
        }
        return Output(path: folder.path("mix.wav"), report: report, loudnessIn: loudnessIn, sourceCurve: source.curve)
    }

    /// The loudness of a surround source's dialogue: its vocals stem when separated, else its whole centre channel.
    static func dialogueLoudness(vocals: String?, audio: String, folder: WorkFolder) throws -> Double {
        if let vocals { return try LoudnessMeter.measure(path: vocals, truePeak: false).integrated }
        let centre = AtomicFile.temporaryPath(for: folder.path("centre.wav"))
        defer { AtomicFile.discard(centre) }
        try ChannelEdit.extract(channel: ChannelEdit.centre, from: audio, to: centre)
        return try LoudnessMeter.measure(path: centre, truePeak: false).integrated
    }
}
