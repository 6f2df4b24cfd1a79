import AudioKitCore
import DubSupport
@testable import Dubbing
import Foundation
import ProviderFakes
import TestSupport
import Testing

/// Casting and cloning against the fakes: the two-speaker sample (an en-us voice near 100 Hz and an en-gb female voice
/// near 200 Hz, four lines) dubbed without a voice map.
@Suite("voices: casting and cloning", .tags(.endToEnd))
struct CastingTests {
    typealias Combo = DubProvidersTests.Combo

    static func lines(_ scratch: Scratch) throws -> [DubLine] {
        try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/lines.json"))))
    }

    static func cast(_ scratch: Scratch) throws -> VoiceCast {
        try DubJSON.decode(VoiceCast.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/voices.json"))))
    }

    @Test("Whisper gives no speakers: the voices are clustered into two, and casting gives each its own OpenAI voice on its own lines, the same on a re-run")
    func openAICasting() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let combo = Combo(asr: "openai", translator: "openai", tts: "openai", separation: "none")
        let (run, report) = try await DubProvidersTests.dub(scratch, server, combo, sample: "two-speakers.mp4")
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try Self.lines(scratch)
        // The lines alternate A, B, A, B in the sample.
        let speakers = lines.map { $0.speaker ?? "" }
        #expect(speakers.count == 4 && Set(speakers).count == 2 && speakers[0] == speakers[2] && speakers[1] == speakers[3] && speakers[0] != speakers[1],
                "\(speakers)")
        let cast = try Self.cast(scratch)
        #expect(cast.roles.count == 2)
        let voices = cast.voices
        #expect(Set(voices.values).count == 2, "\(cast)")
        // The first speaker is the low male voice, the second the female one: the cast follows gender.
        #expect(cast.roles.first { $0.speaker == speakers[0] }?.gender == .male)
        #expect(cast.roles.first { $0.speaker == speakers[1] }?.gender == .female)
        // Every line was spoken with its speaker's voice.
        let spoken = Dictionary(server.control.kept("openai-speech").map { entry in
            let parts = entry.split(separator: "\t", maxSplits: 1).map(String.init)
            return (parts[1], parts[0])
        }) { first, _ in first }
        for line in lines {
            #expect(spoken[line.text ?? ""] == voices[line.speaker ?? ""], "line \(line.id)")
        }
        #expect(report?.cast?.count == 2)
        // A second run casts the same and speaks nothing again.
        let before = server.control.kept("openai-speech").count
        let (again, _) = try await DubProvidersTests.dub(scratch, server, combo, sample: "two-speakers.mp4")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.cast(scratch).voices == voices)
        #expect(server.control.kept("openai-speech").count == before)
        // --dry-run shows the cast in the work folder.
        let dry = try await DubProvidersTests.dub(scratch, server, combo, sample: "two-speakers.mp4", extra: ["--dry-run"]).0
        #expect(dry.stdout.contains("the cast in voices.json") && voices.values.allSatisfy { dry.stdout.contains(": \($0)") }, "\(dry.stdout)")
    }

    @Test("--clone-voices clones each speaker from their own speech, speaks their lines with it, reuses it on a resumed run and deletes it after the job; without the flag nothing is cloned")
    func elevenLabsCloning() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let combo = Combo(asr: "elevenlabs", translator: "openai", tts: "elevenlabs", separation: "none")
        // Without the flag: cast from the library, nothing uploaded.
        let (plain, _) = try await DubProvidersTests.dub(scratch, server, combo, sample: "two-speakers.mp4")
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!server.control.requests.contains { $0.path.hasSuffix("/voices/add") })
        #expect(Set(try Self.cast(scratch).voices.values).count == 2)

        // The estimate counts the cloning requests.
        func requests(_ extra: [String]) async throws -> Int {
            let dry = try await DubProvidersTests.dub(scratch, server, combo, sample: "two-speakers.mp4", extra: extra + ["--dry-run"]).0
            let estimate = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any]
            return ((estimate?["usage"] as? [String: Any])?["elevenlabs"] as? [String: Any])?["requests"] as? Int ?? -1
        }
        #expect(try await requests(["--clone-voices", "--speakers", "2"]) == (try await requests([])) + 4)
        // With --keep-voices the clones stay, for the next run.
        let (kept, keptReport) = try await DubProvidersTests.dub(scratch, server, combo, sample: "two-speakers.mp4", extra: ["--clone-voices", "--keep-voices"])
        #expect(kept.status == 0, "\(kept.stderr)")
        let clones = server.control.library.all
        #expect(clones.count == 2)
        let cast = try Self.cast(scratch)
        let lines = try Self.lines(scratch)
        for role in cast.roles {
            let clone = try #require(clones.first { $0.id == role.clone?.voiceID }, "\(role)")
            // Each clone holds its own speaker's speech: the first speaker's voice is near 100 Hz, the second's near 200 Hz.
            let expected = role.speaker == lines[0].speaker ? 100.0 : 205.0
            #expect(abs(12 * log2(clone.pitch / expected)) < 2, "\(role.speaker): \(clone.pitch) Hz")
            #expect(role.voice == clone.id && clone.name.hasPrefix("dub-"))
        }
        let used = server.control.requests.map(\.path).filter { $0.contains("/text-to-speech/") }.map { String($0.split(separator: "/").last ?? "") }
        #expect(Set(used).isSuperset(of: Set(clones.map(\.id))))
        #expect(!server.control.requests.contains { $0.path.contains("/v1/voices/") && !$0.path.hasSuffix("/add") }, "nothing deleted with --keep-voices")
        #expect(keptReport?.cast?.allSatisfy { $0.contains("cloned from") } == true)

        // A resumed run reuses the clones (no upload), and without --keep-voices deletes them at the end.
        let (resumed, report) = try await DubProvidersTests.dub(scratch, server, combo, sample: "two-speakers.mp4", extra: ["--clone-voices"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(server.control.library.all.count == 2)
        #expect(server.control.library.all.allSatisfy { $0.deleted })
        #expect(report?.clonesDeleted == 2)
        #expect(try Self.cast(scratch).roles.allSatisfy { $0.clone?.deleted == true })

        // Once deleted, a clone is made again for the next run that asks for one; prune --work removes it after a kept run.
        let (again, _) = try await DubProvidersTests.dub(scratch, server, combo, sample: "two-speakers.mp4", extra: ["--clone-voices", "--keep-voices"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(server.control.library.all.filter { !$0.deleted }.count == 2)
        let env = DubProvidersTests.environment(scratch, server)
        let refused = try await ProviderCommandTests.dubctl(["voices", "prune"], environment: env)
        #expect(refused.status == 2 && refused.stderr.contains("give --work DIR"), "\(refused.stderr)")
        let dry = try await ProviderCommandTests.dubctl(["voices", "prune", "--work", scratch.path("work"), "--dry-run"], environment: env)
        #expect(dry.status == 0 && dry.stdout.contains("would delete") && server.control.library.all.filter { !$0.deleted }.count == 2)
        let pruned = try await ProviderCommandTests.dubctl(["voices", "prune", "--work", scratch.path("work")], environment: env)
        #expect(pruned.status == 0 && pruned.stdout.contains("deleted 2"), "\(pruned.stdout)\(pruned.stderr)")
        #expect(server.control.library.all.allSatisfy { $0.deleted })
        #expect(try Self.cast(scratch).liveClones.isEmpty)
    }

    @Test("voices prune --all deletes the voices dub cloned (dub- names labelled created_by dub) and leaves the account's own voices")
    func pruneAll() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let ours = server.control.library.add(name: "dub-1234abcd-S1", pitch: 100, seconds: 30, labels: ["created_by": "dub"])
        let theirs = server.control.library.add(name: "dub-cousin", pitch: 200, seconds: 30)
        let env = DubProvidersTests.environment(scratch, server)
        let run = try await ProviderCommandTests.dubctl(["voices", "prune", "--all"], environment: env)
        #expect(run.status == 0 && run.stdout.contains("deleted 1 cloned voice"), "\(run.stdout)\(run.stderr)")
        #expect(server.control.library.all.first { $0.id == ours }?.deleted == true)
        #expect(server.control.library.all.first { $0.id == theirs }?.deleted == false)
    }

    @Test("--clone-voices is refused for an engine that cannot clone, and --keep-voices without it")
    func cloningNeedsElevenLabs() async throws {
        let scratch = try Scratch()
        for (extra, message) in [(["--tts", "openai", "--clone-voices"], "--clone-voices needs --tts elevenlabs"),
                                 (["--keep-voices"], "--keep-voices keeps cloned voices: give it with --clone-voices")] {
            let run = try await ProviderCommandTests.dubctl(["dub", Repository.sample("two-speakers.mp4"), "--to", "es", "-o", scratch.path("x.mp4")] + extra,
                                                            environment: [:])
            #expect(run.status == 2)
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }
    }
}

/// Offline casting with espeak-ng: the lines come from subtitles without speakers.
@Suite("voices: offline casting with espeak-ng", .tags(.endToEnd))
struct OfflineCastingTests {
    @Test("a two-speaker dialogue dubbed from subtitles gets two espeak-ng voices, each on its own speaker's lines; editing voices.json redoes only that speaker's lines")
    func espeakCasting() async throws {
        let scratch = try Scratch()
        struct Truth: Decodable { let start: Double; let end: Double; let speaker: String }
        let truth = try JSONDecoder().decode([Truth].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample("two-speakers.lines.json"))))
        let texts = ["¿Terminaste el informe para mañana?", "Casi. Todavía necesito los números de la semana pasada.",
                     "Te los puedo enviar esta tarde.", "Eso sería perfecto, gracias."]
        let srt = zip(truth, texts).enumerated().map { i, pair in
            "\(i + 1)\n\(SubtitleFormat.timestamp(pair.0.start, separator: ",")) --> \(SubtitleFormat.timestamp(pair.0.end, separator: ","))\n\(pair.1)\n"
        }.joined(separator: "\n")
        try srt.write(toFile: scratch.path("es.srt"), atomically: true, encoding: .utf8)
        let arguments = ["dub", Repository.sample("two-speakers.mp4"), "--to", "es", "--subtitles", scratch.path("es.srt"), "--tts", "espeak",
                         "-o", scratch.path("out.mp4"), "--work", scratch.path("work"), "--json"]
        let run = try await ProviderCommandTests.dubctl(arguments, environment: [:])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try CastingTests.lines(scratch)
        var cast = try CastingTests.cast(scratch)
        // The speakers found match the truth (names aside), and each has a voice of its own.
        let names = Dictionary(zip(truth.map(\.speaker), lines.map { $0.speaker ?? "" })) { first, _ in first }
        #expect(names.count == 2 && Set(names.values).count == 2 && zip(truth, lines).allSatisfy { names[$0.speaker] == $1.speaker }, "\(lines)")
        #expect(Set(cast.voices.values).count == 2, "\(cast)")
        #expect(cast.voices[names["A"] ?? ""]?.contains("+m") == true && cast.voices[names["B"] ?? ""]?.contains("+f") == true, "\(cast)")

        // Recast speaker B by hand: a re-run speaks B's lines again, and only those.
        let b = names["B"] ?? ""
        let index = try #require(cast.roles.firstIndex { $0.speaker == b })
        let edited = cast.voices[b] == "es+f2" ? "es+f4" : "es+f2"
        cast.roles[index].voice = edited
        try Data(try DubJSON.encode(cast, pretty: true)).write(to: URL(fileURLWithPath: scratch.path("work/voices.json")))
        let again = try await ProviderCommandTests.dubctl(arguments, environment: [:])
        #expect(again.status == 0, "\(again.stderr)")
        let report = try DubJSON.decode(DubReport.self, from: Data(again.stdout.utf8))
        let spoken = report.executed.filter { $0.hasPrefix("synthesize#") }
        #expect(spoken.count == lines.filter { $0.speaker == b }.count, "\(report.executed)")
        let recast = try CastingTests.cast(scratch)
        #expect(recast.voices[b] == edited)
        #expect(recast.roles.first { $0.speaker == b }?.reason.contains("edited") == true)
        #expect(recast.voices[names["A"] ?? ""] == cast.voices[names["A"] ?? ""])
    }
}

