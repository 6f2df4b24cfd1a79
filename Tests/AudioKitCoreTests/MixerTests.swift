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

    @Test("every clip sample is the clip's times its gain and its 8 ms fade ramp: clips whose fade-in, fade-out, or whole length (shorter than its two fades) crosses the mixer's one-second blocks",
          arguments: [1, 2])
    func fadesAndGain(_ channels: Int) throws {
        let scratch = try Scratch()
        let rate = 16000
        let long = try Self.tone(scratch, "long.wav", freq: 330, seconds: 2, amplitude: 0.3, channels: channels, rate: rate)
        let short = try Self.tone(scratch, "short.wav", freq: 1000, seconds: 0.01, amplitude: 0.3, channels: channels, rate: rate)
        // Blocks start every 16000 frames. The first clip lies inside blocks; the short one (160 frames) starts 80 frames
        // before a block; the third's fade-out ends 50 frames into one (it starts at frame 32050); the last's fade-in
        // starts 50 frames before one (frame 79950).
        let clips = [MixClip(path: long, start: 0.3), MixClip(path: short, start: 1.995, gain: -6), MixClip(path: long, start: 2.003125, gain: 3),
                     MixClip(path: long, start: 4.996875, gain: -3)]
        let out = scratch.path("out.wav")
        var settings = MixSettings()
        (settings.sampleRate, settings.channels) = (rate, channels)
        _ = try Mixer.mix(bed: nil, clips: clips, output: out, settings: settings)
        let mixed = try SoundFileReader(path: out).readAll()
        try #require(mixed.count == (79950 + 2 * rate) * channels)
        // What each clip adds, sample by sample: (sample × gain) × ramp, the ramp rising over the first 128 frames and
        // falling over the last 128 (none of it reaches the limiter's ceiling).
        var expected = [Float](repeating: 0, count: mixed.count)
        let fade = 128
        for clip in clips {
            let audio = try SoundFileReader(path: clip.path).readAll()
            let frames = audio.count / channels, start = Int((clip.start * Double(rate)).rounded()), gain = Float(pow(10, clip.gain / 20))
            for local in 0..<frames {
                let edge = min(local + 1, frames - local)
                let ramp: Float = edge >= fade ? 1 : Float(min(1, Double(edge) / Double(fade)))
                for c in 0..<channels { expected[(start + local) * channels + c] += audio[local * channels + c] * gain * ramp }
            }
        }
        let differing = zip(mixed, expected).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) samples differ")
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

    @Test("a surround mix: clips go into the centre only, only the centre is ducked and limited, every other channel comes out as it went in")
    func surroundDialogue() throws {
        let scratch = try Scratch()
        let bed = scratch.path("bed.wav")
        let exprs = [200, 300, 0, 50, 400, 500].map { $0 == 0 ? "0.2*cos(2*PI*150*t)" : "0.3*cos(2*PI*\($0)*t)" }.joined(separator: "|")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "aevalsrc=exprs=\(exprs):s=48000:c=5.1(side):d=3", "-c:a", "pcm_f32le", bed])
        // A clip far over the ceiling: the centre is limited, nothing else moves.
        let clip = try Self.tone(scratch, "clip.wav", freq: 1000, seconds: 1, amplitude: 0.9, channels: 1)
        var settings = MixSettings()
        settings.dialogue = DialoguePlacement()
        let out = scratch.path("out.wav")
        _ = try Mixer.mix(bed: bed, clips: [MixClip(path: clip, start: 1, gain: 6)], output: out, settings: settings)
        let mixed = try SoundFileReader(path: out).readAll(), source = try SoundFileReader(path: bed).readAll()
        #expect(mixed.count == source.count)
        func channel(_ c: Int, _ samples: [Float]) -> [Float] { stride(from: c, to: samples.count, by: 6).map { samples[$0] } }
        for c in [0, 1, 3, 4, 5] {
            let snr = SignalCompare.alignedSNR(reference: channel(c, source), test: channel(c, mixed), channels: 1, maxLag: 0).snr
            #expect(snr >= 60, "channel \(c): SNR \(snr) dB")
        }
        let centre = channel(2, mixed)
        #expect((centre.map(abs).max() ?? 0) <= Float(pow(10, -1.0 / 20)), "the centre is over the ceiling")
        // Under the clip the centre holds it (loud) over the ducked bed; before it, the bed alone.
        #expect(SignalCompare.rms(centre, channels: 1, rate: 48000, from: 1.2, to: 1.8) > 0.5)
        #expect(abs(SignalCompare.rms(centre, channels: 1, rate: 48000, from: 0.1, to: 0.8) - 0.2 / 2.squareRoot()) < 0.01)
    }
}
