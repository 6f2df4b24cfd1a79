import AudioKitCore
import Foundation

/// Audio a provider sent back (headerless PCM, WAV, MP3, ...), turned into a WAV file with its exact length.
enum ProviderAudio {
    /// Decodes headerless mono s16le PCM and writes it to `path` (WAV); returns the frame count.
    static func writeS16LE(_ bytes: [UInt8], sampleRate: Int, to path: String, provider: String) throws -> Int {
        guard bytes.count % 2 == 0, !bytes.isEmpty else {
            throw ProviderError(code: .badResponse, provider: provider, message: "audio body of \(bytes.count) bytes is not 16-bit PCM")
        }
        var samples = [Float](repeating: 0, count: bytes.count / 2)
        for i in samples.indices {
            let value = Int16(bitPattern: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8)
            samples[i] = Float(value) / 32768
        }
        let writer = try SoundFileWriter(path: path, format: try SoundFileFormat(container: .wav, encoding: .int16), sampleRate: sampleRate, channels: 1)
        try writer.write(samples)
        try writer.close()
        return samples.count
    }

    /// Decodes an encoded file (mp3, wav, ogg, ...) with FFmpeg, streaming, into a mono float WAV at `path`
    /// (at `sampleRate`, or the file's own rate). Returns the exact duration in seconds.
    static func decodeFile(_ encoded: String, to path: String, sampleRate: Int? = nil, provider: String) throws -> Double {
        do {
            let reader = try AudioReader(path: encoded, options: AudioReadOptions(sampleRate: sampleRate, channels: 1))
            let writer = try SoundFileWriter(path: path, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                             sampleRate: reader.sampleRate, channels: 1)
            while let chunk = try reader.next() { try writer.write(chunk) }
            try writer.close()
            guard reader.framesRead > 0 else {
                throw ProviderError(code: .badResponse, provider: provider, message: "the audio it returned is empty")
            }
            return Double(reader.framesRead) / Double(reader.sampleRate)
        } catch let error as MediaError {
            throw ProviderError(code: .badResponse, provider: provider, message: "cannot decode the audio it returned: \(error.message)")
        }
    }

    /// Writes `bytes` (an encoded file such as mp3 or wav) beside `path`, decodes it into `path`, and removes the
    /// encoded copy. Returns the exact duration in seconds.
    static func decode(_ bytes: [UInt8], extension ext: String, to path: String, sampleRate: Int? = nil, provider: String) throws -> Double {
        let encoded = path + ".download." + ext
        defer { unlink(encoded) }
        guard FileManager.default.createFile(atPath: encoded, contents: Data(bytes)) else {
            throw ProviderError(code: .badResponse, provider: provider, message: "cannot write \(encoded)")
        }
        return try decodeFile(encoded, to: path, sampleRate: sampleRate, provider: provider)
    }
}
