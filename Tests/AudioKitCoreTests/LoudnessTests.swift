import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

@Suite("Loudness (EBU R128) against ffmpeg's ebur128 filter", .tags(.reference))
struct LoudnessTests {
    /// ffmpeg's final integrated loudness, loudness range and true peak (dBTP, max over channels).
    static func reference(_ path: String) throws -> (integrated: Double, range: Double, truePeak: Double) {
        let out = try Tool.capture("ffmpeg", ["-nostats", "-hide_banner", "-i", path, "-af",
                                              "ebur128=peak=true:metadata=1,ametadata=print:file=-", "-f", "null", "-"]).stdout
        var values: [String: Double] = [:]
        var peak = 0.0
        for line in out.split(separator: "\n") where line.hasPrefix("lavfi.r128.") {
            let parts = line.dropFirst("lavfi.r128.".count).split(separator: "=")
            guard parts.count == 2, let value = Double(parts[1]) else { continue }
            values[String(parts[0])] = value
            if parts[0].hasPrefix("true_peaks_ch") { peak = max(peak, value) }
        }
        return (values["I"] ?? .nan, values["LRA"] ?? .nan, 20 * log10(peak))
    }

    static func generated(_ name: String, _ filter: String, in scratch: Scratch) throws -> String {
        let path = scratch.path(name)
        try Tool.ffmpeg(["-f", "lavfi", "-i", filter, "-c:a", "pcm_f32le", path])
        return path
    }

    static let signals: [(String, String)] = [
        ("sine-bursts.wav", "aevalsrc=0.5*sin(2*PI*1000*t)*lt(mod(t\\,2)\\,1):s=48000:d=20"),
        ("noise.wav", "anoisesrc=color=pink:amplitude=0.2:sample_rate=44100:duration=20"),
        ("sweep-32k.wav", "aevalsrc=0.3*sin(2*PI*(100+200*t)*t)*(0.5+0.5*sin(2*PI*0.1*t)):s=32000:d=30"),
        ("surround.wav", "anoisesrc=amplitude=0.1:sample_rate=48000:duration=12,pan=5.1|c0=c0|c1=0.5*c0|c2=0.8*c0|c3=c0|c4=0.3*c0|c5=0.6*c0"),
        ("quiet-then-loud.wav", "aevalsrc=(0.02+0.4*gt(t\\,10))*sin(2*PI*440*t):s=48000:d=25"),
    ]

    @Test("integrated loudness, range and true peak within 0.1 of ffmpeg", arguments: 0..<signals.count + 3)
    func matches(_ index: Int) throws {
        let scratch = try Scratch()
        let samples = ["english.mp4", "korean.mp4", "mono.wav"]
        let path = index < Self.signals.count
            ? try Self.generated(Self.signals[index].0, Self.signals[index].1, in: scratch)
            : Repository.sample(samples[index - Self.signals.count])
        let ours = try LoudnessMeter.measure(path: path)
        let ref = try Self.reference(path)
        #expect(abs(ours.integrated - ref.integrated) <= 0.1, "I \(ours.integrated) vs \(ref.integrated)")
        // Loudness alone (no upsampling) is the same loudness, its peak the sample peak.
        let quick = try LoudnessMeter.measure(path: path, truePeak: false)
        #expect(quick.integrated == ours.integrated && quick.range == ours.range && quick.truePeak == ours.samplePeak)
        #expect(abs(ours.truePeak - ref.truePeak) <= 0.1, "TP \(ours.truePeak) vs \(ref.truePeak)")
        #expect(abs(ours.range - ref.range) <= 0.1, "LRA \(ours.range) vs \(ref.range)")
    }

    @Test("the true peak is the same whether the signal comes in one large chunk or in many small ones")
    func chunking() {
        // An inter-sample peak: a sine at a quarter of the rate, phase-shifted so no sample falls on its crest.
        let signal = (0..<48000 * 3).map { Float(0.9 * sin(Double.pi / 2 * Double($0) + Double.pi / 4)) }
        var whole = LoudnessMeter(sampleRate: 48000, channels: 1)
        whole.add(signal)
        var pieces = LoudnessMeter(sampleRate: 48000, channels: 1)
        for start in stride(from: 0, to: signal.count, by: 1000) { pieces.add(Array(signal[start..<min(signal.count, start + 1000)])) }
        let (a, b) = (whole.result(), pieces.result())
        #expect(abs(a.truePeak - b.truePeak) < 0.01 && a.truePeak > a.samplePeak + 2, "\(a) \(b)")
    }

    @Test("each channel's true peak is found whichever thread upsamples it: a peak in any one channel of stereo or 5.1 reads as that channel alone, measured mono",
          arguments: [2, 6])
    func truePeakPerChannel(_ channels: Int) {
        // An inter-sample peak (a sine at a quarter of the rate, no sample on its crest: samples ±0.64 of its crests) in
        // one channel, rising to 0.9 at the very end, so only the last chunk holds the highest crest; the others carry
        // it at half the level.
        let frames = 44100 * 2
        let loud = (0..<frames).map { Float((0.5 + 0.4 * Double($0) / Double(frames - 1)) * sin(Double.pi / 2 * Double($0) + Double.pi / 4)) }
        var mono = TruePeakMeter(sampleRate: 44100, channels: 1)
        mono.add(loud)
        let alone = mono.result()
        #expect(alone > 0.85, "the loud channel's true peak \(alone) is above its sample peak 0.64")
        for channel in 0..<channels {
            var interleaved = [Float](repeating: 0, count: frames * channels)
            for f in 0..<frames {
                for c in 0..<channels { interleaved[f * channels + c] = c == channel ? loud[f] : 0.5 * loud[f] }
            }
            var meter = TruePeakMeter(sampleRate: 44100, channels: channels)
            for start in stride(from: 0, to: interleaved.count, by: 4410 * channels) {
                meter.add(Array(interleaved[start..<min(interleaved.count, start + 4410 * channels)]))
            }
            #expect(meter.result() == alone, "channel \(channel) of \(channels)")
        }
    }

    @Test("a full-scale 997 Hz sine reads −3.01 LUFS, and silence reads −70")
    func calibration() {
        var meter = LoudnessMeter(sampleRate: 48000, channels: 1)
        meter.add((0..<48000 * 5).map { Float(sin(2 * Double.pi * 997 * Double($0) / 48000)) })
        #expect(abs(meter.result().integrated - -3.01) < 0.05)
        var silent = LoudnessMeter(sampleRate: 48000, channels: 2)
        silent.add([Float](repeating: 0, count: 96000))
        #expect(silent.result().integrated == -70)
    }
}
