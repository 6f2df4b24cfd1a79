import AudioKitCore
import DubSupport

/// Compares two interleaved signals the way the oracle tests need: best lag (within a few samples), then SNR.
public enum SignalCompare {
    /// Reads a whole sound file as interleaved Float32.
    public static func read(_ path: String) throws -> (samples: [Float], rate: Int, channels: Int) {
        let reader = try SoundFileReader(path: path)
        return (try reader.readAll(), reader.sampleRate, reader.channels)
    }

    /// Writes interleaved samples as a float WAV.
    public static func write(_ samples: [Float], to path: String, rate: Int, channels: Int) throws {
        let writer = try SoundFileWriter(path: path, format: try SoundFileFormat(container: .wav, encoding: .float32), sampleRate: rate,
                                         channels: channels)
        try writer.write(samples)
        try writer.close()
    }

    /// Decodes `input` with dub's reader into a float WAV at `output`, streaming; returns the reader (its rate, channels
    /// and warnings).
    @discardableResult
    public static func decode(_ input: String, options: AudioReadOptions = AudioReadOptions(), to output: String) throws -> AudioReader {
        let reader = try AudioReader(path: input, options: options)
        let writer = try SoundFileWriter(path: output, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                         sampleRate: reader.sampleRate, channels: reader.channels)
        while let chunk = try reader.next() { try writer.write(chunk) }
        try writer.close()
        return reader
    }

    /// Signal-to-noise ratio in dB of `test` against `reference` after shifting `test` by the lag
    /// (in frames, within ±maxLag) that matches best. Compared over the overlapping frames. Keep `maxLag` small: a wide
    /// search would hide a timeline offset.
    public static func alignedSNR(reference: [Float], test: [Float], channels: Int, maxLag: Int = 2) -> (snr: Double, lag: Int) {
        let refFrames = reference.count / channels
        let testFrames = test.count / channels
        return reference.withUnsafeBufferPointer { ref in
            test.withUnsafeBufferPointer { tst in
                func snr(at lag: Int) -> Double {
                    let begin = max(0, -lag) * channels
                    let end = min(refFrames, testFrames - lag) * channels
                    guard end > begin else { return -.infinity }
                    let shift = lag * channels
                    var signal = 0.0
                    var noise = 0.0
                    for i in begin..<end {
                        let r = Double(ref[i])
                        let d = r - Double(tst[i + shift])
                        signal += r * r
                        noise += d * d
                    }
                    return noise == 0 ? 200 : 10 * log10(signal / noise)
                }
                var best = (snr: -Double.infinity, lag: 0)
                for lag in -maxLag...maxLag {
                    let value = snr(at: lag)
                    if value > best.snr { best = (value, lag) }
                }
                return best
            }
        }
    }

    /// RMS of frames [from, to) across all channels.
    public static func rms(_ samples: [Float], channels: Int, rate: Int, from: Double, to: Double) -> Double {
        let a = max(0, Int(from * Double(rate))) * channels
        let b = min(samples.count / channels, Int(to * Double(rate))) * channels
        guard b > a else { return 0 }
        var sum = 0.0
        for i in a..<b { sum += Double(samples[i]) * Double(samples[i]) }
        return (sum / Double(b - a)).squareRoot()
    }
}

#if canImport(Glibc)
import Glibc
#endif
