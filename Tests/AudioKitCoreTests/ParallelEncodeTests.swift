import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

@Suite("Mux: a long AAC track encoded in stretches on several threads")
struct ParallelEncodeTests {
    static let seconds = 190, rate = 48000

    /// A small video `seconds` long at `path` (tiny frames: the audio is what is compared).
    static func video(seconds: Int, at path: String) throws {
        try Tool.ffmpeg(["-f", "lavfi", "-i", "color=c=navy:s=32x32:r=5:d=\(seconds)", "-c:v", "libx264", "-preset", "ultrafast", path])
    }

    /// The first audio track of `path` decoded by the ffmpeg CLI (which applies the MP4 edit list): sample-aligned, no
    /// lag search.
    static func decoded(_ path: String) throws -> [Float] {
        try Tool.ffmpeg(["-i", path, "-map", "0:a:0", "-c:a", "pcm_f32le", path + ".wav"])
        return try SignalCompare.read(path + ".wav").samples
    }

    /// The coding error against the stereo `original` of `ours` and of ffmpeg's (`theirs`) over a range of frames, and
    /// the original's energy there.
    static func errors(_ frames: Range<Int>, original: [Float], ours: [Float], theirs: [Float]) -> (ours: Double, theirs: Double, signal: Double) {
        var a = 0.0, b = 0.0, s = 0.0
        for i in (frames.lowerBound * 2)..<(min(frames.upperBound, original.count / 2) * 2) {
            let x = Double(original[i]), d = Double(ours[i]) - x, e = Double(theirs[i]) - x
            a += d * d
            b += e * e
            s += x * x
        }
        return (a, b, s)
    }

    static func snr(_ error: Double, _ signal: Double) -> Double { 10 * log10(signal / error) }

