import DubSupport

/// A file's audio as interleaved Float32 chunks at a given rate and channel count: straight from libsndfile, in large
/// reads, for a WAV file already in that shape (a stem or mix dub wrote: no demuxer packets, no conversion, and a WAV's
/// timeline starts at its first sample); through `AudioReader` (timeline alignment, decoding, resampling) for anything
/// else. Blocking.
final class ChunkReader {
    private let sound: SoundFileReader?
    private let media: AudioReader?

    /// Opens `path` to read as `sampleRate` Hz with `channels` channels.
    init(path: String, sampleRate: Int, channels: Int) throws {
        if InputContainer.isWave(path), let sound = try? SoundFileReader(path: path), sound.sampleRate == sampleRate, sound.channels == channels {
            self.sound = sound
            media = nil
        } else {
            media = try AudioReader(path: path, options: AudioReadOptions(sampleRate: sampleRate, channels: channels))
            sound = nil
        }
    }

    /// The next chunk, or nil at the end.
    func next() throws -> [Float]? {
        if let sound {
            let chunk = try sound.read()
            return chunk.isEmpty ? nil : chunk
        }
        return try media?.next()
    }
}
