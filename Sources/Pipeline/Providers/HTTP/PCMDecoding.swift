import AudioKitCore

/// Headerless mono s16le PCM from a provider, written as WAV.
enum PCMDecoding {
    /// Decodes `bytes` and writes them to `path` (WAV); returns the frame count.
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
}