    @Test("three stretches decode sample-aligned, coded as well as by ffmpeg's single encoder at each join, in each stretch and overall; one thread is ffmpeg's encoding exactly; no spool file is left")
    func stretchesMatchOneEncoder() async throws {
        // Off Swift's cooperative pool: seconds of encoding would starve the suites that wait on timers.
        let failures = try await OffPool.run { try Self.check() }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("a source half as long as the video: the stretches stay inside its audio, the track is as long as ffmpeg's padded encoding, coded as well, and silent after the source")
    func shortSourcePadsWithSilence() async throws {
        let failures = try await OffPool.run { try Self.checkShortSource() }
        #expect(failures.isEmpty, "\(failures)")
    }

    static func checkShortSource() throws -> [String] {
        var findings = Findings()
        let scratch = try Scratch()
        let source = scratch.path("short.wav"), video = scratch.path("video.mp4"), ours = scratch.path("ours.mp4"), reference = scratch.path("ffmpeg.mp4")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "aevalsrc=0.3*sin(2*PI*(300+150*sin(2*PI*0.1*t))*t)*lt(mod(t\\,0.7)\\,0.35)+0.05*sin(2*PI*2000*t):s=\(rate):d=125",
                         "-ac", "2", "-c:a", "pcm_f32le", source])
        try Self.video(seconds: 250, at: video)
        // Four threads would cut the video's 250 s in four; the source's 125 s make two stretches, the second going on
        // into the silence.
        _ = try Muxer.mux(MuxRequest(videoPath: video, audioTracks: [MuxAudioTrack(path: source)], outputPath: ours, encoderThreads: 4))
        try Tool.ffmpeg(["-i", video, "-i", source, "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-af", "apad=whole_dur=250", "-c:a", "aac", "-b:a", "128k", reference])
        let original = try SignalCompare.read(source).samples, a = try Self.decoded(ours), b = try Self.decoded(reference)
        findings.check(a.count == b.count && a.count >= 250 * rate * 2, "lengths: ours \(a.count), ffmpeg \(b.count) samples")
        let e = Self.errors(0..<(original.count / 2), original: original, ours: a, theirs: b)
        let snrOurs = Self.snr(e.ours, e.signal), snrTheirs = Self.snr(e.theirs, e.signal)
        findings.check(snrOurs >= snrTheirs - 0.2, "SNR against the source: ours \(snrOurs) dB, ffmpeg \(snrTheirs) dB")
        let after = a.dropFirst((125 * rate + rate / 10) * 2).map(abs).max() ?? 1
        findings.check(after < 1e-4, "after the source's end the track is not silent (peak \(after))")
        return findings.failures
    }

    static func check() throws -> [String] {
        var findings = Findings()
        let scratch = try Scratch()
        // Swept tones gated with a hard onset every 0.7 s (which makes the encoder switch to short windows), different in
        // each channel, over pink noise; and a small video as long.
        let source = scratch.path("long.wav"), video = scratch.path("video.mp4")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "aevalsrc=0.3*sin(2*PI*(300+150*sin(2*PI*0.1*t))*t)*lt(mod(t\\,0.7)\\,0.35)|0.25*sin(2*PI*(500+200*sin(2*PI*0.07*t))*t)*lt(mod(t+0.2\\,0.7)\\,0.3):s=\(rate):d=\(seconds)",
                         "-f", "lavfi", "-i", "anoisesrc=c=pink:a=0.02:r=\(rate):d=\(seconds):seed=7",
                         "-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0,aformat=sample_fmts=flt:channel_layouts=stereo", "-c:a", "pcm_f32le", source])
        try Self.video(seconds: seconds, at: video)
        let stretched = scratch.path("stretched.mp4"), single = scratch.path("single.mp4"), reference = scratch.path("ffmpeg.mp4")
        for (output, threads) in [(stretched, 3), (single, 1)] {
            _ = try Muxer.mux(MuxRequest(videoPath: video, audioTracks: [MuxAudioTrack(path: source)], outputPath: output, encoderThreads: threads))
        }
        // The oracle: the ffmpeg CLI's own AAC encoding of the same samples at the same bit rate.
        try Tool.ffmpeg(["-i", video, "-i", source, "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-b:a", "128k", reference])
        let original = try SignalCompare.read(source).samples
        let ours = try Self.decoded(stretched), one = try Self.decoded(single), theirs = try Self.decoded(reference)
        // (Both decode the encoder's last frame whole, past the source's end.)
        findings.check(ours.count == theirs.count && ours.count >= original.count,
                       "lengths: source \(original.count), stretched \(ours.count), ffmpeg \(theirs.count) samples")
        findings.check(one == theirs, "one thread does not decode to exactly ffmpeg's encoding")
        func errors(_ frames: Range<Int>) -> (ours: Double, theirs: Double, signal: Double) {
            Self.errors(frames, original: original, ours: ours, theirs: theirs)
        }
        let snr = Self.snr
        // Where the code puts the joins: a third and two thirds in, on frame boundaries.
        let length = Self.seconds * Self.rate, joins = [length / 3 / 1024 * 1024, length * 2 / 3 / 1024 * 1024]
        // Right at each join, the new stretch's first frames overlap the last ones before it as a single encoder's do.
        for join in joins {
            let near = errors((join - 4096)..<(join + 4096))
            findings.check(near.ours <= 1.5 * near.theirs + 1e-9, "around the join at \(join) the coding error is \(near.ours / near.theirs)x ffmpeg's")
        }
        // Further on, two encoders' adaptive rate control drifts apart (as it would from any other start), so frames
        // differ and a stretch may come out a little better or worse than ffmpeg's (on this signal with other noise seeds:
        // −0.3 to +1.8 dB), but none is coded clearly worse, nor is the whole.
        for (n, range) in zip([0] + joins, joins + [length]).map({ $0..<$1 }).enumerated() {
            let e = errors(range)
            findings.check(snr(e.ours, e.signal) >= snr(e.theirs, e.signal) - 1,
                           "stretch \(n): SNR \(snr(e.ours, e.signal)) dB, ffmpeg's \(snr(e.theirs, e.signal)) dB")
        }
        let whole = errors(0..<length)
        findings.check(snr(whole.ours, whole.signal) >= snr(whole.theirs, whole.signal) - 0.2,
                       "SNR against the source: stretched \(snr(whole.ours, whole.signal)) dB, ffmpeg \(snr(whole.theirs, whole.signal)) dB")
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path(".")).filter { $0.hasSuffix(".packets") }
        findings.check(left.isEmpty, "spool files left: \(left)")
        return findings.failures
    }
}
