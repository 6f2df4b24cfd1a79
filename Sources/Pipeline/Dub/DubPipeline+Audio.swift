import AudioKitCore

/// The audio stages: probe, extract, separate.
extension DubPipeline {
    struct ExtractedAudio: Codable, Sendable {
        let path: String
        let key: CacheKey
    }

    struct Stems: Codable, Sendable {
        /// The bed for the mix.
        let background: String
        let vocals: String?
    }

    func probe() async throws -> MediaInfo {
        let input = request.input
        let info = try await BlockingWork.run { try MediaInfo.probe(path: input) }
        guard !info.audioStreams.isEmpty else { throw MediaError(.noAudioStream, "no audio stream in", path: input) }
        return info
    }

    /// The original audio at 48 kHz stereo (the mix's format).
    func extract(_ runner: StageRunner, media: MediaInfo) async throws -> ExtractedAudio {
        let input = request.input
        let key = try CacheKey(["extract-1", try CacheKey.fingerprint(ofFile: input).hex])
        let folder = work
        return try await runner.run("extract", key: key, artifacts: ["extract.json", "audio.wav"]) { _ in
            try await BlockingWork.run {
                let reader = try AudioReader(path: input, options: AudioReadOptions(sampleRate: 48000, channels: 2))
                let temp = folder.path("audio.wav.partial")
                let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                                 sampleRate: 48000, channels: 2)
                while let chunk = try reader.next() { try writer.write(chunk) }
                try writer.close()
                try folder.moveIntoPlace(temp, "audio.wav")
            }
            return ExtractedAudio(path: folder.path("audio.wav"), key: key)
        }
    }

    func separate(_ runner: StageRunner, audio: ExtractedAudio) async throws -> Stems {
        if let stems = request.stems {
            guard stems.count == 2 else { throw MediaError(.invalidArgument, "--stems takes VOCALS,BACKGROUND") }
            return Stems(background: stems[1], vocals: stems[0])
        }
        let method = request.separation ?? "local"
        switch method {
        case "none":
            return Stems(background: audio.path, vocals: nil)
        case "local":
            let key = try CacheKey(["separate-local-1", audio.key.hex])
            let folder = work
            return try await runner.run("separate", key: key, artifacts: ["separate.json", "stems/vocals.wav", "stems/background.wav"]) { _ in
                try WorkFolder.makeDirectories(folder.path("stems"))
                _ = try await BlockingWork.run {
                    try VocalSeparator.separate(input: audio.path, vocals: folder.path("stems/vocals.wav"),
                                                background: folder.path("stems/background.wav"))
                }
                return Stems(background: folder.path("stems/background.wav"), vocals: folder.path("stems/vocals.wav"))
            }
        case "elevenlabs":
            let isolator = try providers.isolator(method)
            let key = try CacheKey(["separate-isolator-1", isolator.name, audio.key.hex])
            let folder = work
            return try await runner.run("separate", key: key, artifacts: ["separate.json", "stems/vocals.wav", "stems/background.wav"]) { _ in
                try WorkFolder.makeDirectories(folder.path("stems"))
                let vocals = folder.path("stems/vocals.wav")
                _ = try await isolator.isolate(audio.path, to: vocals)
                try await BlockingWork.run { try Self.subtract(vocals, from: audio.path, into: folder, "stems/background.wav") }
                return Stems(background: folder.path("stems/background.wav"), vocals: vocals)
            }
        default:
            throw MediaError(.invalidArgument, "separation '\(method)' is not available; use elevenlabs, local or none, or --stems VOCALS,BACKGROUND")
        }
    }

    /// The background stem: the original (48 kHz stereo) minus the isolated voice, resampled to match, streaming.
    static func subtract(_ vocals: String, from original: String, into folder: WorkFolder, _ relative: String) throws {
        let mix = try SoundFileReader(path: original)
        let voice = try AudioReader(path: vocals, options: AudioReadOptions(sampleRate: mix.sampleRate, channels: mix.channels))
        let temp = folder.path(relative + ".partial")
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
        try folder.moveIntoPlace(temp, relative)
    }
}
