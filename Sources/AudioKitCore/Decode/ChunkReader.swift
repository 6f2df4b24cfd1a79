import DubSupport

/// A file's audio as interleaved Float32 chunks at a given rate and channel count. A PCM WAV file goes through libsndfile
/// in large reads: no demuxer (FFmpeg's WAV demuxer probes the packets of every 16-bit WAV for hidden DTS), and a WAV's
/// timeline starts at its first sample; the channels and the rate are converted as `AudioReader` converts them (the
/// same libswresample matrix, then libsoxr), so the samples are the same. Anything else goes through `AudioReader`
/// (timeline alignment, decoding, conversion). Blocking.
final class ChunkReader {
    private let sound: SoundFileReader?
    private let rematrix: SampleConverter?
    private let rateConverter: RateConverter?
    private let media: AudioReader?
    /// Whether the channels are converted after the rate (mono), not before.
    private let upmixAfter: Bool
    private let sampleRate: Int
    private let channels: Int
    private var flushed = false
    /// Frames read from the file, and frames the rate converter has given out.
    private var sourceFrames = 0, convertedFrames = 0

    /// Opens `path` to read as `sampleRate` Hz with `channels` channels.
    init(path: String, sampleRate: Int, channels: Int) throws {
        self.sampleRate = sampleRate
        self.channels = channels
        // A WAV's channels are taken in their default layout, which is only unambiguous for mono and stereo: a wider
        // WAV in another shape keeps AudioReader, which reads its channel mask.
        if InputContainer.isWave(path), let sound = try? SoundFileReader(path: path), sound.sampleRate > 0, sound.isPlainPCM,
           sound.channels == channels || sound.channels <= 2 {
            self.sound = sound
            // As AudioReader: a mono file to resample is resampled first and spread over the channels after.
            upmixAfter = sound.sampleRate != sampleRate && sound.channels == 1
            rematrix = sound.channels == channels ? nil : SampleConverter(outputChannels: channels, path: path)
            rateConverter = sound.sampleRate == sampleRate ? nil
                : try makeRateConverter(.soxr, from: sound.sampleRate, to: sampleRate, channels: upmixAfter ? 1 : channels, path: path)
            media = nil
        } else {
            media = try AudioReader(path: path, options: AudioReadOptions(sampleRate: sampleRate, channels: channels))
            sound = nil
            rematrix = nil
            rateConverter = nil
            upmixAfter = false
        }
    }

    /// The next chunk, or nil at the end.
    func next() throws -> [Float]? {
        guard let sound else { return try media?.next() }
        while !flushed {
            // Converted audio in blocks that stay below glibc's threshold for a mapping of their own (MemoryRelease):
            // converting large blocks mapped and unmapped every output and the converters' own buffers.
            var chunk = try sound.read(maxFrames: rateConverter == nil && rematrix == nil ? 65_536 : 8192)
            if chunk.isEmpty {
                flushed = true
                guard let rateConverter else { return nil }
                // Padded or cut to the exact converted length, as AudioReader ends.
                var tail = try rateConverter.flush()
                let width = upmixAfter ? 1 : channels
                let target = Int((Double(sourceFrames) * Double(sampleRate) / Double(sound.sampleRate)).rounded())
                let missing = target - convertedFrames - tail.count / width
                if missing > 0 { tail += repeatElement(0, count: missing * width) } else { tail.removeLast(min(tail.count, -missing * width)) }
                return tail.isEmpty ? nil : try upmix(tail)
            }
            sourceFrames += chunk.count / sound.channels
            if !upmixAfter, let rematrix { chunk = try rematrix.convert(interleaved: chunk, sourceChannels: sound.channels, sampleRate: sound.sampleRate) }
            if let rateConverter {
                chunk = try rateConverter.process(chunk)
                convertedFrames += chunk.count / (upmixAfter ? 1 : channels)
            }
            if !chunk.isEmpty { return try upmix(chunk) }
        }
        return nil
    }

    /// Resampled mono spread over the channels, when that is the order.
    private func upmix(_ chunk: [Float]) throws -> [Float] {
        guard upmixAfter, let rematrix else { return chunk }
        return try rematrix.convert(interleaved: chunk, sourceChannels: 1, sampleRate: sampleRate)
    }
}
