@testable import AudioKitCore
import DubSupport
import TestSupport
import Testing

/// A long recording's prints are measured in two halves at once: they must be those of one pass from the start.
@Suite("voice prints in two halves", .tags(.reference))
struct VoiceProfilerSplitTests {
    /// At 48 kHz (the stems' rate) a half starts on a source sample that is a 16 kHz sample, so its frames hold the
    /// samples of one pass up to the resampler's floating-point noise (it filters in blocks, which start elsewhere); at
    /// 22.05 kHz it starts on the source sample nearest the split, a fraction of a 16 kHz sample away, which moves the
    /// prints by measuring noise only (under a thousandth of a cepstral unit: distances between prints move by ten-thousandths,
    /// against the clusterer's threshold of 1.7).
    @Test("the halves split in a pause near the middle, and every line's print is the one a single pass measures",
          arguments: [(48000, 1e-5), (22050, 1e-3)])
    func halvesMatchOnePass(rate: Int, tolerance: Double) async throws {
        let (spans, single, halves, cut) = try await OffPool.run {
            let scratch = try Scratch()
            let (generated, turns) = try SpeakerClusteringTests.dialogue(speakers: 3, seed: 7, in: scratch)
            let path = scratch.path("dialogue.\(rate).wav")
            try Tool.ffmpeg(["-i", generated, "-ar", "\(rate)", "-c:a", "pcm_f32le", path])
            let spans = turns.map { (start: $0.start, end: $0.end) }
            let profiler = VoiceProfiler()
            return (spans, try profiler.profile(path: path, spans: spans, inTwo: false),
                    try profiler.profile(path: path, spans: spans, inTwo: true, minimumSeconds: 0),
                    VoiceProfiler.splitPoint(spans, minimumSeconds: 0))
        }
        let time = Double(try #require(cut, "no pause to split at")) / Double(VoiceProfiler.analysisRate)
        let (first, last) = (spans.map(\.start).min()!, spans.map(\.end).max()!)
        #expect(abs(time - (first + last) / 2) <= (last - first) / 4)
        #expect(spans.allSatisfy { $0.start >= time || $0.end <= time - 0.1 }, "a line within 0.1 s of the split at \(time) s")
        #expect(spans.contains { $0.start >= time } && spans.contains { $0.start < time })
        #expect(halves.count == single.count)
        for (a, b) in zip(single, halves) {
            #expect(a.seconds == b.seconds)
            #expect((a.pitch == nil) == (b.pitch == nil) && abs((a.pitch ?? 0) - (b.pitch ?? 0)) <= tolerance * (a.pitch ?? 1))
            #expect(zip(a.cepstrum, b.cepstrum).allSatisfy { abs($0 - $1) <= tolerance }, "\(a.cepstrum) vs \(b.cepstrum)")
        }
    }

    @Test("no split for short recordings, spans without a pause, or a pause only near an end")
    func splitPointNeedsAPauseInTheMiddle() {
        let steady = (0..<100).map { (start: Double($0), end: Double($0) + 0.95) }
        #expect(VoiceProfiler.splitPoint(steady, minimumSeconds: 60) == nil)
        let paused = (0..<100).map { (start: Double($0), end: Double($0) + 0.7) }
        let cut = try? #require(VoiceProfiler.splitPoint(paused, minimumSeconds: 60))
        #expect(cut.map { $0 % VoiceProfiler.hop == 0 } == true)
        #expect(cut.map { (49.7...50.9).contains(Double($0) / 16000) } == true)
        #expect(VoiceProfiler.splitPoint(paused, minimumSeconds: 120) == nil)
        let nearEnd = (0..<100).map { (start: Double($0), end: Double($0) + ($0 == 95 ? 0.5 : 0.95)) }
        #expect(VoiceProfiler.splitPoint(nearEnd, minimumSeconds: 60) == nil)
    }
}
