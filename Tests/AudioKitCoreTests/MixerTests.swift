import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

@Suite("Mixer")
struct MixerTests {
    /// A cosine tone (its first sample is non-zero, so onsets are exact).
    static func tone(_ scratch: Scratch, _ name: String, freq: Double, seconds: Double, amplitude: Double = 0.25, channels: Int = 2,
                     rate: Int = 48000) throws -> String {
        let path = scratch.path(name)
        try Tool.ffmpeg(["-f", "lavfi", "-i", "aevalsrc=\(amplitude)*cos(2*PI*\(freq)*t):s=\(rate):d=\(seconds)", "-ac", "\(channels)",
                         "-c:a", "pcm_f32le", path])
        return path
    }

    @Test("clips land at their sample-accurate offsets with gain; length covers bed and clips")
    func placement() throws {
        let scratch = try Scratch()
        let clip = try Self.tone(scratch, "clip.wav", freq: 1000, seconds: 0.5, amplitude: 0.5, channels: 1, rate: 16000)
        let out = scratch.path("out.wav")
        let report = try Mixer.mix(bed: nil, clips: [MixClip(path: clip, start: 0.25, gain: -6), MixClip(path: clip, start: 1.0)],
                                   output: out, settings: { var s = MixSettings(); s.sampleRate = 16000; s.channels = 1; return s }())
        let mixed = try SoundFileReader(path: out).readAll()
        #expect(mixed.count == 24000)
        #expect(report.clips == 2)
        let first = mixed.firstIndex { abs($0) > 1e-6 }!
        #expect(first == 4000)
        #expect(SignalCompare.rms(mixed, channels: 1, rate: 16000, from: 0.3, to: 0.7) / SignalCompare.rms(mixed, channels: 1, rate: 16000, from: 1.05, to: 1.45) < 0.52)
        #expect(SignalCompare.rms(mixed, channels: 1, rate: 16000, from: 0.8, to: 0.95) < 1e-6)
    }

    @Test("the bed is ducked by the requested depth under a clip and comes back after")
    func ducking() throws {
        let scratch = try Scratch()
        let bed = try Self.tone(scratch, "bed.wav", freq: 200, seconds: 6)
        let clip = try Self.tone(scratch, "clip.wav", freq: 1000, seconds: 1)
        let out = scratch.path("out.wav")
        var settings = MixSettings()
        settings.duckDepth = 10
        _ = try Mixer.mix(bed: bed, clips: [MixClip(path: clip, start: 2, gain: -120)], output: out, settings: settings)
        let mixed = try SoundFileReader(path: out).readAll()
        let open = SignalCompare.rms(mixed, channels: 2, rate: 48000, from: 0.5, to: 1.5)
        let ducked = SignalCompare.rms(mixed, channels: 2, rate: 48000, from: 2.05, to: 2.95)
        let after = SignalCompare.rms(mixed, channels: 2, rate: 48000, from: 4, to: 5.5)
        #expect(abs(20 * log10(ducked / open) - -10) < 0.2)
        #expect(abs(20 * log10(after / open)) < 0.1)
    }

    @Test("loudness target and match, true peak kept under the ceiling", arguments: ["-16", "-23", "match"])
    func loudness(target: String) throws {
        let scratch = try Scratch()
        let bed = Repository.sample("english.mp4")
        let clip = try Self.tone(scratch, "clip.wav", freq: 700, seconds: 2, amplitude: 0.9)
        let out = scratch.path("out.wav")
        var settings = MixSettings()
        settings.loudness = target == "match" ? .match(Repository.sample("mono.wav")) : try LoudnessTarget(argument: target)
        let report = try Mixer.mix(bed: bed, clips: [MixClip(path: clip, start: 3, gain: 6)], output: out, settings: settings)
        let wanted = target == "match" ? try LoudnessMeter.measure(path: Repository.sample("mono.wav")).integrated : Double(target)!
        let measured = try LoudnessMeter.measure(path: out)
        #expect(abs(measured.integrated - wanted) < 0.5, "\(measured.integrated) vs \(wanted)")
        #expect(measured.truePeak <= -1.0 + 0.05, "true peak \(measured.truePeak)")
        #expect(abs(report.loudnessAfter - measured.integrated) < 0.05)
    }

    @Test("clip and loudness arguments parse; bad ones are refused")
    func arguments() throws {
        let clip = try MixClip(argument: "/tmp/a@b.wav@12.5:-3")
        #expect(clip.path == "/tmp/a@b.wav" && clip.start == 12.5 && clip.gain == -3)
        #expect(throws: MediaError.self) { try MixClip(argument: "line.wav") }
        #expect(throws: MediaError.self) { try LoudnessTarget(argument: "loud") }
        #expect(try LoudnessTarget(argument: "match:x.mp4") == .match("x.mp4"))
    }
}
