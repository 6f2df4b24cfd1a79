import AudioKitCore
import Dubbing
import DubSupport
import Foundation
import ProviderFakes
import TestSupport
import Testing

@Suite("dubctl lines and jobs redo: review, fix and redo single lines", .tags(.endToEnd))
struct LineEditingTests {
    /// The English sample dubbed from its Spanish subtitles with OpenAI's speech (the fake), into `scratch`.
    static func dub(_ scratch: Scratch, _ server: FakeProviderServer) async throws -> CommandRunner.Result {
        try await ProviderCommandTests.dubctl(["dub", Repository.sample("english.mp4"), "--to", "es", "--subtitles", Repository.sample("english.es.srt"),
                                               "--tts", "openai", "--separation", "none", "-o", scratch.path("out.es.mp4"), "--work",
                                               scratch.path("work"), "--json"], environment: DubProvidersTests.environment(scratch, server))
    }

    static func lines(_ arguments: [String], _ scratch: Scratch, _ server: FakeProviderServer) async throws -> CommandRunner.Result {
        try await ProviderCommandTests.dubctl(["lines"] + arguments, environment: DubProvidersTests.environment(scratch, server))
    }

    /// The texts the fake's speech endpoint was asked to say, in order.
    static func spoken(_ server: FakeProviderServer) -> [String] {
        server.control.kept("openai-speech").map { String($0.split(separator: "\t", maxSplits: 1).last ?? "") }
    }

    @Test("list, show, set (checked), redo and export: a redo speaks only the edited and the named lines; the rest come from the cache")
    func reviewSetRedoExport() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let work = scratch.path("work")
        let first = try await Self.dub(scratch, server)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.spoken(server).count == 6)

        let list = try await Self.lines(["list", work, "--json"], scratch, server)
        #expect(list.status == 0, "\(list.stderr)")
        let listed = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(listed.map { $0["id"] as? Int } == [0, 1, 2, 3, 4, 5])
        #expect(listed.allSatisfy { ($0["text"] as? String)?.isEmpty == false && $0["timing"] != nil && $0["flags"] != nil })
        let flagged = try await Self.lines(["list", work, "--flagged", "--json"], scratch, server)
        let flaggedIDs = (try JSONSerialization.jsonObject(with: Data(flagged.stdout.utf8)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        #expect(Set(flaggedIDs) == Set(listed.filter { !(($0["flags"] as? [String]) ?? []).isEmpty }.compactMap { $0["id"] as? Int }))
        let show = try await Self.lines(["show", work, "2"], scratch, server)
        #expect(show.status == 0 && show.stdout.contains("line 2:") && show.stdout.contains("text: ") && show.stdout.contains("audio: "), "\(show.stdout)")

        // Bad edits are refused with the reason, and change nothing.
        let linesFile = scratch.path("work/lines.json")
        let before = try Data(contentsOf: URL(fileURLWithPath: linesFile))
        for (arguments, reason) in [(["set", work, "2", "--start", "1.5"], "before line 1 ends"), (["set", work, "2", "--text", "  "], "empty"),
                                    (["set", work, "99", "--text", "x"], "no line 99"), (["set", work, "2", "--end", "16"], "after line 3 starts")] {
            let refused = try await Self.lines(arguments, scratch, server)
            #expect(refused.status != 0 && refused.stderr.contains(reason), "\(arguments): \(refused.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: linesFile)) == before)

        let set = try await Self.lines(["set", work, "2", "--text", "Solo esta frase ha cambiado.", "--voice", "shimmer"], scratch, server)
        #expect(set.status == 0, "\(set.stderr)")
        let spokenBefore = Self.spoken(server).count
        let redo = try await Self.lines(["redo", work, "4", "--json"], scratch, server)
        #expect(redo.status == 0, "\(redo.stderr)")
        let again = Array(Self.spoken(server).dropFirst(spokenBefore))
        let lines = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: linesFile)))
        #expect(again.sorted() == ["Solo esta frase ha cambiado.", lines[4].text ?? ""].sorted(), "spoke \(again)")
        // The edited line was spoken with its own voice; the others kept theirs.
        let voices = server.control.kept("openai-speech").suffix(2).map { String($0.split(separator: "\t").first ?? "") }
        #expect(voices.contains("shimmer"))
        let report = try DubJSON.decode(DubReport.self, from: Data(redo.stdout.utf8))
        #expect(report.executed.filter { $0.hasPrefix("synthesize#") }.count == 2)
        #expect(report.executed.contains("mix") && report.executed.contains("mux"))
        // A second redo of nothing speaks nothing.
        let idle = try await Self.lines(["redo", work], scratch, server)
        #expect(idle.status == 0 && Self.spoken(server).count == spokenBefore + 2, "\(idle.stderr)")

        // Export: line 2's audio as mixed, as long as its timing says.
        let exported = scratch.path("line2.flac")
        let export = try await Self.lines(["export", work, "2", "-o", exported], scratch, server)
        #expect(export.status == 0, "\(export.stderr)")
        let timing = try JSONDecoder().decode([LineTiming].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/timing.json"))))
        let reader = try SoundFileReader(path: exported)
        #expect(abs(reader.duration - (timing.first { $0.id == 2 }?.duration ?? 0)) < 0.02)
    }

    @Test("jobs redo queues a finished job again in its own folder: it speaks only the named lines")
    func jobsRedo() async throws {
        let s = try await DubdTests.Setup()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let id = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/english.es.mp4"), extra: ["--tts", "openai"])
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: [],
                                          environment: ProviderCommandTests.environment(s.scratch, server.environment), log: s.scratch.path("dubd.log"))
        let done = try await s.wait(id, for: ["succeeded", "failed"])
        #expect(done["state"] as? String == "succeeded", "\(done)")
        let spoken = Self.spoken(server).count
        #expect(spoken == 6)
        let redo = try await CommandRunner.run("dubctl", ["jobs", "redo", "\(id)", "--line", "1", "--line", "3", "--database-url", s.url])
        #expect(redo.status == 0 && redo.stdout.contains("job \(id) queued again"), "\(redo.stderr)")
        let finished = try await s.wait(id, for: ["succeeded", "failed"])
        #expect(finished["state"] as? String == "succeeded", "\(finished)")
        #expect(Self.spoken(server).count == spoken + 2, "the redo spoke \(Self.spoken(server).count - spoken) lines")
        // Its work folder is the first job's: no second folder of cached lines.
        let folders = try FileManager.default.contentsOfDirectory(atPath: s.scratch.path("data/jobs"))
        #expect(folders.count == 1, "\(folders)")
        // An unknown job cannot be redone.
        let unknown = try await CommandRunner.run("dubctl", ["jobs", "redo", "999", "--line", "1", "--database-url", s.url])
        #expect(unknown.status != 0 && unknown.stderr.contains("no job 999"))
        await daemon.stop()
    }
}