extension OfflineCastingTests {
    @Test("speakers named by the subtitles are kept, and a warning says when the voices heard disagree with them")
    func namedSpeakersCrossChecked() async throws {
        let scratch = try Scratch()
        struct Truth: Decodable { let start: Double; let end: Double; let speaker: String }
        let truth = try JSONDecoder().decode([Truth].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample("two-speakers.lines.json"))))
        func vtt(_ name: (Int, Truth) -> String) -> String {
            "WEBVTT\n\n" + truth.enumerated().map { i, line in
                "\(SubtitleFormat.timestamp(line.start, separator: ".")) --> \(SubtitleFormat.timestamp(line.end, separator: "."))\n<v \(name(i, line))>Línea \(i + 1).\n"
            }.joined(separator: "\n")
        }
        for (file, text, warned) in [("right.vtt", vtt { $1.speaker }, false), ("wrong.vtt", vtt { _, _ in "Narrator" }, true)] {
            try text.write(toFile: scratch.path(file), atomically: true, encoding: .utf8)
            let run = try await ProviderCommandTests.dubctl(["dub", Repository.sample("two-speakers.mp4"), "--to", "es", "--subtitles", scratch.path(file),
                                                             "--tts", "espeak", "-o", scratch.path("\(file).mp4"), "--work", scratch.path("\(file).work"), "--json"],
                                                            environment: [:])
            #expect(run.status == 0, "\(run.stderr)")
            let report = try DubJSON.decode(DubReport.self, from: Data(run.stdout.utf8))
            #expect((report.warnings ?? []).contains { $0.contains("disagree") } == warned, "\(file): \(report.warnings ?? [])")
            let lines = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("\(file).work/lines.json"))))
            #expect(lines.map(\.speaker) == truth.map { warned ? "Narrator" : $0.speaker })
        }
    }
}

