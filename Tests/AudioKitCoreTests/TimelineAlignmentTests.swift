import AudioKitCore
import DubSupport
import TestSupport
import Testing

@Suite("Audio aligned to the media timeline", .tags(.reference))
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

    /// Audio that starts before the video (common in MPEG-TS and Matroska): sample 0 is where the
    /// container's timeline starts, as in `ffmpeg -af aresample=async=1:first_pts=0`, so the lead is kept rather than
    /// cut; and a track muxed over that video starts where the source's audio started, so the offset between the
    /// first audio sample and the first video frame is the source's.
    @Test("audio that starts before the video keeps its lead, and a muxed track keeps the source's offset to the video",
          arguments: ["mkv", "ts"])
    func earlyStart(container: String) throws {
        let scratch = try Scratch()
        let source = scratch.path("early.\(container)")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=500:sample_rate=48000:duration=3",
                         "-itsoffset", "0.5", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25:duration=3",
                         "-map", "1:v", "-map", "0:a", "-c:v", "libx264", "-c:a", container == "ts" ? "mp2" : "aac", source])
        let info = try MediaInfo.probe(path: source)
        let videoStart = try #require(info.videoStreams.first?.startTime), audioStart = try #require(info.audioStreams.first?.startTime)
        #expect(videoStart - audioStart > 0.45, "the source's audio leads by \(videoStart - audioStart) s")

        let audio = try extract(source)
        let start = try #require(onset(audio, rate: 48000))
        #expect(start < 0.1, "the tone begins at \(start) s: the lead before the video was cut")
        let reference = scratch.path("ref.wav")
        try Tool.ffmpeg(["-i", source, "-vn", "-af", "aresample=async=1:first_pts=0", "-ac", "1", "-c:a", "pcm_f32le", reference])
        let ref = try SignalCompare.read(reference).samples
        #expect(abs(ref.count - audio.count) <= 48, "\(audio.count) samples against ffmpeg's \(ref.count)")
        #expect(abs((onset(ref, rate: 48000) ?? -1) - start) < 0.001)

        let dub = scratch.path("dub.wav")
        try SignalCompare.write(audio, to: dub, rate: 48000, channels: 1)
        let output = scratch.path("out.\(container == "ts" ? "mkv" : container)")
        _ = try Muxer.mux(MuxRequest(videoPath: source, audioTracks: [MuxAudioTrack(path: dub)], outputPath: output))
        let out = try MediaInfo.probe(path: output)
        let offset = try #require(out.videoStreams.first?.startTime) - (try #require(out.audioStreams.first?.startTime))
        #expect(abs(offset - (videoStart - audioStart)) < 0.03, "the dub leads the video by \(offset) s, the source's audio by \(videoStart - audioStart) s")
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
