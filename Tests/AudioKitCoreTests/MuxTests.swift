import AudioKitCore
import DubSupport
import TestSupport
import Testing

@Suite("Mux: copied video, new audio tracks")
struct MuxTests {
    /// Per-packet MD5s of a file's video stream, from the ffmpeg CLI (stream copy, no decoding).
    private func videoPacketHashes(_ path: String) throws -> [String] {
        let out = try Tool.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", path, "-map", "0:v", "-c", "copy", "-f", "framemd5", "-"])
        return out.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.split(separator: ",").last!).trimmingSpaces }
    }

    private func tone(_ scratch: Scratch, seconds: Double, rate: Int = 48000, name: String = "tone.wav") throws -> String {
        let path = scratch.path(name)
        try Tool.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=700:sample_rate=\(rate)", "-t", "\(seconds)", "-ac", "2", path])
        return path
    }

    /// Video whose frames are 40 ms apart, then jump half a second (variable frame rate). A muxer may move every
    /// stream by the same amount (to keep time stamps from going negative); what must hold is each frame's time
    /// relative to the others and to the audio.
    @Test("variable frame rate: the frames keep their times, and the new track lines up with the source's audio",
          arguments: ["mkv", "mp4"])
    func variableFrameRate(container: String) throws {
        let scratch = try Scratch()
        let input = scratch.path("vfr.\(container)")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25:duration=3",
                         "-f", "lavfi", "-i", "aevalsrc=0.3*sin(2*PI*300*t)*(0.5+0.5*sin(2*PI*3*t))+0.2*sin(2*PI*1234*t*t):s=48000:d=3.5",
                         "-vf", "setpts=PTS+0.5*gte(T\\,1)/TB", "-fps_mode", "vfr", "-c:v", "libx264", "-c:a", "aac", input])
        func videoTimes(_ path: String) throws -> [Double] {
            try Tool.run("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time", "-of", "csv=p=0", path])
                .split(separator: "\n").compactMap { Double($0) }.sorted()
        }
        let before = try videoTimes(input)
        #expect(before.count == 75 && zip(before, before.dropFirst()).contains { $1 - $0 > 0.4 }, "not a variable frame rate: \(before.prefix(30))")
        // The dub track: the source's own audio, decoded on the timeline.
        let dub = scratch.path("dub.wav")
        try SignalCompare.decode(input, to: dub)
        let out = scratch.path("out.\(container)")
        _ = try Muxer.mux(MuxRequest(videoPath: input, audioTracks: [MuxAudioTrack(path: dub)], outputPath: out, keepOriginalAudio: true))
        let after = try videoTimes(out)
        #expect(after.count == before.count)
        let moved = zip(before, after).map { $1 - $0 }
        #expect(moved.allSatisfy { abs($0 - moved[0]) < 0.002 }, "frames moved unevenly: \(moved.prefix(40))")
        // Decoded from the output on its timeline: the new track and the source's own (copied, so moved with the video)
        // line up within the container's time stamp precision (1 ms in Matroska).
        for (track, name) in [(0, "new.wav"), (1, "old.wav")] {
            try Tool.ffmpeg(["-i", out, "-map", "0:a:\(track)", "-af", "aresample=async=1:first_pts=0", "-ac", "1", "-c:a", "pcm_f32le", scratch.path(name)])
        }
        let new = try SignalCompare.read(scratch.path("new.wav")).samples, old = try SignalCompare.read(scratch.path("old.wav")).samples
        let (snr, lag) = SignalCompare.alignedSNR(reference: Array(old.prefix(144_000)), test: Array(new.prefix(144_000)), channels: 1, maxLag: 48)
        #expect(snr >= 20, "the new track is not the source's audio within 1 ms (SNR \(snr) dB at lag \(lag))")
    }

    @Test("mp4: video bit-identical, new AAC track first and default with its language, duration kept")
    func mp4RoundTrip() throws {
        let scratch = try Scratch()
        let input = Repository.sample("english.mp4")
        let out = scratch.path("out.mp4")
        let dub = try tone(scratch, seconds: 20)
        let result = try Muxer.mux(MuxRequest(videoPath: input, audioTracks: [MuxAudioTrack(path: dub, language: try Language("es"))],
                                              outputPath: out, keepOriginalAudio: true))
        let source = try MediaInfo.probe(path: input)
        let info = try MediaInfo.probe(path: out)
        #expect(info.streams.map(\.type) == [.video, .audio, .audio])
        let new = info.streams[1]
        #expect(new.codec == "aac")
        #expect(new.language == "spa")
        #expect(new.isDefault)
        #expect(info.streams[2].language == "eng")
        #expect(!info.streams[2].isDefault)
        let videoDuration = try #require(source.videoStreams.first?.duration)
        #expect(abs(try #require(new.duration) - videoDuration) < 0.05, "new track lasts \(new.duration ?? 0) s, video \(videoDuration) s")
        #expect(abs(result.duration - (source.duration ?? 0)) < 0.05)
        #expect(try videoPacketHashes(out) == videoPacketHashes(input))
        // Fast start: the index comes before the media data.
        #expect(try MovieBoxes.topLevel(out).prefix(2) == ["ftyp", "moov"])
        // The new track carries the tone, then silence after the 20 s it lasts.
        let reader = try AudioReader(path: out, options: AudioReadOptions(streamIndex: 1, sampleRate: 16000, channels: 1))
        var audio: [Float] = []
        while let chunk = try reader.next() { audio += chunk }
        #expect(SignalCompare.rms(audio, channels: 1, rate: 16000, from: 1, to: 19) > 0.05)
        #expect(SignalCompare.rms(audio, channels: 1, rate: 16000, from: 20.5, to: 26) < 1e-3)
    }

    @Test("mkv with two new tracks: both tagged, only the first default, longer audio cut to the video")
    func mkvTwoTracks() throws {
        let scratch = try Scratch()
        let input = Repository.sample("two-speakers.mp4")
        let out = scratch.path("out.mkv")
        let long = try tone(scratch, seconds: 30, rate: 44100, name: "long.wav")
        let short = try tone(scratch, seconds: 3, name: "short.wav")
        _ = try Muxer.mux(MuxRequest(videoPath: input, audioTracks: [
            try MuxAudioTrack(argument: "\(long):fr"), try MuxAudioTrack(argument: "\(short):ko"),
        ], outputPath: out))
        let info = try MediaInfo.probe(path: out)
        #expect(info.audioStreams.map(\.language) == ["fre", "kor"])
        #expect(info.audioStreams.map(\.isDefault) == [true, false])
        #expect(info.audioStreams.allSatisfy { $0.codec == "aac" })
        let source = try MediaInfo.probe(path: input)
        #expect(abs((info.duration ?? 0) - (source.videoStreams[0].duration ?? 0)) < 0.1)
        #expect(try videoPacketHashes(out) == videoPacketHashes(input))
    }

    @Test("webm gets Opus; H.264 cannot go into webm and says so")
    func webm() throws {
        let scratch = try Scratch()
        let vp9 = scratch.path("in.webm")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10", "-t", "3", "-c:v", "libvpx-vp9", "-b:v", "100k", vp9])
        let dub = try tone(scratch, seconds: 3)
        let out = scratch.path("out.webm")
        _ = try Muxer.mux(MuxRequest(videoPath: vp9, audioTracks: [MuxAudioTrack(path: dub, language: try Language("de"))], outputPath: out))
        let info = try MediaInfo.probe(path: out)
        #expect(info.audioStreams.first?.codec == "opus")
        #expect(info.audioStreams.first?.language == "ger")
        #expect(try videoPacketHashes(out) == videoPacketHashes(vp9))

        let bad = scratch.path("bad.webm")
        let error = try #require(throws: MediaError.self) {
            try Muxer.mux(MuxRequest(videoPath: Repository.sample("english.mp4"), audioTracks: [MuxAudioTrack(path: dub)], outputPath: bad))
        }
        #expect(error.code == .unsupported)
        #expect(error.description.contains("h264"))
        #expect(!FileManager.default.fileExists(atPath: bad))
    }

    @Test("webm keeps 5.1 in Opus (libopus multistream): six channels, each with its own source channel's tone")
    func webmSurround() throws {
        let scratch = try Scratch()
        let vp9 = scratch.path("in.webm")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10", "-t", "3", "-c:v", "libvpx-vp9", "-b:v", "100k", vp9])
        // FL FR FC LFE SL SR, each a tone of its own.
        let tones = [300.0, 500.0, 700.0, 60.0, 1100.0, 1300.0]
        let surround = scratch.path("surround.wav")
        try Tool.ffmpeg(["-filter_complex", tones.enumerated().map { "sine=f=\(Int($1)):r=48000:d=3[c\($0)]" }.joined(separator: ";")
                         + ";" + (0..<6).map { "[c\($0)]" }.joined()
                         + "join=inputs=6:channel_layout=5.1(side):map=0.0-FL|1.0-FR|2.0-FC|3.0-LFE|4.0-SL|5.0-SR[a]",
                         "-map", "[a]", "-c:a", "pcm_f32le", surround])
        let out = scratch.path("out.webm")
        _ = try Muxer.mux(MuxRequest(videoPath: vp9, audioTracks: [MuxAudioTrack(path: surround)], outputPath: out))
        let stream = try #require(try MediaInfo.probe(path: out).audioStreams.first)
        #expect(stream.codec == "opus" && stream.channels == 6, "\(stream)")
        // Decoded by the ffmpeg CLI back to the source's layout: every channel's energy is at its own tone.
        let decoded = scratch.path("decoded.wav")
        try Tool.ffmpeg(["-i", out, "-af", "aformat=channel_layouts=5.1(side)", "-c:a", "pcm_f32le", decoded])
        let (samples, _, channels) = try SignalCompare.read(decoded)
        try #require(channels == 6)
        for (channel, tone) in tones.enumerated() {
            let own = Self.power(samples, channel: channel, channels: 6, frequency: tone)
            for (other, otherTone) in tones.enumerated() where other != channel {
                let leak = Self.power(samples, channel: channel, channels: 6, frequency: otherTone)
                #expect(own > leak * 100, "channel \(channel): \(otherTone) Hz at \(leak) against its own \(tone) Hz at \(own)")
            }
        }
        // Four channels have no Vorbis layout that is FFmpeg's 4.0: they go down to stereo.
        let quad = scratch.path("quad.wav")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "sine=f=400:r=48000:d=3", "-af", "pan=4.0|c0=c0|c1=c0|c2=c0|c3=c0", "-c:a", "pcm_f32le", quad])
        let stereo = scratch.path("quad.webm")
        _ = try Muxer.mux(MuxRequest(videoPath: vp9, audioTracks: [MuxAudioTrack(path: quad)], outputPath: stereo))
        #expect(try MediaInfo.probe(path: stereo).audioStreams.first?.channels == 2)
    }

    /// The power of one frequency in one channel of interleaved samples (Goertzel, over the middle second).
    private static func power(_ samples: [Float], channel: Int, channels: Int, frequency: Double, rate: Double = 48000) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / rate)
        var (s1, s2) = (0.0, 0.0)
        for frame in 48000..<96000 {
            let s0 = Double(samples[frame * channels + channel]) + coefficient * s1 - s2
            (s2, s1) = (s1, s0)
        }
        return s1 * s1 + s2 * s2 - coefficient * s1 * s2
    }

    @Test("--keep-subtitles copies subtitle streams; without it they are dropped")
    func subtitles() throws {
        let scratch = try Scratch()
        let withSubs = scratch.path("subs.mkv")
        try Tool.ffmpeg(["-i", Repository.sample("english.mp4"), "-i", Repository.sample("english.es.srt"),
                         "-map", "0", "-map", "1", "-c", "copy", "-c:s", "srt", "-metadata:s:s:0", "language=spa", withSubs])
        let dub = try tone(scratch, seconds: 5)
        let kept = scratch.path("kept.mkv")
        _ = try Muxer.mux(MuxRequest(videoPath: withSubs, audioTracks: [MuxAudioTrack(path: dub)], outputPath: kept, keepSubtitles: true))
        let info = try MediaInfo.probe(path: kept)
        #expect(info.streams.map(\.type) == [.video, .audio, .subtitle])
        #expect(info.streams[2].language == "spa")
        let dropped = scratch.path("dropped.mkv")
        _ = try Muxer.mux(MuxRequest(videoPath: withSubs, audioTracks: [MuxAudioTrack(path: dub)], outputPath: dropped))
        #expect(try MediaInfo.probe(path: dropped).streams.map(\.type) == [.video, .audio])
    }

    @Test("subtitle files become soft tracks in each container's text codec, at their times",
          arguments: [("mp4", "mov_text"), ("mkv", "subrip"), ("webm", "webvtt")])
    func newSubtitles(container: String, codec: String) throws {
        let scratch = try Scratch()
        var video = Repository.sample("english.mp4")
        if container == "webm" {
            video = scratch.path("in.webm")
            try Tool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10", "-t", "27", "-c:v", "libvpx-vp9", "-b:v", "50k", video])
        }
        let out = scratch.path("out.\(container)")
        let dub = try tone(scratch, seconds: 5)
        _ = try Muxer.mux(MuxRequest(videoPath: video, audioTracks: [MuxAudioTrack(path: dub)], outputPath: out,
                                     subtitleTracks: [try MuxSubtitleTrack(argument: "\(Repository.sample("english.es.srt")):es")]))
        let info = try MediaInfo.probe(path: out)
        let sub = try #require(info.streams.first { $0.type == .subtitle })
        #expect(sub.codec == codec)
        #expect(sub.language == "spa")
        let back = try Tool.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", out, "-map", "0:s", "-f", "srt", "-"])
        let original = try String(contentsOfFile: Repository.sample("english.es.srt"), encoding: .utf8)
        // Containers that cannot store negative timestamps shift every stream by the audio priming;
        // cues must stay where they were relative to the video.
        // (The ffmpeg CLI writes the cues relative to the file's start.)
        let videoStart = (info.videoStreams.first?.startTime ?? 0) - (info.startTime ?? 0)
        let gotCues = try SubtitleTimes.parse(back).map { ($0 - videoStart, $1 - videoStart) }
        let wantCues = try SubtitleTimes.parse(original)
        #expect(gotCues.count == wantCues.count)
        for (got, want) in zip(gotCues, wantCues) {
            #expect(abs(got.0 - want.0) < 0.002 && abs(got.1 - want.1) < 0.002, "cue \(got) vs \(want)")
        }
        #expect(back.contains("Bienvenidos a la demostración"))
    }

    @Test("language codes: two and three letters, unknown rejected")
    func languages() throws {
        #expect(try Language("es").alpha3 == "spa")
        #expect(try Language("deu").alpha3 == "ger")
        #expect(try Language("KO").alpha3 == "kor")
        let unknown = "xx" // a variable: `Language("xx")` would be a literal coercion in the tests (see TestSupport)
        #expect(throws: MediaError.self) { try Language(unknown) }
        let track = try MuxAudioTrack(argument: "/tmp/a:b/dub.wav:es")
        #expect(track.path == "/tmp/a:b/dub.wav")
        #expect(track.language?.alpha3 == "spa")
        #expect(try MuxAudioTrack(argument: "dub.wav").language == nil)
    }
}

import Foundation

/// Start and end seconds of every SRT cue.
enum SubtitleTimes {
    static func parse(_ srt: String) throws -> [(Double, Double)] {
        srt.split(separator: "\n").filter { $0.contains("-->") }.map { line in
            let parts = line.components(separatedBy: " --> ").map { stamp -> Double in
                let f = stamp.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".").split(separator: ":")
                return Double(f[0])! * 3600 + Double(f[1])! * 60 + Double(f[2])!
            }
            return (parts[0], parts[1])
        }
    }
}

extension String {
    var trimmingSpaces: String { trimmingCharacters(in: .whitespaces) }
}
