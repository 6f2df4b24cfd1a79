import AudioKitCore
import Foundation
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import TestSupport
import Testing

@Suite("Safety: a user's files, permissions, interrupts, warnings", .tags(.endToEnd))
struct SafetyTests {
    private func dub(_ scratch: Scratch, subtitles: String = Repository.sample("english.es.srt"), _ extra: [String]) async throws -> CommandRunner.Result {
        try await CommandRunner.run("dubctl", ["dub", Repository.sample("english.mp4"), "--to", "es", "--subtitles", subtitles,
                                               "--separation", "none", "-o", scratch.path("out/talk.es.mp4")] + extra, timeout: 300)
    }

    @Test("--work --force on a user's folder: a killed run and its resume leave every one of the user's files as they were")
    func forcedWorkFolderKeepsUserFiles() async throws {
        let scratch = try Scratch()
        let mine = scratch.path("mine")
        for (path, text) in [("thesis.docx.partial", "draft 7"), ("drafts/deep/thesis.docx.partial", "draft 3"), ("notes.tmp-1", "notes"),
                             ("lines.json.tmp-42", "not dub's"), ("stems/.mine.dub-tmp", "odd but mine")] {
            try FileManager.default.createDirectory(atPath: (scratch.path("mine/" + path) as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: scratch.path("mine/" + path), atomically: true, encoding: .utf8)
        }
        let before = FolderSnapshot(mine)
        let refused = try await dub(scratch, ["--work", mine])
        #expect(refused.status == 1 && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(FolderSnapshot(mine) == before)

        let process = Process()
        process.executableURL = CommandRunner.binDirectory.appendingPathComponent("dubctl")
        process.arguments = ["dub", Repository.sample("english.mp4"), "--to", "es", "--subtitles", Repository.sample("english.es.srt"),
                             "--separation", "local", "-o", scratch.path("out/talk.es.mp4"), "--work", mine, "--force"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try Spawn.run(process)
        for _ in 0..<2400 where !FileManager.default.fileExists(atPath: scratch.path("mine/extract.json")) {
            try await Task.sleep(for: .milliseconds(25))
        }
        kill(process.processIdentifier, SIGKILL)
        #expect(await Spawn.wait(process, seconds: 60), "dubctl outlived SIGKILL")
        let resumed = try await dub(scratch, ["--work", mine])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let after = FolderSnapshot(mine)
        for (path, state) in before.files { #expect(after.files[path] == state, "\(path) changed or went") }
    }

    @Test("outputs are private (0600), work folders too (0700); --clean removes the work folder after success")
    func permissionsAndClean() async throws {
        let scratch = try Scratch()
        let run = try await dub(scratch, ["--work", scratch.path("work"), "--clean"])
        #expect(run.status == 0, "\(run.stderr)")
        for output in ["out/talk.es.mp4", "out/talk.es.srt", "out/talk.es.vtt"] {
            let mode = try FileManager.default.attributesOfItem(atPath: scratch.path(output))[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(output): \(String(mode ?? 0, radix: 8))")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("work")), "--clean kept the work folder")
        #expect(run.stdout.contains("removed (--clean)"))
        let kept = try await dub(scratch, ["--work", scratch.path("kept")])
        #expect(kept.status == 0, "\(kept.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: scratch.path("kept"))[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let shared = try await CommandRunner.run("dubctl", ["extract", Repository.sample("english.mp4"), "-o", scratch.path("shared.wav")],
                                                 environment: ["DUB_OUTPUT_MODE": "644"])
        #expect(shared.status == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: scratch.path("shared.wav"))[.posixPermissions] as? Int == 0o644)
    }

    @Test("Ctrl-C (SIGINT) during a long extract: exit 130, no output, no temporary file")
    func interrupt() async throws {
        let scratch = try Scratch()
        let long = scratch.path("long.flac")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "sine=f=300:r=48000:d=1800", "-ac", "2", long])
        let process = Process()
        process.executableURL = CommandRunner.binDirectory.appendingPathComponent("dubctl")
        process.arguments = ["extract", long, "-o", scratch.path("out.wav"), "--rate", "44100", "--sample-format", "f32"]
        let errors = Spawn.pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try Spawn.run(process)
        // Interrupt once the temporary output exists (polled on a thread of its own: a busy cooperative pool must not
        // delay the signal until the extract is over).
        let folder = scratch.url.path
        let started = try await OffPool.run { () -> Bool in
            for _ in 0..<12_000 where process.isRunning {
                if (try? FileManager.default.contentsOfDirectory(atPath: folder))?.contains(where: { $0.contains(".dub-tmp-") }) == true {
                    kill(process.processIdentifier, SIGINT)
                    return true
                }
                usleep(5_000)
            }
            return false
        }
        #expect(started, "no temporary file appeared while the extract ran")
        if !(await Spawn.wait(process, seconds: 60)) {
            Issue.record("dubctl did not stop within 60 s of SIGINT")
            kill(process.processIdentifier, SIGKILL)
            _ = await Spawn.wait(process, seconds: 30)
        }
        #expect(process.terminationStatus == 130)
        #expect(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("interrupted"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["long.flac"])
    }

    @Test("Latin-1 subtitles dub correctly, with a warning in the output and the report; a cue just past the end is cut, with a warning")
    func latin1AndCutCue() async throws {
        let scratch = try Scratch()
        let utf8 = try String(contentsOfFile: Repository.sample("english.es.srt"), encoding: .utf8)
        // The last cue now ends 2 s after the 26.5 s video (within the 5 s tolerance), and says goodbye in Latin-1.
        let latin1 = utf8.replacingOccurrences(of: "00:00:25,009\nGracias por vernos.", with: "00:00:28,500\nGracias por vernos, señor.")
        let path = scratch.path("talk.es.srt")
        try latin1.data(using: .isoLatin1)!.write(to: URL(fileURLWithPath: path))
        let run = try await dub(scratch, subtitles: path, ["--work", scratch.path("work"), "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Windows-1252"), "\(run.stderr)")
        #expect(run.stderr.contains("cut at its end"), "\(run.stderr)")
        let report = try DubJSON.decode(DubReport.self, from: Data(run.stdout.utf8))
        #expect(report.warnings?.contains { $0.contains("Windows-1252") } == true)
        let srt = try String(contentsOfFile: scratch.path("out/talk.es.srt"), encoding: .utf8)
        #expect(srt.contains("señor") && !srt.contains("\u{FFFD}"))
    }

    @Test("a truncated input: dub, loudness and vad warn (and still work)")
    func truncatedWarns() async throws {
        let scratch = try Scratch()
        let full = try Data(contentsOf: URL(fileURLWithPath: Repository.sample("english.mp4")))
        let cut = scratch.path("cut.mp4")
        try full.prefix(full.count * 3 / 4).write(to: URL(fileURLWithPath: cut))
        for arguments in [["loudness", cut], ["vad", cut]] {
            let run = try await CommandRunner.run("dubctl", arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains("dubctl: warning:") && run.stderr.contains("truncated"), "\(arguments): \(run.stderr)")
        }
        let subtitles = scratch.path("early.srt")
        try "1\n00:00:01,000 --> 00:00:03,000\nBienvenidos.\n".write(toFile: subtitles, atomically: true, encoding: .utf8)
        let run = try await CommandRunner.run("dubctl", ["dub", cut, "--to", "es", "--subtitles", subtitles, "--separation", "none",
                                                         "-o", scratch.path("out.mp4"), "--json"], timeout: 300)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("truncated"), "\(run.stderr)")
        let report = try DubJSON.decode(DubReport.self, from: Data(run.stdout.utf8))
        #expect(report.warnings?.contains { $0.contains("truncated") } == true)
    }
}
