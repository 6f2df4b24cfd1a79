import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// Audio a provider sent back (headerless PCM, WAV, MP3, ...), turned into a WAV file with its exact length.
enum ProviderAudio {
    /// Converts a file of headerless mono s16le PCM into a WAV at `path`, streaming; returns the frame count.
    static func convertS16LE(_ raw: String, sampleRate: Int, to path: String, provider: String) throws -> Int {
        guard let file = fopen(raw, "rb") else {
            throw ProviderError(code: .badResponse, provider: provider, message: "the audio it returned was not saved")
        }
        defer { fclose(file) }
        var frames = 0
        try AtomicFile.write(to: path, mode: 0o600) { temp in
            let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .int16), sampleRate: sampleRate, channels: 1)
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
                try writer.write(samples)
                frames += samples.count
            }
            guard frames > 0, carry == nil else {
                throw ProviderError(code: .badResponse, provider: provider, message: "the audio it returned is not 16-bit PCM (\(frames * 2 + (carry == nil ? 0 : 1)) bytes)")
            }
            try writer.close()
        }
        return frames
    }

    /// Decodes an encoded file (mp3, wav, ogg, ...) with FFmpeg, streaming, into a mono float WAV at `path`
    /// (at `sampleRate`, or the file's own rate). Returns the exact duration in seconds.
    static func decodeFile(_ encoded: String, to path: String, sampleRate: Int? = nil, provider: String) throws -> Double {
        do {
            let reader = try AudioReader(path: encoded, options: AudioReadOptions(sampleRate: sampleRate, channels: 1))
            try AtomicFile.write(to: path, mode: 0o600) { temp in
                let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                                 sampleRate: reader.sampleRate, channels: 1)
                while let chunk = try reader.next() { try writer.write(chunk) }
                try writer.close()
                guard reader.framesRead > 0 else {
                    throw ProviderError(code: .badResponse, provider: provider, message: "the audio it returned is empty")
                }
            }
            return Double(reader.framesRead) / Double(reader.sampleRate)
        } catch let error as MediaError {
            throw ProviderError(code: .badResponse, provider: provider, message: "cannot decode the audio it returned: \(error.message)")
        }
    }
}