@Suite("delivery notes end to end", .tags(.endToEnd))
struct DeliveryEndToEndTests {
    @Test("a question in the source subtitles is translated with the delivery 'question', kept in lines.json and sent to gpt-4o-mini-tts as instructions")
    func questionReachesTheVoice() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        struct Truth: Decodable { let start: Double; let end: Double; let text: String }
        let truth = try JSONDecoder().decode([Truth].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample("two-speakers.lines.json"))))
        let srt = truth.enumerated().map { i, line in
            "\(i + 1)\n\(SubtitleFormat.timestamp(line.start, separator: ",")) --> \(SubtitleFormat.timestamp(line.end, separator: ","))\n\(line.text)\n"
        }.joined(separator: "\n")
        try srt.write(toFile: scratch.path("en.srt"), atomically: true, encoding: .utf8)
        var environment = DubProvidersTests.environment(scratch, server)
        environment["OPENAI_TTS_MODEL"] = "gpt-4o-mini-tts"
        let run = try await ProviderCommandTests.dubctl(
            ["dub", Repository.sample("two-speakers.mp4"), "--to", "es", "--from", "en", "--source-subtitles", scratch.path("en.srt"),
             "--translator", "openai", "--tts", "openai", "-o", scratch.path("out.mp4"), "--work", scratch.path("work")], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try CastingTests.lines(scratch)
        #expect(lines.map(\.delivery) == [.question, .neutral, .neutral, .neutral], "\(lines)")
        let instructed = server.control.kept("openai-speech-instructions")
        #expect(instructed.count == 1 && instructed.first?.hasPrefix(lines[0].text ?? "-") == true && instructed.first?.hasSuffix("rising at the end.") == true,
                "\(instructed)")
    }
}
