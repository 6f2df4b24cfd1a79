import DubSupport
import ProviderAPI
import AudioKitCore

/// extract: the original audio decoded, on the media timeline, at the mix's rate and layout (`audio.wav`),
/// streamed to disk: 48 kHz stereo, or the source's own 5.1 or 7.1 when a surround dub keeps it. Cached by the input
/// file's content, the stream read and the layout asked for.
struct ExtractStage: DubStage {
    static let stage = StageName.extract

    /// The extracted audio and the key it was made under (the stages after it key on it).
    struct Output: Codable, Sendable {
        let path: String
        let key: CacheKey
        /// What decoding warned about (a truncated or damaged input), kept so a cached run says it again.
        var warnings: [String]?
        /// The index of the input's audio stream that was read.
        var stream: Int?
        /// The channels of `audio.wav`: 2, or the source's 6 or 8 (FFmpeg's order: L R C LFE …) for a surround dub.
        var channels: Int?

        /// Whether the audio is surround (the dub goes in its centre channel).
        var isSurround: Bool { (channels ?? 2) > 2 }
    }

    /// The mix's rate, and its channels unless a surround source keeps its own.
    static let sampleRate = 48000, channels = 2
    /// The source channel counts a surround dub keeps (5.1, 7.1).
    static let surroundChannels: Set<Int> = [6, 8]

    /// The media file.
    let input: String
    /// Its audio stream to read; nil: the best one.
    let stream: Int?
    /// Whether a 5.1 or 7.1 stream keeps its layout (`--layout source`).
    let keepsSurround: Bool

    /// The probed media (its audio stream is what is extracted).
    func run(_ media: MediaInfo, in context: StageContext) async throws -> Output {
        let (input, stream, rate, folder, surround) = (input, stream, Self.sampleRate, context.work, keepsSurround)
        let key = try CacheKey(["extract-2", try CacheKey.fingerprint(ofFile: input).hex, stream.map { "stream\($0)" } ?? "best",
                                surround ? "layout-source" : "layout-stereo"])
        let output = try await context.runner.run(Self.name, key: key, artifacts: ["extract.json", "audio.wav"]) { _ in
            let (warnings, read, channels) = try await BlockingWork.run {
                let source = try AudioReader(path: input, options: AudioReadOptions(streamIndex: stream)).channels
                let channels = surround && Self.surroundChannels.contains(source) ? source : Self.channels
                let reader = try AudioReader(path: input, options: AudioReadOptions(streamIndex: stream, sampleRate: rate, channels: channels))
                let temp = AtomicFile.temporaryPath(for: folder.path("audio.wav"))
                do {
                    // Written on a thread of its own while the next packets decode.
                    let writer = try BackgroundSoundWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                                           sampleRate: rate, channels: channels)
                    while let chunk = try reader.next() { try writer.write(chunk) }
                    try writer.close()
                    try folder.moveIntoPlace(temp, "audio.wav")
                } catch {
                    AtomicFile.discard(temp)
                    throw error
                }
                return (reader.warnings, reader.streamIndex, channels)
            }
            return Output(path: folder.path("audio.wav"), key: key, warnings: warnings.nilIfEmpty, stream: read, channels: channels)
        }
        for warning in output.warnings ?? [] { await context.warn("\(input): \(warning)") }
        return output
    }
}
