@testable import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

@Suite("Vocal / background separation (local)")
struct SeparationTests {
    /// The known voice (the mono sample) at `rate`, with half a second of silence around it.
    static func voice(rate: Int) throws -> [Float] {
        let reader = try AudioReader(path: Repository.sample("mono.wav"), options: AudioReadOptions(sampleRate: rate, channels: 1))
        var v: [Float] = []
        while let chunk = try reader.next() { v += chunk }
        let pad = [Float](repeating: 0, count: rate / 2)
        return pad + v + pad
    }

    /// A known music-like background: chords that differ between left and right, plus a little noise.
    static func background(frames: Int, rate: Int, channels: Int, level: Float) -> [Float] {
        var out = [Float](repeating: 0, count: frames * channels)
        var seed: UInt64 = 12345
        for f in 0..<frames {
            let t = Double(f) / Double(rate)
            for c in 0..<channels {
                let notes = c == 0 ? [130.8, 164.8, 196.0] : [110.0, 146.8, 220.0]
                var x = 0.0
                for (i, n) in notes.enumerated() { x += sin(2 * Double.pi * n * Double(i + 1) * t) * (0.5 + 0.5 * sin(2 * Double.pi * 0.7 * t + Double(i))) }
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let noise = Double(Int64(bitPattern: seed >> 11) % 1000) / 1000 * 0.2
                out[f * channels + c] = Float(x / 3 + noise) * level
            }
        }
        return out
    }

    static func sdr(_ truth: [Float], _ estimate: [Float]) -> Double {
        var s = 0.0, e = 0.0
        for i in truth.indices {
            s += Double(truth[i]) * Double(truth[i])
            e += Double(truth[i] - estimate[i]) * Double(truth[i] - estimate[i])
        }
        return 10 * log10(s / max(e, 1e-20))
    }

    struct Figures: CustomStringConvertible {
        let vocals: Double, background: Double, leak: Double, inputSNR: Double
        var description: String {
            "vocals SDR \(vocals) dB, background SDR \(background) dB, voice leak in background \(leak) dB (input voice/background \(inputSNR) dB)"
        }
    }

    /// Mixes the known voice (centred) over the known background, separates, and measures against the truth.
    static func measure(channels: Int, rate: Int, level: Float) throws -> Figures {
        let scratch = try Scratch()
        let voice = try Self.voice(rate: rate)
        let frames = voice.count
        let bed = Self.background(frames: frames, rate: rate, channels: channels, level: level)
        var voiceInterleaved = [Float](repeating: 0, count: frames * channels)
        for f in 0..<frames { for c in 0..<channels { voiceInterleaved[f * channels + c] = voice[f] } }
        let mixture = zip(voiceInterleaved, bed).map { $0 + $1 }
        let input = scratch.path("mix.wav")
        let writer = try SoundFileWriter(path: input, format: try SoundFileFormat(container: .wav, encoding: .float32), sampleRate: rate, channels: channels)
        try writer.write(mixture)
        try writer.close()
        _ = try VocalSeparator.separate(input: input, vocals: scratch.path("v.wav"), background: scratch.path("b.wav"))
        let vocals = try SoundFileReader(path: scratch.path("v.wav")).readAll()
        let background = try SoundFileReader(path: scratch.path("b.wav")).readAll()
        #expect(vocals.count == mixture.count && background.count == mixture.count)
        #expect(zip(zip(vocals, background), mixture).allSatisfy { abs($0.0 + $0.1 - $1) < 1e-4 })
        // Speech regions from the truth: 20 ms windows where the voice is within 40 dB of its peak.
        let window = rate / 50
        let peak = voice.map(abs).max() ?? 1
        let speaking = (0..<(frames / window + 1)).map { w -> Bool in
            let slice = voice[(w * window)..<min(frames, (w + 1) * window)]
            let rms = slice.isEmpty ? 0 : (slice.map { Double($0 * $0) }.reduce(0, +) / Double(slice.count)).squareRoot()
            return rms > Double(peak) * 0.01
        }
        var leakEnergy = 0.0, voiceEnergy = 0.0
        for i in mixture.indices where speaking[(i / channels) / window] {
            let residual = Double(background[i] - bed[i])
            leakEnergy += residual * residual
            voiceEnergy += Double(voiceInterleaved[i]) * Double(voiceInterleaved[i])
        }
        let inputSNR = 10 * log10(voiceInterleaved.map { Double($0 * $0) }.reduce(0, +) / bed.map { Double($0 * $0) }.reduce(0, +))
        return Figures(vocals: Self.sdr(voiceInterleaved, vocals), background: Self.sdr(bed, background),
                       leak: 10 * log10(leakEnergy / voiceEnergy), inputSNR: inputSNR)
    }

    @Test("stereo, voice centred over a wide background: both stems clearly better than the mix")
    func stereo() throws {
        let figures = try Self.measure(channels: 2, rate: 44100, level: 0.15)
        print("separation stereo: \(figures)")
        #expect(figures.vocals >= figures.inputSNR + 6)
        #expect(figures.background >= -figures.inputSNR + 6)
        #expect(figures.leak <= -8)
    }

    @Test("mono: speech-band attenuation still improves on the mix")
    func mono() throws {
        let figures = try Self.measure(channels: 1, rate: 16000, level: 0.08)
        print("separation mono: \(figures)")
        #expect(figures.vocals >= figures.inputSNR + 2)
        #expect(figures.background >= -figures.inputSNR + 2)
    }

    @Test("the analysis and synthesis on two threads give the same stems, to the bit, as both on one (stereo and mono)")
    func twoThreadsGiveTheSameStems() throws {
        let scratch = try Scratch()
        // Longer than a batch, with a voice in it: the mask, the batches' joins and the tail all count.
        let voice = try Self.voice(rate: 48000)
        for channels in [2, 1] {
            let bed = Self.background(frames: voice.count * 2, rate: 48000, channels: channels, level: 0.1)
            var mixture = bed
            for f in 0..<voice.count { for c in 0..<channels { mixture[(f + voice.count / 2) * channels + c] += voice[f] } }
            let input = scratch.path("mix\(channels).wav")
            let writer = try SoundFileWriter(path: input, format: try SoundFileFormat(container: .wav, encoding: .float32), sampleRate: 48000, channels: channels)
            try writer.write(mixture)
            try writer.close()
            var stems: [[[Float]]] = []
            for twoThreads in [false, true] {
                let (v, b) = (scratch.path("v\(channels)\(twoThreads).wav"), scratch.path("b\(channels)\(twoThreads).wav"))
                _ = try VocalSeparator.separate(input: input, vocals: v, background: b, twoThreads: twoThreads)
                stems.append([try SoundFileReader(path: v).readAll(), try SoundFileReader(path: b).readAll()])
            }
            #expect(stems[0][0].count == mixture.count && stems[0][1].count == mixture.count)
            #expect(stems[0][0].contains { $0 != 0 }, "no vocals were found: the comparison would be empty")
            #expect(stems[0].map { $0.map(\.bitPattern) } == stems[1].map { $0.map(\.bitPattern) }, "\(channels) channel(s): the stems differ")
        }
    }
}
