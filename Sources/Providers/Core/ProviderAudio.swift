import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// Audio a provider sent back (headerless PCM, WAV, MP3, ...), turned into a WAV file with its exact length. Speech from
/// a TTS has its leading and trailing silence cut (`SilenceTrimmer`, 10 ms kept), so the fit places the speech itself;
/// audio on the media's timeline (isolated vocals) is kept whole.
enum ProviderAudio {
    /// Converts a file of headerless mono s16le speech into a float WAV at `path` without its leading and trailing
    /// silence, streaming; returns the frame count. (Float, not 16-bit, though no precision is gained: FFmpeg's WAV
    /// demuxer probes the packets of every 16-bit WAV it opens for hidden DTS, running every demuxer's probe up to 32
    /// times, which cost the mix 5 ms per line.)
    static func convertS16LE(_ raw: String, sampleRate: Int, to path: String, provider: String) throws -> Int {
        guard let file = fopen(raw, "rb") else {
            throw ProviderError(code: .badResponse, provider: provider, message: "the audio it returned was not saved")
        }
        defer { fclose(file) }
        var frames = 0, received = 0
        var trimmer = SilenceTrimmer(sampleRate: sampleRate)
        try AtomicFile.write(to: path, mode: 0o600) { temp in
            let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32), sampleRate: sampleRate, channels: 1)
            var bytes = [UInt8](repeating: 0, count: 1 << 16)
            var carry: UInt8?
            while true {
                let n = fread(&bytes, 1, bytes.count, file)
                if n == 0 { break }
                var chunk = Array(bytes.prefix(n))
                if let c = carry { chunk.insert(c, at: 0); carry = nil }
                if chunk.count % 2 == 1 { carry = chunk.removeLast() }
                var samples = [Float](repeating: 0, count: chunk.count / 2)
                for i in samples.indices {
                    samples[i] = Float(Int16(bitPattern: UInt16(chunk[2 * i]) | UInt16(chunk[2 * i + 1]) << 8)) / 32768
                }
                received += samples.count
                let kept = trimmer.process(samples)
                try writer.write(kept)
                frames += kept.count
            }
            guard received > 0, carry == nil else {
                throw ProviderError(code: .badResponse, provider: provider, message: "the audio it returned is not 16-bit PCM (\(received * 2 + (carry == nil ? 0 : 1)) bytes)")
            }
            let tail = trimmer.finish()
            try writer.write(tail)
            frames += tail.count
            guard frames > 0 else { throw ProviderError(code: .badResponse, provider: provider, message: "the audio it returned is silent") }
            try writer.close()
        }
        return frames
    }

    /// Decodes an encoded file (mp3, wav, ogg, ...) with FFmpeg, streaming, into a mono float WAV at `path`
    /// (at `sampleRate`, or the file's own rate); `trim` cuts its leading and trailing silence (speech from a TTS).
    /// Returns the exact duration in seconds.
    static func decodeFile(_ encoded: String, to path: String, sampleRate: Int? = nil, trim: Bool, provider: String) throws -> Double {
        do {
            let reader = try AudioReader(path: encoded, options: AudioReadOptions(sampleRate: sampleRate, channels: 1))
            var trimmer = SilenceTrimmer(sampleRate: reader.sampleRate)
            var frames = 0
            try AtomicFile.write(to: path, mode: 0o600) { temp in
                let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                                 sampleRate: reader.sampleRate, channels: 1)
                while let chunk = try reader.next() {
                    let kept = trim ? trimmer.process(chunk) : chunk
                    try writer.write(kept)
                    frames += kept.count
                }
                guard reader.framesRead > 0 else {
                    throw ProviderError(code: .badResponse, provider: provider, message: "the audio it returned is empty")
                }
                if trim {
                    let tail = trimmer.finish()
                    try writer.write(tail)
                    frames += tail.count
                    guard frames > 0 else { throw ProviderError(code: .badResponse, provider: provider, message: "the audio it returned is silent") }
                }
                try writer.close()
            }
            return Double(frames) / Double(reader.sampleRate)
        } catch let error as MediaError {
            throw ProviderError(code: .badResponse, provider: provider, message: "cannot decode the audio it returned: \(error.message)")
        }
    }
}
