import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

@Suite("dubctl probe, extract, mux from the shell", .tags(.endToEnd))
struct DubctlCommandTests {
    @Test("probe --json follows the documented shape")
    func probeJSON() async throws {
        let run = try await CommandRunner.run("dubctl", ["probe", Repository.sample("english.mp4"), "--json"])
        #expect(run.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((json["format"] as? String)?.contains("mp4") == true)
        #expect(((json["duration"] as? Double) ?? 0) > 20)
        let streams = try #require(json["streams"] as? [[String: Any]])
        #expect(streams.map { $0["type"] as? String } == ["video", "audio"])
        #expect(streams[1]["codec"] as? String == "aac")
        #expect(streams[1]["language"] as? String == "eng")
        #expect(streams[1]["sample_rate"] as? Int == 44100)
        #expect(streams[1]["channels"] as? Int == 2)
        #expect(streams[0]["width"] as? Int == 320)
    }

    @Test("probe prints a table by default")
    func probeTable() async throws {
        let run = try await CommandRunner.run("dubctl", ["probe", Repository.sample("mono.wav")])
        #expect(run.status == 0)
        #expect(run.stdout.contains("16000 Hz"))
        #expect(run.stdout.contains("pcm_s16le"))
    }

    @Test("extract writes 16 kHz mono FLAC of the right length")
    func extract() async throws {
        let scratch = try Scratch()
        let out = scratch.path("speech.flac")
        let run = try await CommandRunner.run("dubctl", ["extract", Repository.sample("english.mp4"), "-o", out, "--rate", "16000", "--channels", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        let reader = try SoundFileReader(path: out)
        #expect(reader.sampleRate == 16000 && reader.channels == 1)
        let expected = try #require(try MediaInfo.probe(path: Repository.sample("english.mp4")).duration)
        #expect(abs(reader.duration - expected) < 0.05)
        #expect(try !FileManager.default.contentsOfDirectory(atPath: scratch.url.path).contains { $0.contains("partial") })
    }

    @Test("mux adds a tagged track")
    func mux() async throws {
        let scratch = try Scratch()
        let out = scratch.path("dub.mkv")
        let run = try await CommandRunner.run("dubctl", ["mux", Repository.sample("english.mp4"), "--audio", "\(Repository.sample("mono.wav")):es",
                                                   "-o", out, "--keep-original-audio"])
        #expect(run.status == 0, "\(run.stderr)")
        let info = try MediaInfo.probe(path: out)
        #expect(info.audioStreams.map(\.language) == ["spa", "eng"])
    }

    /// A runtime failure: exit 1, one line on stderr naming the file, no crash.
    @Test("bad inputs fail with one clear line and exit 1", arguments: ["missing", "directory", "empty", "text", "video-only"])
    func badInput(kind: String) async throws {
        let scratch = try Scratch()
        let path = scratch.path("input-\(kind).mp4")
        switch kind {
        case "directory": try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        case "empty": FileManager.default.createFile(atPath: path, contents: Data())
        case "text": FileManager.default.createFile(atPath: path, contents: Data(String(repeating: "not media\n", count: 50).utf8))
        case "video-only": try Tool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10", "-t", "1", path])
        default: break
        }
        for arguments in [["extract", path, "-o", scratch.path("out.wav")], ["probe", path]] where !(kind == "video-only" && arguments[0] == "probe") {
            let run = try await CommandRunner.run("dubctl", arguments)
            #expect(run.status == 1, "\(arguments[0]) \(kind): exit \(run.status)")
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 1, "stderr: \(run.stderr)")
            #expect(run.stderr.hasPrefix("dubctl: error: "))
            #expect(run.stderr.contains(path))
            #expect(!FileManager.default.fileExists(atPath: scratch.path("out.wav")))
        }
    }

    @Test("a truncated file is decoded as far as it goes, with a warning and exit 0")
    func truncated() async throws {
        let scratch = try Scratch()
        let full = try Data(contentsOf: URL(fileURLWithPath: Repository.sample("english.mp4")))
        let cut = scratch.path("cut.mp4")
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: cut))
        let run = try await CommandRunner.run("dubctl", ["extract", cut, "-o", scratch.path("out.wav")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("dubctl: warning:"))
        #expect(run.stderr.contains("truncated"))
    }

    @Test("usage errors exit 2", arguments: [
        ["extract", "x.mp4"],
        ["extract", "x.mp4", "-o", "out.wav", "--rate", "0"],
        ["extract", "x.mp4", "-o", "out.mp3"],
        ["extract", "x.mp4", "-o", "out.wav", "--resampler", "fast"],
        ["extract", "x.mp4", "-o", "out.flac", "--sample-format", "f32"],
        ["mux", "x.mp4", "-o", "y.mp4"],
        ["mux", "x.mp4", "--audio", "a.wav:zz", "-o", "y.mp4"],
        ["frobnicate"],
    ])
    func usage(arguments: [String]) async throws {
        let run = try await CommandRunner.run("dubctl", arguments)
        #expect(run.status == 2, "\(arguments): exit \(run.status) \(run.stderr)")
        #expect(!run.stderr.isEmpty)
    }

    @Test("--help of every command explains it with an example",
          arguments: ["probe", "extract", "mux", "dub", "transcribe", "translate", "synthesize", "loudness", "stretch", "mix", "vad", "separate",
                     "lines", "speakers", "stage"])
    func help(command: String) async throws {
        let run = try await CommandRunner.run("dubctl", [command, "--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Example"))
        #expect(run.stdout.contains("dubctl \(command)"))
    }

    @Test("dubd --help lists its options")
    func dubdHelp() async throws {
        let run = try await CommandRunner.run("dubd", ["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("--concurrency") && run.stdout.contains("Example"))
    }
}
