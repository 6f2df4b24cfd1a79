import DubSupport

/// A file's audio as interleaved Float32 chunks at a given rate and channel count. A PCM WAV file goes through libsndfile
/// in large reads: no demuxer (FFmpeg's WAV demuxer probes the packets of every 16-bit WAV for hidden DTS), and a WAV's
/// timeline starts at its first sample; the channels and the rate are converted as `AudioReader` converts them (the
/// same libswresample matrix, then libsoxr), so the samples are the same. Anything else goes through `AudioReader`
/// (timeline alignment, decoding, conversion). Blocking.
final class ChunkReader {
    private let sound: SoundFileReader?
    /// The channel conversion before the rate (none for a mono file, which `resampling` spreads after it).
    private let rematrix: SampleConverter?
    private let resampling: Resampling?
    private let media: AudioReader?
    private var finished = false

    /// The file at `path` opened with libsndfile when a `ChunkReader` reads it that way to `channels` channels (nil:
    /// the file's own): a plain PCM WAV whose channels convert unambiguously. A WAV's channels are taken in their
    /// default layout, which is only unambiguous for mono and stereo: a wider WAV in another shape keeps AudioReader,
    /// which reads its channel mask.
    static func plainWave(_ path: String, channels: Int? = nil) -> SoundFileReader? {
        guard InputContainer.isWave(path), let sound = try? SoundFileReader(path: path), sound.sampleRate > 0, sound.isPlainPCM,
              sound.channels == (channels ?? sound.channels) || sound.channels <= 2 else { return nil }
        return sound
    }

    /// Opens `path` to read as `sampleRate` Hz with `channels` channels.
    init(path: String, sampleRate: Int, channels: Int) throws {
        if let sound = Self.plainWave(path, channels: channels) {
            self.sound = sound
            let resampling = try Resampling(.soxr, from: sound.sampleRate, to: sampleRate, channels: channels,
                                            monoSource: sound.channels == 1, path: path)
            self.resampling = resampling
            rematrix = sound.channels == resampling.inputChannels ? nil : SampleConverter(outputChannels: resampling.inputChannels, path: path)
            media = nil
        } else {
            media = try AudioReader(path: path, options: AudioReadOptions(sampleRate: sampleRate, channels: channels))
            sound = nil
            rematrix = nil
            resampling = nil
        }
    }

    /// The next chunk, or nil at the end.
    func next() throws -> [Float]? {
        guard let sound, let resampling else { return try media?.next() }
        while !finished {
            // Converted audio in blocks that stay below glibc's threshold for a mapping of their own (MemoryRelease):
            // converting large blocks mapped and unmapped every output and the converters' own buffers.
            var chunk = try sound.read(maxFrames: rematrix == nil && resampling.passesThrough ? 65_536 : 8192)
            if chunk.isEmpty {
                finished = true
                let tail = try resampling.finish()
                return tail.isEmpty ? nil : tail
            }
            if let rematrix { chunk = try rematrix.convert(interleaved: chunk, sourceChannels: sound.channels, sampleRate: sound.sampleRate) }
            chunk = try resampling.process(chunk)
            if !chunk.isEmpty { return chunk }
        }
        return nil
    }
}
