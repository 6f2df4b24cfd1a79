@testable import AudioKitCore
import DubSupport
import TestSupport
import Testing

@Suite("WAV and FLAC through libsndfile")
struct SoundFileTests {
    @Test("round trip", arguments: [("wav", SoundFileFormat.Encoding.float32), ("wav", .int16), ("flac", .int16), ("flac", .int24)])
    func roundTrip(container: String, encoding: SoundFileFormat.Encoding) throws {
        let scratch = try Scratch()
        let path = scratch.path("x.\(container)")
        let frames = 48000
        let step: Double = 2 * Double.pi * 440 / 48000
        let signal: [Float] = (0..<(frames * 2)).map { (i: Int) -> Float in
            let phase: Double = Double(i / 2) * step + Double(i % 2)
            return Float(0.5 * sin(phase))
        }
        let writer = try SoundFileWriter(path: path, format: try SoundFileFormat(path: path, encoding: encoding), sampleRate: 48000, channels: 2)
        for start in stride(from: 0, to: signal.count, by: 10_000) {
            try writer.write(Array(signal[start..<min(signal.count, start + 10_000)]))
        }
        try writer.close()
        let reader = try SoundFileReader(path: path)
        #expect(reader.sampleRate == 48000 && reader.channels == 2 && reader.frameCount == frames)
        let back = try reader.readAll()
        let (snr, lag) = SignalCompare.alignedSNR(reference: signal, test: back, channels: 2, maxLag: 0)
        #expect(lag == 0)
        #expect(snr > (encoding == .float32 ? 140 : 85), "SNR \(snr)")
    }

    @Test("ChunkReader: a WAV comes through libsndfile sample for sample as AudioReader reads it, converted to any rate and channel count as AudioReader converts it; other formats through AudioReader")
    func chunkReader() throws {
        let scratch = try Scratch()
        let wav = scratch.path("stereo.wav"), flac = scratch.path("stereo.flac")
        let frames = 150_000 // more than one libsndfile read
        let samples = (0..<(frames * 2)).map { Float(sin(Double($0) * 0.001)) * 0.5 }
        for (path, encoding) in [(wav, SoundFileFormat.Encoding.float32), (flac, .int16)] {
            let writer = try SoundFileWriter(path: path, format: try SoundFileFormat(path: path, encoding: encoding), sampleRate: 48000, channels: 2)
            try writer.write(samples)
            try writer.close()
        }
        func all(_ next: () throws -> [Float]?) rethrows -> [Float] {
            var out: [Float] = []
            while let chunk = try next() { out += chunk }
            return out
        }
        // A 16-bit mono WAV at another rate: libsndfile, then AudioReader's channel matrix and resampler.
        let mono16 = scratch.path("mono16.wav")
        let writer = try SoundFileWriter(path: mono16, format: try SoundFileFormat(container: .wav, encoding: .int16), sampleRate: 16000, channels: 1)
        try writer.write(Array(samples[0..<frames]))
        try writer.close()
        for (path, rate, channels) in [(wav, 48000, 2), (wav, 16000, 1), (wav, 44100, 1), (flac, 48000, 2),
                                       (mono16, 44100, 2), (mono16, 48000, 1), (mono16, 16000, 2), (mono16, 16000, 6)] {
            let chunks = try ChunkReader(path: path, sampleRate: rate, channels: channels)
            let reader = try AudioReader(path: path, options: AudioReadOptions(sampleRate: rate, channels: channels))
            let fast = try all(chunks.next), reference = try all(reader.next)
            #expect(fast == reference, "\(path) as \(rate) Hz \(channels) ch: \(fast.count) vs \(reference.count) samples")
        }
        #expect(try all(ChunkReader(path: wav, sampleRate: 48000, channels: 2).next) == samples)
    }

    @Test("FLAC cannot hold float samples; unknown extensions are refused")
    func refusals() {
        #expect(throws: MediaError.self) { try SoundFileFormat(container: .flac, encoding: .float32) }
        #expect(throws: MediaError.self) { try SoundFileFormat(path: "out.mp3") }
    }
}

import Foundation

@Suite("Long WAV files (over 4 GiB)")
struct LongSoundFileTests {
    @Test("a float WAV over 4 GiB keeps every frame (RF64), read back by libsndfile and ffprobe; a short one stays plain WAV")
    func overFourGiB() throws {
        let scratch = try Scratch()
        let path = scratch.path("long.wav")
        // 1.1 × 2^30 mono float frames = 4.4 GB of data, past the 32-bit sizes of plain WAV (which would wrap).
        let chunk = [Float](repeating: 0.001, count: 1 << 20)
        let frames = 1126 * chunk.count
        let writer = try SoundFileWriter(path: path, format: try SoundFileFormat(container: .wav, encoding: .float32), sampleRate: 48000, channels: 1)
        for _ in 0..<1126 { try writer.write(chunk) }
        try writer.close()
        #expect(writer.framesWritten == frames)
        let reader = try SoundFileReader(path: path)
        #expect(reader.frameCount == frames, "read back \(reader.frameCount) of \(frames) frames")
        let probed = try Tool.run("ffprobe", ["-v", "error", "-show_entries", "stream=duration_ts", "-of", "csv=p=0", path])
        #expect(Int(probed.trimmingCharacters(in: .whitespacesAndNewlines)) == frames, "ffprobe: \(probed)")
        let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 4)
        #expect(header == Data("RF64".utf8))
        try FileManager.default.removeItem(atPath: path)

        let short = scratch.path("short.wav")
        let small = try SoundFileWriter(path: short, format: try SoundFileFormat(container: .wav, encoding: .float32), sampleRate: 48000, channels: 1)
        try small.write(chunk)
        try small.close()
        #expect(try FileHandle(forReadingFrom: URL(fileURLWithPath: short)).read(upToCount: 4) == Data("RIFF".utf8))
    }
}
