import AudioKitCore
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

    @Test("FLAC cannot hold float samples; unknown extensions are refused")
    func refusals() {
        #expect(throws: MediaError.self) { try SoundFileFormat(container: .flac, encoding: .float32) }
        #expect(throws: MediaError.self) { try SoundFileFormat(path: "out.mp3") }
    }
}

import Foundation
