import AudioKitCore
import DubSupport
import TestSupport
import Testing

@Suite("Audio aligned to the media timeline")
struct TimelineAlignmentTests {
    /// First frame whose magnitude exceeds `threshold`, in seconds.
    private func onset(_ samples: [Float], rate: Int, threshold: Float = 0.03) -> Double? {
        samples.firstIndex { abs($0) > threshold }.map { Double($0) / Double(rate) }
    }

    private func extract(_ path: String, rate: Int = 48000) throws -> [Float] {
        let reader = try AudioReader(path: path, options: AudioReadOptions(sampleRate: rate, channels: 1))
        var all: [Float] = []
        while let chunk = try reader.next() { all += chunk }
        return all
    }

    @Test("an audio stream that starts 1 s after the video gets 1 s of silence first", arguments: ["mp4", "mkv"])
    func lateStart(container: String) throws {
        let scratch = try Scratch()
        let video = scratch.path("v.\(container)")
        let tone = scratch.path("a.wav")
        let late = scratch.path("late.\(container)")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25", "-t", "4", "-c:v", "libx264", video])
        try Tool.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=500:sample_rate=48000", "-t", "2", tone])
        try Tool.ffmpeg(["-i", video, "-itsoffset", "1.0", "-i", tone, "-map", "0:v", "-map", "1:a",
                         "-c:v", "copy", "-c:a", "aac", late])
        let audio = try extract(late)
        let start = try #require(onset(audio, rate: 48000))
        #expect(abs(start - 1.0) < 0.025, "tone begins at \(start) s")
        #expect(SignalCompare.rms(audio, channels: 1, rate: 48000, from: 0, to: 0.95) < 1e-4)
        #expect(SignalCompare.rms(audio, channels: 1, rate: 48000, from: 1.1, to: 2.9) > 0.05)
    }

    @Test("a 1 s timestamp gap becomes 1 s of silence")
    func gap() throws {
        let scratch = try Scratch()
        let path = scratch.path("gap.mkv")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25", "-f", "lavfi", "-i", "sine=frequency=500:sample_rate=48000",
                         "-t", "4", "-c:v", "libx264", "-c:a", "pcm_s16le", "-af", "asetpts=PTS+gte(T\\,2)*1/TB", path])
        let audio = try extract(path)
        #expect(abs(Double(audio.count) / 48000 - 4.0) < 0.03)
        #expect(SignalCompare.rms(audio, channels: 1, rate: 48000, from: 0.1, to: 1.9) > 0.05)
        #expect(SignalCompare.rms(audio, channels: 1, rate: 48000, from: 2.05, to: 2.95) < 1e-4)
        #expect(SignalCompare.rms(audio, channels: 1, rate: 48000, from: 3.05, to: 3.9) > 0.05)
    }

    @Test("memory stays flat: chunks are small whatever the length")
    func chunksAreBounded() throws {
        let scratch = try Scratch()
        let path = scratch.path("long.mkv")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000", "-t", "120", "-ac", "2", "-c:a", "flac", path])
        let reader = try AudioReader(path: path, options: AudioReadOptions(sampleRate: 16000, channels: 1))
        var largest = 0
        var total = 0
        while let chunk = try reader.next() {
            largest = max(largest, chunk.count)
            total += chunk.count
        }
        #expect(total == 120 * 16000)
        #expect(largest <= 16000, "largest chunk \(largest) samples")
    }
}
