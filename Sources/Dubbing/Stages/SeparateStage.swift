import DubSupport
import Foundation
import ProviderAPI
import AudioKitCore

/// separate: the vocals and background stems. The background is the bed of the mix; the vocals (when there are
/// any) are what speech recognition hears. `--stems` gives both from elsewhere (e.g. Demucs); `local` is the DSP
/// separator; `elevenlabs` isolates the voice over the network and subtracts it from the original; `none` keeps
/// the original as the bed.
struct SeparateStage: DubStage {
    static let stage = StageName.separate

    struct Output: Codable, Sendable {
        /// The bed for the mix.
        let background: String
        let vocals: String?
    }

    let method: DubPlan.Separation

    init(plan: DubPlan) {
        method = plan.separation
    }

    /// Whether the bed is a background without the original voices (so the mix ducks it lightly).
    var isSeparated: Bool { method != .none }

    func run(_ audio: ExtractStage.Output, in context: StageContext) async throws -> Output {
        let folder = context.work
        let artifacts = ["separate.json", "stems/vocals.wav", "stems/background.wav"]
        let vocals = folder.path("stems/vocals.wav")
        let stems = Output(background: folder.path("stems/background.wav"), vocals: vocals)
        switch method {
        case .stems(let given, let background):
            return Output(background: background, vocals: given)
        case .none:
            return Output(background: audio.path, vocals: nil)
        case .local:
            let key = try CacheKey(["separate-local-1", audio.key.hex])
            return try await context.runner.run(Self.name, key: key, artifacts: artifacts) { _ in
                try await Self.onDialogueChannel(audio, in: folder) { input, background in
                    _ = try await BlockingWork.run { try VocalSeparator.separate(input: input, vocals: vocals, background: background) }
                }
                return stems
            }
        case .isolator(let name):
            let isolator = try context.providers.isolator(name)
            let key = try CacheKey(["separate-isolator-1", isolator.name, audio.key.hex])
            return try await context.runner.run(Self.name, key: key, artifacts: artifacts) { _ in
                try await Self.onDialogueChannel(audio, in: folder) { input, background in
                    _ = try await isolator.isolate(input, to: vocals)
                    try await BlockingWork.run { try Self.subtract(vocals, from: input, to: background) }
                }
                return stems
            }
        }
    }

    /// Runs `separate(input, background)` on what carries the dialogue, in the `stems` folder: the whole audio of a
    /// stereo source, its background being the background stem; the centre channel alone of a surround one (5.1, 7.1:
    /// films keep dialogue there), whose background then goes back among the other channels, untouched, to make the
    /// background stem (the centre's own files are removed).
    static func onDialogueChannel(_ audio: ExtractStage.Output, in folder: WorkFolder,
                                  _ separate: (_ input: String, _ background: String) async throws -> Void) async throws {
        try WorkFolder.makeDirectories(folder.path("stems"))
        let bed = folder.path("stems/background.wav")
        guard audio.isSurround else { return try await separate(audio.path, bed) }
        let centre = folder.path("stems/centre.wav"), centreBackground = folder.path("stems/centre-background.wav")
        defer {
            try? FileManager.default.removeItem(atPath: centre)
            try? FileManager.default.removeItem(atPath: centreBackground)
        }
        try await BlockingWork.run { try ChannelEdit.extract(channel: ChannelEdit.centre, from: audio.path, to: centre) }
        try await separate(centre, centreBackground)
        try await BlockingWork.run { try ChannelEdit.replace(channel: ChannelEdit.centre, of: audio.path, with: centreBackground, to: bed) }
    }

    /// `original` minus the isolated voice (resampled and remixed to match), written to `output`, streaming.
    static func subtract(_ vocals: String, from original: String, to output: String) throws {
        let mix = try SoundFileReader(path: original)
        let voice = try AudioReader(path: vocals, options: AudioReadOptions(sampleRate: mix.sampleRate, channels: mix.channels))
        let temp = AtomicFile.temporaryPath(for: output)
        defer { AtomicFile.discard(temp) }
        let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                         sampleRate: mix.sampleRate, channels: mix.channels)
        var pending: [Float] = []
        var voiceDone = false
        while case let chunk = try mix.read(maxFrames: 16_384), !chunk.isEmpty {
            while pending.count < chunk.count, !voiceDone {
                if let next = try voice.next() { pending += next } else { voiceDone = true }
            }
            let n = min(chunk.count, pending.count)
            var out = chunk
            for i in 0..<n { out[i] -= pending[i] }
            pending.removeFirst(n)
            try writer.write(out)
        }
        try writer.close()
        try AtomicFile.commit(temp, to: output, mode: 0o600)
    }
}
