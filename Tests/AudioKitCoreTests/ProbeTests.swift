import AudioKitCore
import DubSupport
import TestSupport
import Testing

@Suite("Probe")
struct ProbeTests {
    @Test("the English sample: H.264 320x180 25 fps + AAC stereo 44.1 kHz, English")
    func englishSample() throws {
        let info = try MediaInfo.probe(path: Repository.sample("english.mp4"))
        #expect(info.format.contains("mp4"))
        #expect((20...30).contains(info.duration ?? 0))
        let video = try #require(info.videoStreams.first)
        #expect(video.codec == "h264")
        #expect(video.width == 320 && video.height == 180)
        #expect(abs((video.frameRate ?? 0) - 25) < 0.01)
        let audio = try #require(info.audioStreams.first)
        #expect(audio.codec == "aac")
        #expect(audio.sampleRate == 44100)
        #expect(audio.channels == 2)
        #expect(audio.channelLayout == "stereo")
        #expect(audio.language == "eng")
    }

    @Test("an MP3's cover art is a picture, not video: probe says so, extract keeps the sound as ffmpeg reads it")
    func coverArt() throws {
        let scratch = try Scratch()
        let path = scratch.path("cover.mp3")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=400:sample_rate=44100:duration=2", "-f", "lavfi", "-i", "color=c=red:s=64x64:d=1",
                         "-map", "0", "-map", "1", "-frames:v", "1", "-c:v", "png", "-disposition:v", "attached_pic",
                         "-c:a", "libmp3lame", "-id3v2_version", "3", path])
        let info = try MediaInfo.probe(path: path)
        #expect(info.videoStreams.isEmpty, "\(info.streams)")
        #expect(info.streams.contains { $0.type == .video && $0.coverArt == true })
        let reader = try AudioReader(path: path, options: AudioReadOptions(sampleRate: 16000, channels: 1, resampler: .swr))
        var ours: [Float] = []
        while let chunk = try reader.next() { ours += chunk }
        try Tool.ffmpeg(["-i", path, "-vn", "-af", "aresample=async=1:first_pts=0", "-ac", "1", "-ar", "16000", "-c:a", "pcm_f32le",
                         scratch.path("ref.wav")])
        let ref = try SignalCompare.read(scratch.path("ref.wav")).samples
        #expect(abs(ours.count - ref.count) <= 16)
        #expect(SignalCompare.alignedSNR(reference: ref, test: ours, channels: 1, maxLag: 2).snr >= 40)
    }

    @Test("a 5.1 AC-3 stream reports six channels and its layout")
    func surround() throws {
        let scratch = try Scratch()
        let path = try CorpusCase(encoder: "ac3", container: "mkv", rate: 48000, layout: "5.1").generate(in: scratch)
        let audio = try #require(try MediaInfo.probe(path: path).audioStreams.first)
        #expect(audio.codec == "ac3")
        #expect(audio.channels == 6)
        #expect(audio.channelLayout?.hasPrefix("5.1") == true)
    }

    @Test("bad inputs get a precise error code", arguments: [
        ("missing", MediaError.Code.fileNotFound), ("directory", .notARegularFile), ("empty", .emptyFile), ("text", .notMedia),
    ])
    func badInputs(kind: String, code: MediaError.Code) throws {
        let scratch = try Scratch()
        let path = scratch.path(kind)
        switch kind {
        case "directory": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        case "empty": FileManager.default.createFile(atPath: path, contents: Data())
        case "text": FileManager.default.createFile(atPath: path, contents: Data("hello, this is not a video\n".utf8))
        default: break
        }
        let error = try #require(throws: MediaError.self) { try MediaInfo.probe(path: path) }
        #expect(error.code == code)
        #expect(error.description.contains(path))
    }

    @Test("a video without audio has no audio stream to extract")
    func noAudio() throws {
        let scratch = try Scratch()
        let path = scratch.path("silent.mp4")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10", "-t", "1", path])
        let error = try #require(throws: MediaError.self) { try AudioReader(path: path) }
        #expect(error.code == .noAudioStream)
    }

    @Test("a truncated file decodes what it can, with a warning")
    func truncated() throws {
        let scratch = try Scratch()
        let full = try Data(contentsOf: URL(fileURLWithPath: Repository.sample("english.mp4")))
        let path = scratch.path("cut.mp4")
        try full.prefix(full.count * 6 / 10).write(to: URL(fileURLWithPath: path))
        let reader = try AudioReader(path: path, options: AudioReadOptions(sampleRate: 16000, channels: 1))
        var frames = 0
        while let chunk = try reader.next() { frames += chunk.count }
        #expect(frames > 16000 * 5)
        #expect(!reader.warnings.isEmpty)
    }
}

import Foundation
