import DubSupport
import ProviderAPI
import AudioKitCore

/// extract: the original audio decoded, on the media timeline, at the mix's rate and layout (`audio.wav`),
/// streamed to disk. Cached by the input file's content.
struct ExtractStage: DubStage {
    static let stage = StageName.extract

    /// The extracted audio and the key it was made under (the stages after it key on it).
    struct Output: Codable, Sendable {
        let path: String
        let key: CacheKey
        /// What decoding warned about (a truncated or damaged input), kept so a cached run says it again.
        var warnings: [String]?
    }

    /// The mix's format.
    static let sampleRate = 48000, channels = 2

    /// The media file.
    let input: String

    /// The probed media (its audio stream is what is extracted).
    func run(_ media: MediaInfo, in context: StageContext) async throws -> Output {
        let (input, rate, channels, folder) = (input, Self.sampleRate, Self.channels, context.work)
        let key = try CacheKey(["extract-1", try CacheKey.fingerprint(ofFile: input).hex])
        let output = try await context.runner.run(Self.name, key: key, artifacts: ["extract.json", "audio.wav"]) { _ in
            let warnings = try await BlockingWork.run {
                let reader = try AudioReader(path: input, options: AudioReadOptions(sampleRate: rate, channels: channels))
                let temp = AtomicFile.temporaryPath(for: folder.path("audio.wav"))
                do {
                    let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                                     sampleRate: rate, channels: channels)
                    while let chunk = try reader.next() { try writer.write(chunk) }
                    try writer.close()
                    try folder.moveIntoPlace(temp, "audio.wav")
                } catch {
                    AtomicFile.discard(temp)
                    throw error
                }
                return reader.warnings
            }
            return Output(path: folder.path("audio.wav"), key: key, warnings: warnings.nilIfEmpty)
        }
        for warning in output.warnings ?? [] { await context.warn("\(input): \(warning)") }
        return output
    }
}
