import Foundation
import TestSupport
import Testing

/// Careless and hostile inputs, each with what must happen: a clear error and its exit code, or a correct result.
/// Paths in `arguments` starting with `@/` are inside the case's own folder, which holds `in/talk.mp4` (the English
/// sample), `in/talk.es.srt` (its Spanish subtitles) and `in/tone.wav` (a 2 s tone) before `setup` adds its files.
struct BadInput: Sendable, CustomTestStringConvertible {
    let name: String
    let arguments: [String]
    /// 0 for a correct result, 1 for a runtime failure, 2 for a usage error.
    let exit: Int32
    /// Words the error (or, on success, a warning) must contain.
    let message: String
    /// Files the command may create, relative to the case folder (prefixes: a folder and everything under it).
    var outputs: [String] = []
    /// How long the command may take at most, when speed is the point (an error that must not be retried for long).
    var maxSeconds: Double?
    /// Whether `jobs submit` takes the same arguments (a dub), so the case also runs through the queue and dubd.
    var isDub: Bool { arguments.first == "dub" }
    var setup: @Sendable (String) throws -> Void = { _ in }

    var testDescription: String { name }

    /// The case's arguments with `@/` resolved against `root`.
    func resolved(in root: String) -> [String] {
        arguments.map { $0.hasPrefix("@/") ? root + "/" + $0.dropFirst(2) : $0 }
    }

