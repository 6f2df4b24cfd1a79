import AudioKitCore
import Foundation
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import TestSupport
import Testing

@Suite("dubctl dub: offline from subtitles with espeak-ng", .tags(.endToEnd))
struct DubPipelineTests {
    private func dub(_ scratch: Scratch, _ extra: [String] = [], work: String? = nil) async throws -> (CommandRunner.Result, DubReport?) {
        let run = try await CommandRunner.run("dubctl", ["dub", Repository.sample("english.mp4"), "--to", "es", "--subtitles",
                                                   Repository.sample("english.es.srt"), "-o", scratch.path("out.es.mp4"),
                                                   "--work", work ?? scratch.path("work"), "--json"] + extra)
        let report = run.status == 0 ? try? DubJSON.decode(DubReport.self, from: Data(run.stdout.utf8)) : nil
        return (run, report)
    }

    /// What `make demo` does: paths relative to the folder it runs in.
    @Test("relative -o and --work: the dub is written where they point, and a re-run finds every stage done")
    func relativePaths() async throws {
        let scratch = try Scratch()
        let dubctl = CommandRunner.binDirectory.appendingPathComponent("dubctl").path
        let command = "cd '\(scratch.url.path)' && exec '\(dubctl)' dub '\(Repository.sample("english.mp4"))' --to es --subtitles "
            + "'\(Repository.sample("english.es.srt"))' --tts espeak -o out/english.es.mp4 --work out/work --json"
        for run in 1...2 {
            let result = try await OffPool.run { try Tool.capture("/bin/sh", ["-c", command], timeout: 600) }
            #expect(result.status == 0, "run \(run): \(result.stderr.suffix(500))")
            let report = try? DubJSON.decode(DubReport.self, from: Data(result.stdout.utf8))
            #expect(FileManager.default.fileExists(atPath: scratch.path("out/english.es.mp4")), "run \(run)")
            if run == 2 { #expect(report?.executed.isEmpty == true, "the re-run ran \(report?.executed ?? [])") }
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out/work/out")), "the output was looked for inside the work folder")
    }

    @Test("the English sample dubbed into Spanish: tracks, languages, duration, timing, subtitles, loudness")
    func endToEnd() async throws {
        let scratch = try Scratch()
        let (run, report) = try await dub(scratch, ["--keep-original-audio"])
        #expect(run.status == 0, "\(run.stderr)")
        let r = try #require(report)
        #expect(r.timing.lines == 6)
        #expect(r.timing.overlaps == 0)
        #expect(r.timing.maxFactor <= 1.3 + 1e-9)
        #expect(abs(r.loudnessOut - r.loudnessIn) < 0.6)
        #expect(r.truePeak <= -1 + 0.05)
        let info = try MediaInfo.probe(path: scratch.path("out.es.mp4"))
        let source = try MediaInfo.probe(path: Repository.sample("english.mp4"))
        #expect(info.streams.map(\.type) == [.video, .audio, .audio, .subtitle])
        #expect(info.audioStreams.map(\.language) == ["spa", "eng"])
        #expect(info.audioStreams.first?.isDefault == true)
        #expect(abs((info.duration ?? 0) - (source.duration ?? 0)) < 0.1)
        // The dub speaks where the subtitles say, and the sidecar cues follow the fitted timings.
        let timings = try JSONDecoder().decode([LineTiming].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/timing.json"))))
        let activity = try VoiceActivityDetector().analyze(path: scratch.path("work/mix.wav"))
        for t in timings {
            #expect(activity.isSpeech(at: t.start + t.duration / 2), "line \(t.id) is silent in the mix")
            #expect(t.start + t.duration <= (timings.first { $0.id == t.id + 1 }?.start ?? 27))
        }
        let srt = try String(contentsOfFile: scratch.path("out.es.srt"), encoding: .utf8)
        #expect(try SubtitleFormat.srt.parse(srt).count == 6)
        #expect(FileManager.default.fileExists(atPath: scratch.path("out.es.vtt")))
    }

    @Test("a re-run repeats nothing; editing one line in lines.json redoes only that line")
    func resumeAndEdit() async throws {
        let scratch = try Scratch()
        let first = try await dub(scratch, ["--separation", "none"])
        #expect(first.0.status == 0, "\(first.0.stderr)")
        #expect(first.1?.executed.filter { $0.hasPrefix("synthesize#") }.count == 6)
        let second = try #require(try await dub(scratch, ["--separation", "none"]).1)
        #expect(second.executed.isEmpty, "\(second.executed)")
        // The manifest lists every stage that ran; mux is cached like the rest, and redone when its output is gone.
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/manifest.json"))))
        #expect(Set(manifest.stages.keys) == Set(StageName.allCases.map(\.rawValue)), "\(manifest.stages.keys.sorted())")
        try FileManager.default.removeItem(atPath: scratch.path("out.es.mp4"))
        let remux = try #require(try await dub(scratch, ["--separation", "none"]).1)
        #expect(remux.executed == ["mux"], "\(remux.executed)")

        let linesPath = scratch.path("work/lines.json")
        var lines = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: linesPath)))
        lines[2].text = "Solo esta frase ha cambiado."
        try JSONEncoder().encode(lines).write(to: URL(fileURLWithPath: linesPath))
        let third = try #require(try await dub(scratch, ["--separation", "none"]).1)
        #expect(third.executed.filter { $0.hasPrefix("synthesize#") }.count == 1, "\(third.executed)")
        #expect(!third.executed.contains("extract") && !third.executed.contains("lines"))
        #expect(third.executed.contains("mix"))
        // The edit is what was spoken: the fitter wrote it back, and the timing report names it.
        let spoken = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: linesPath)))
        #expect(spoken[2].text == "Solo esta frase ha cambiado." && spoken.map(\.text) == lines.map(\.text))
        let timing = try JSONDecoder().decode([LineTiming].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/timing.json"))))
        #expect(timing.first { $0.id == 2 }?.text == "Solo esta frase ha cambiado.")
        // One writer per file: no stage records another's artifact, and the fitter's files are no stage's.
        let records = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/manifest.json")))).stages
        let artifacts = records.values.flatMap(\.artifacts)
        #expect(Set(artifacts).count == artifacts.count, "\(records.mapValues(\.artifacts))")
        #expect(!artifacts.contains("lines.json") && !artifacts.contains("timing.json"))
    }

    @Test("dubctl stage runs one stage of a work folder again, and only that one")
    func stage() async throws {
        let scratch = try Scratch()
        #expect(try await dub(scratch, ["--separation", "none"]).0.status == 0)
        let work = scratch.path("work")
        let mix = try await CommandRunner.run("dubctl", ["stage", "mix", "--work", work, "--json"])
        #expect(mix.status == 0, "\(mix.stderr)")
        let result = try JSONDecoder().decode(DubPipeline.StageRun.self, from: Data(mix.stdout.utf8))
        #expect(result.executed == ["mix"])
        let synth = try JSONDecoder().decode(DubPipeline.StageRun.self, from: Data(try await CommandRunner.run(
            "dubctl", ["stage", "synthesize", "--work", work, "--json"]).stdout.utf8))
        #expect(synth.executed.filter { $0.hasPrefix("synthesize#") }.count == 6)
        #expect(try await CommandRunner.run("dubctl", ["stage", "transmogrify", "--work", work]).status == 2)
        #expect(try await CommandRunner.run("dubctl", ["stage", "mix", "--work", scratch.path("empty")]).status == 2)
    }

    @Test("killed with SIGKILL during any stage, it resumes without repeating finished stages and leaves only its own files",
          arguments: DubPipeline.stages)
    func killAndResume(during stage: String) async throws {
        let scratch = try Scratch()
        let separation = stage == "separate" ? "local" : "none"
        let process = Process()
        process.executableURL = CommandRunner.binDirectory.appendingPathComponent("dubctl")
        process.arguments = ["dub", Repository.sample("english.mp4"), "--to", "es", "--subtitles", Repository.sample("english.es.srt"),
                             "-o", scratch.path("out.es.mp4"), "--work", scratch.path("work"), "--separation", separation]
        let pipe = Spawn.pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try Spawn.run(process)
        // Progress prints one line as each stage starts (stdout is not a terminal): kill the moment `stage` starts.
        let reached = try await OffPool.run { () -> Bool in
            var seen = ""
            while true {
                let data = pipe.fileHandleForReading.availableData
                if data.isEmpty { return false }
                seen += String(decoding: data, as: UTF8.self)
                if seen.contains("] \(stage) (stage") {
                    kill(process.processIdentifier, SIGKILL)
                    return true
                }
            }
        }
        #expect(await Spawn.wait(process, seconds: 60), "dubctl outlived SIGKILL")
        #expect(reached, "the run ended before \(stage) started")
        let manifest = scratch.path("work/manifest.json")
        let done = (try? JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifest))))?.stages.keys.map { $0 } ?? []
        let resumed = try #require(try await dub(scratch, ["--separation", separation]).1)
        #expect(resumed.timing.lines == 6)
        for finished in done { #expect(!resumed.executed.contains(finished), "\(finished) ran again") }
        #expect(resumed.timing.overlaps == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.path("out.es.mp4")))
        // Everything in the folders is something dub makes on purpose: listed, not matched against the cleanup's patterns.
        let names: Set<String> = [".dub-work", "request.json", "manifest.json", "extract.json", "audio.wav", "separate.json", "segments.json",
                                  "lines.json", "timing.json", "mix.json", "mix.wav", "mux.json", "stems/vocals.wav", "stems/background.wav",
                                  "subtitles/out.es.srt", "subtitles/out.es.vtt", "voices.json", "report.html", "report.json"]
        let cached = /^cache\/(synthesize|fit|translate|verify|voiceprints|loudness)\/[0-9a-f]{16}\.(json|wav)$/
        let excerpt = /^report\/line-[0-9]+\.(original|dub)\.flac$/
        let strays = FolderSnapshot(scratch.path("work")).files.keys.filter {
            !names.contains($0) && $0.wholeMatch(of: cached) == nil && $0.wholeMatch(of: excerpt) == nil
        }
        #expect(strays.isEmpty, "left in the work folder: \(strays.sorted())")
        let outside = Set(FolderSnapshot(scratch.url.path).files.keys.filter { !$0.hasPrefix("work/") })
        #expect(outside == ["out.es.mp4", "out.es.srt", "out.es.vtt"], "\(outside.sorted())")
        // The same lines, slots and texts as a run that was never interrupted. (Exact times are reported, not asserted:
        // espeak-ng carries synthesizer state from one utterance into the next, so a line spoken after a different
        // one can come out a few milliseconds longer or shorter; resetting the engine per line hangs it.)
        let timing = try JSONDecoder().decode([LineTiming].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/timing.json"))))
        let reference = try await Self.uninterrupted.value
        #expect(timing.map(\.id) == reference.map(\.id))
        #expect(timing.map(\.slotStart) == reference.map(\.slotStart) && timing.map(\.slotEnd) == reference.map(\.slotEnd))
        #expect(timing.map(\.text) == reference.map(\.text))
        let drift = zip(timing, reference).map { abs($0.start - $1.start) + abs($0.duration - $1.duration) }.max() ?? 0
        if drift > 0.001 { print("resume during \(stage): the timeline differs from an uninterrupted run by up to \(drift) s") }
    }

    /// The timing of one uninterrupted run, shared by the resume tests.
    static let uninterrupted = Task<[LineTiming], Error> {
        let scratch = try Scratch()
        let run = try await CommandRunner.run("dubctl", ["dub", Repository.sample("english.mp4"), "--to", "es", "--subtitles",
                                                         Repository.sample("english.es.srt"), "-o", scratch.path("out.es.mp4"),
                                                         "--work", scratch.path("work")])
        struct ReferenceRunFailed: Error { let stderr: String }
        guard run.status == 0 else { throw ReferenceRunFailed(stderr: run.stderr) }
        return try JSONDecoder().decode([LineTiming].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/timing.json"))))
    }

    @Test("malformed subtitles fail with the line number; a file without audio fails clearly", arguments: ["subs", "video"])
    func badInput(kind: String) async throws {
        let scratch = try Scratch()
        var input = Repository.sample("english.mp4")
        var subs = Repository.sample("english.es.srt")
        if kind == "subs" {
            subs = scratch.path("bad.srt")
            try "1\n00:00:01,000 --> 00:00:02,000\nHola\n\n2\n00:00:0x --> 00:00:03,000\nAdiós\n".write(toFile: subs, atomically: true, encoding: .utf8)
        } else {
            input = scratch.path("silent.mp4")
            try Tool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10", "-t", "2", input])
        }
        let run = try await CommandRunner.run("dubctl", ["dub", input, "--to", "es", "--subtitles", subs, "-o", scratch.path("o.mp4"),
                                                   "--work", scratch.path("w")])
        #expect(run.status == 1)
        #expect(run.stderr.contains(kind == "subs" ? "line 6" : "no audio stream"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("o.mp4")))
    }
}
