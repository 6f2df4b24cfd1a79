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
        let stems = Output(background: folder.path("stems/background.wav"), vocals: folder.path("stems/vocals.wav"))
        switch method {
        case .stems(let vocals, let background):
            return Output(background: background, vocals: vocals)
        case .none:
            return Output(background: audio.path, vocals: nil)
        case .local:
            let key = try CacheKey(["separate-local-1", audio.key.hex])
            return try await context.runner.run(Self.name, key: key, artifacts: artifacts) { _ in
                try WorkFolder.makeDirectories(folder.path("stems"))
                try await BlockingWork.run {
                    try Self.onDialogueChannel(audio, in: folder) { input, background in
                        _ = try VocalSeparator.separate(input: input, vocals: folder.path("stems/vocals.wav"), background: background)
                    }
                }
                return stems
            }
        case .isolator(let name):
            let isolator = try context.providers.isolator(name)
            let key = try CacheKey(["separate-isolator-1", isolator.name, audio.key.hex])
            return try await context.runner.run(Self.name, key: key, artifacts: artifacts) { _ in
                try WorkFolder.makeDirectories(folder.path("stems"))
                let centre = folder.path(Self.centreFile)
                defer { try? FileManager.default.removeItem(atPath: centre) }
                if audio.isSurround { try await BlockingWork.run { try ChannelEdit.extract(channel: ChannelEdit.centre, from: audio.path, to: centre) } }
                _ = try await isolator.isolate(audio.isSurround ? centre : audio.path, to: folder.path("stems/vocals.wav"))
                try await BlockingWork.run {
                    try Self.onDialogueChannel(audio, in: folder, extracted: true) { input, background in
                        try Self.subtract(folder.path("stems/vocals.wav"), from: input, to: background)
                    }
                }
                return stems
            }
        }
    }

    /// The centre channel of a surround source, taken out for separation (removed once the stems are made).
    static let centreFile = "stems/centre.wav"

    /// Runs `separate(input, background)` on what carries the dialogue: the whole audio of a stereo source, making
    /// the background stem; the centre channel alone of a surround one (5.1, 7.1: films keep dialogue there), whose
    /// background then goes back among the other channels, untouched, to make the background stem. `extracted`:
    /// the centre is already in `centreFile`.
    static func onDialogueChannel(_ audio: ExtractStage.Output, in folder: WorkFolder, extracted: Bool = false,
                                  _ separate: (_ input: String, _ background: String) throws -> Void) throws {
        guard audio.isSurround else {
            try separate(audio.path, folder.path("stems/background.wav"))
            return
        }
        let centre = folder.path(centreFile), centreBackground = folder.path("stems/centre-background.wav")
        defer {
            try? FileManager.default.removeItem(atPath: centre)
            try? FileManager.default.removeItem(atPath: centreBackground)
        }
        if !extracted { try ChannelEdit.extract(channel: ChannelEdit.centre, from: audio.path, to: centre) }
        try separate(centre, centreBackground)
        try ChannelEdit.replace(channel: ChannelEdit.centre, of: audio.path, with: centreBackground, to: folder.path("stems/background.wav"))
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