    /// A case folder with the standard inputs and the case's own files.
    func prepare() throws -> Scratch {
        let scratch = try Scratch()
        let root = scratch.url.path
        try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Repository.sample("english.mp4"), toPath: root + "/in/talk.mp4")
        try FileManager.default.copyItem(atPath: Repository.sample("english.es.srt"), toPath: root + "/in/talk.es.srt")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "sine=f=440:r=48000:d=2", root + "/in/tone.wav"])
        try setup(root)
        return scratch
    }

    static let dub = ["dub", "@/in/talk.mp4", "--to", "es", "--tts", "espeak", "--separation", "none"]

    static func write(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static let corpus: [BadInput] = [
        // Work folders, outputs and inputs.
        BadInput(name: "--work names a user's non-empty folder", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4", "--work", "@/mine"],
                 exit: 1, message: "not a dub work folder", setup: { root in
                     try write("my thesis", root + "/mine/thesis.docx")
                     try write("draft", root + "/mine/drafts/deep/thesis.docx.partial")
                 }),
        BadInput(name: "the sidecar subtitles would overwrite the input subtitles",
                 arguments: dub + ["--subtitles", "@/side/talk.es.srt", "-o", "@/side/talk.mp4"], exit: 1, message: "would overwrite",
                 setup: { root in try FileManager.default.createDirectory(atPath: root + "/side", withIntermediateDirectories: true)
                     try FileManager.default.copyItem(atPath: root + "/in/talk.es.srt", toPath: root + "/side/talk.es.srt") }),
        BadInput(name: "the output is the input video", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/in/talk.mp4"],
                 exit: 1, message: "would overwrite"),
        BadInput(name: "the output is a symbolic link to the input", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/link.mp4"],
                 exit: 1, message: "would overwrite", setup: { root in
                     try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
                     try FileManager.default.createSymbolicLink(atPath: root + "/out/link.mp4", withDestinationPath: root + "/in/talk.mp4")
                 }),
        // Subtitles.
        BadInput(name: "a cue at 10:00:00 on a 26 s video", arguments: dub + ["--subtitles", "@/in/far.srt", "-o", "@/out/talk.mp4"],
                 exit: 1, message: "after the media ends", setup: { root in
                     try write("1\n00:00:01,000 --> 00:00:02,000\nHola.\n\n2\n10:00:00,000 --> 10:00:02,000\nAdiós.\n", root + "/in/far.srt")
                 }),
        BadInput(name: "/dev/zero as subtitles", arguments: dub + ["--subtitles", "@/in/zero.srt", "-o", "@/out/talk.mp4"],
                 exit: 1, message: "not a regular file", setup: { root in
                     try FileManager.default.createSymbolicLink(atPath: root + "/in/zero.srt", withDestinationPath: "/dev/zero")
                 }),
        BadInput(name: "a FIFO as subtitles", arguments: dub + ["--subtitles", "@/in/pipe.srt", "-o", "@/out/talk.mp4"],
                 exit: 1, message: "not a regular file", setup: { root in _ = mkfifo(root + "/in/pipe.srt", 0o600) }),
        BadInput(name: "a binary file as subtitles", arguments: dub + ["--subtitles", "@/in/binary.srt", "-o", "@/out/talk.mp4"],
                 exit: 1, message: "binary, not text", setup: { root in
                     var bytes = [UInt8](repeating: 0, count: 1 << 20)
                     for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
                     try Data(bytes).write(to: URL(fileURLWithPath: root + "/in/binary.srt"))
                 }),
        BadInput(name: "a 20 MB file as subtitles", arguments: dub + ["--subtitles", "@/in/huge.srt", "-o", "@/out/talk.mp4"],
                 exit: 1, message: "too large", setup: { root in
                     try Data(repeating: 0x41, count: 20 << 20).write(to: URL(fileURLWithPath: root + "/in/huge.srt"))
                 }),
        BadInput(name: "one cue of 5,000 words", arguments: dub + ["--subtitles", "@/in/long.srt", "-o", "@/out/talk.mp4"],
                 exit: 1, message: "split it", setup: { root in
                     try write("1\n00:00:01,000 --> 00:00:05,000\n" + String(repeating: "palabra ", count: 5000) + "\n", root + "/in/long.srt")
                 }),
        BadInput(name: "100,000 cues on a 26 s video", arguments: dub + ["--subtitles", "@/in/many.srt", "-o", "@/out/talk.mp4"],
                 exit: 1, message: "lines for", setup: { root in
                     var text = ""
                     for i in 0..<100_000 {
                         let ms = i / 5
                         text += "\(i + 1)\n00:00:\(String(format: "%02d,%03d", ms / 1000, ms % 1000)) --> 00:00:\(String(format: "%02d,%03d", ms / 1000, ms % 1000))\nsí\n\n"
                     }
                     try write(text, root + "/in/many.srt")
                 }),
        BadInput(name: "a malformed cue", arguments: dub + ["--subtitles", "@/in/bad.srt", "-o", "@/out/talk.mp4"], exit: 1, message: "line 6",
                 setup: { root in try write("1\n00:00:01,000 --> 00:00:02,000\nHola\n\n2\n00:00:0x --> 00:00:03,000\nAdiós\n", root + "/in/bad.srt") }),
        // Settings.
        BadInput(name: "--to ''", arguments: ["dub", "@/in/talk.mp4", "--to", "", "--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4"],
                 exit: 2, message: "no language given"),
        BadInput(name: "--to xx", arguments: ["dub", "@/in/talk.mp4", "--to", "xx", "--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4"],
                 exit: 2, message: "unknown language code 'xx'"),
        BadInput(name: "--budget nan", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4", "--budget", "nan"],
                 exit: 2, message: "--budget"),
        BadInput(name: "--budget -1", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4", "--budget", "-1"],
                 exit: 2, message: "--budget"),
        BadInput(name: "--max-speed 0", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4", "--max-speed", "0"],
                 exit: 2, message: "--max-speed"),
        BadInput(name: "--layout diagonal", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4", "--layout", "diagonal"],
                 exit: 2, message: "--layout must be source or stereo"),
        BadInput(name: "--centre-spread 2", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4", "--centre-spread", "2"],
                 exit: 2, message: "--centre-spread must be between 0 and 0.5"),
        BadInput(name: "--stream naming the video stream", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4", "--stream", "0"],
                 exit: 1, message: "--stream 0 is not an audio stream"),
        BadInput(name: "--audio-codec ac3 into .webm", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.webm", "--audio-codec", "ac3"],
                 exit: 2, message: "holds Opus audio only"),
        BadInput(name: "--audio-codec mp3", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4", "--audio-codec", "mp3"],
                 exit: 2, message: "--audio-codec must be aac, ac3, eac3"),
        BadInput(name: "--tts nonsense", arguments: ["dub", "@/in/talk.mp4", "--to", "es", "--tts", "nonsense", "--subtitles", "@/in/talk.es.srt",
                                                     "-o", "@/out/talk.mp4"], exit: 2, message: "--tts must be one of"),
        BadInput(name: "a missing input", arguments: ["dub", "@/in/missing.mp4", "--to", "es", "--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4"],
                 exit: 1, message: "no such file"),
        BadInput(name: "an output that is not a video container", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.txt"],
                 exit: 2, message: "-o must end in"),
        BadInput(name: "a credentials file as the glossary", arguments: dub + ["--source-subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4",
                                                                               "--glossary", "@/in/providers.env"],
                 exit: 1, message: "credentials", setup: { root in try write("OPENAI_API_KEY=sk-live-do-not-send\n", root + "/in/providers.env") }),
        BadInput(name: "/dev/zero as the voice map", arguments: dub + ["--subtitles", "@/in/talk.es.srt", "-o", "@/out/talk.mp4", "--voice-map", "/dev/zero"],
                 exit: 1, message: "not a regular file"),
        // The media tools never overwrite what they read.
        BadInput(name: "extract onto its input", arguments: ["extract", "@/in/tone.wav", "-o", "@/in/tone.wav"], exit: 1, message: "would overwrite"),
        BadInput(name: "stretch onto its input", arguments: ["stretch", "@/in/tone.wav", "-o", "@/in/tone.wav", "--factor", "1.1"], exit: 1,
                 message: "would overwrite"),
        BadInput(name: "mix onto its bed", arguments: ["mix", "--bed", "@/in/tone.wav", "--clip", "@/in/tone.wav@0.5", "-o", "@/in/tone.wav"], exit: 1,
                 message: "would overwrite"),
        BadInput(name: "separate onto its input", arguments: ["separate", "@/in/tone.wav", "--vocals", "@/in/tone.wav", "--background", "@/out/b.wav"],
                 exit: 1, message: "would overwrite"),
        BadInput(name: "separate into one file twice", arguments: ["separate", "@/in/tone.wav", "--vocals", "@/out/a.wav", "--background", "@/out/a.wav"],
                 exit: 1, message: "are the same file"),
        BadInput(name: "mux onto its input", arguments: ["mux", "@/in/talk.mp4", "--audio", "@/in/tone.wav:es", "-o", "@/in/talk.mp4"], exit: 1,
                 message: "would overwrite"),
        BadInput(name: "mux of an audio-only input", arguments: ["mux", "@/in/tone.wav", "--audio", "@/in/tone.wav:es", "-o", "@/out/x.mp4"],
                 exit: 1, message: "no video stream"),
        BadInput(name: "mux --audio FILE:klingonese (a word that is not a language)",
                 arguments: ["mux", "@/in/talk.mp4", "--audio", "@/in/tone.wav:klingonese", "-o", "@/out/x.mp4"],
                 exit: 2, message: "unknown language code 'klingonese'"),
        BadInput(name: "mix with a clip at infinity", arguments: ["mix", "--clip", "@/in/tone.wav@inf", "-o", "@/out/m.wav"], exit: 2,
                 message: "no valid start time"),
        BadInput(name: "synthesize lines whose id leaves the folder", arguments: ["synthesize", "@/in/lines.json", "--provider", "espeak", "--language", "es",
                                                                                   "-o", "@/out/voices"],
                 exit: 2, message: "cannot be a file name", setup: { root in
                     try write(#"[{"id": "ok", "text": "hola"}, {"id": "../../escaped", "text": "adiós"}]"#, root + "/in/lines.json")
                 }),
        // Numbers JSON cannot hold, and arguments that make no sense.
        BadInput(name: "loudness --json of silence (−∞)", arguments: ["loudness", "@/in/silence.wav", "--json"], exit: 0, message: "\"-inf\"",
                 setup: { root in try Tool.ffmpeg(["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "1", root + "/in/silence.wav"]) }),
        BadInput(name: "jobs prune --older-than=-5", arguments: ["jobs", "prune", "--older-than=-5", "--database-url", "postgresql://127.0.0.1:1/none"],
                 exit: 2, message: "--older-than"),
        BadInput(name: "a database URL with a bad sslmode fails at once", arguments: ["jobs", "list", "--database-url", "postgresql://127.0.0.1:1/x?sslmode=bogus"],
                 exit: 1, message: "sslmode", maxSeconds: 10),
        BadInput(name: "a database URL with an unknown parameter fails at once", arguments: ["jobs", "list", "--database-url", "postgresql://127.0.0.1:1/x?foo=bar"],
                 exit: 1, message: "invalid URI query parameter", maxSeconds: 10),
    ]
}
