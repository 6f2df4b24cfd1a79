import AudioKitCore
import Foundation
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import ProviderFakes
import TestSupport
import Testing

/// `dubctl dub` through recognition, budgeted translation and provider speech, against the fake providers.
@Suite("dubctl dub with providers (fakes)", .tags(.endToEnd))
struct DubProvidersTests {
    struct Combo: Sendable, CustomStringConvertible {
        var asr: String
        var translator: String
        var tts: String
        var separation: String
        var description: String { "asr \(asr), translator \(translator), tts \(tts), separation \(separation)" }
    }

    static let combos = [
        Combo(asr: "openai", translator: "openai", tts: "openai", separation: "local"),
        Combo(asr: "openai", translator: "openai", tts: "espeak", separation: "none"),
        Combo(asr: "elevenlabs", translator: "openai", tts: "elevenlabs", separation: "elevenlabs"),
        Combo(asr: "clova", translator: "papago", tts: "clova", separation: "local"),
    ]

    static func environment(_ scratch: Scratch, _ server: FakeProviderServer) -> [String: String] {
        ProviderCommandTests.environment(scratch, server.environment)
    }

    static func dub(_ scratch: Scratch, _ server: FakeProviderServer, _ combo: Combo, sample: String = "english.mp4", from: String = "en",
                    to: String = "es", extra: [String] = []) async throws -> (CommandRunner.Result, DubReport?) {
        let run = try await ProviderCommandTests.dubctl(
            ["dub", Repository.sample(sample), "--to", to, "--from", from, "--asr", combo.asr, "--translator", combo.translator,
             "--tts", combo.tts, "--separation", combo.separation, "-o", scratch.path("out.\(to).mp4"), "--work", scratch.path("work"), "--json"] + extra,
            environment: environment(scratch, server))
        return (run, run.status == 0 ? try? DubJSON.decode(DubReport.self, from: Data(run.stdout.utf8)) : nil)
    }

    @Test("recognise, translate within budgets, speak, fit, mix, mux", arguments: combos)
    func endToEnd(combo: Combo) async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let (run, report) = try await Self.dub(scratch, server, combo)
        #expect(run.status == 0, "\(run.stderr)")
        let r = try #require(report)
        #expect(r.timing.lines == 6)
        #expect(r.timing.overlaps == 0)
        let lines = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/lines.json"))))
        let truth = try JSONDecoder().decode([OpenAITranscriptionTruth].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample("english.lines.json"))))
        #expect(lines.count == truth.count)
        for (line, expected) in zip(lines, truth) {
            #expect(abs(line.start - expected.start) < 0.3)
            // The fakes' pseudo-translations: "[es] ..." (OpenAI; re-translated lines may be cut short) or "[en→es] ..." (Papago).
            #expect(line.text?.hasPrefix("[es]") == true || line.text?.hasPrefix("[en→es]") == true)
            #expect(!line.source.isEmpty)
        }
        #expect(FileManager.default.fileExists(atPath: scratch.path("work/transcript.json")))
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/manifest.json"))))
        #expect(manifest.usage == r.usage.filter { $0.key != "espeak" } || manifest.usage == r.usage)
        let asr = combo.asr == "clova" ? "clova-speech" : combo.asr, tts = combo.tts == "clova" ? "clova-voice" : combo.tts
        #expect((r.usage[asr]?.audioSeconds ?? 0) > 20)
        let translation = r.usage[combo.translator] ?? ProviderUsage()
        #expect(translation.promptTokens + translation.characters > 0)
        #expect((r.usage[tts]?.characters ?? 0) > 0)
        #expect(r.costUSD.keys.contains(asr))
        let info = try MediaInfo.probe(path: scratch.path("out.es.mp4"))
        #expect(info.audioStreams.map(\.language) == ["spa"])
    }

    @Test("the Korean sample dubbed into English with each provider set", arguments: combos)
    func korean(combo: Combo) async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let (run, report) = try await Self.dub(scratch, server, combo, sample: "korean.mp4", from: "ko", to: "en")
        #expect(run.status == 0, "\(run.stderr)")
        let truth = try JSONDecoder().decode([OpenAITranscriptionTruth].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample("korean.lines.json"))))
        #expect(report?.timing.lines == truth.count)
        #expect(report?.timing.overlaps == 0)
        let lines = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/lines.json"))))
        for (line, expected) in zip(lines, truth) {
            #expect(abs(line.start - expected.start) < 0.3)
            #expect(line.text?.hasPrefix("[en]") == true || line.text?.hasPrefix("[ko→en]") == true, "\(line.text ?? "")")
        }
        let info = try MediaInfo.probe(path: scratch.path("out.en.mp4"))
        #expect(info.audioStreams.map(\.language) == ["eng"])
        #expect(FileManager.default.fileExists(atPath: scratch.path("out.en.srt")))
    }

    @Test("language forms end to end: --from eng --to pt-BR (OpenAI), --to zh-TW (Papago and CLOVA), --from english; a close typo is refused with a suggestion")
    func languageForms() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let brazil = try Scratch()
        let (run, report) = try await Self.dub(brazil, server, Combo(asr: "openai", translator: "openai", tts: "openai", separation: "none"),
                                               from: "eng", to: "pt-BR")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(report?.timing.lines == 6)
        let lines = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: brazil.path("work/lines.json"))))
        #expect(lines.allSatisfy { $0.text?.hasPrefix("[pt-BR]") == true }, "\(lines.map(\.text))")
        let info = try MediaInfo.probe(path: brazil.path("out.pt-BR.mp4"))
        #expect(info.audioStreams.map(\.language) == ["por"])
        #expect(FileManager.default.fileExists(atPath: brazil.path("out.pt-BR.srt")))
        // Whisper got ISO 639-1 for "eng".
        #expect(server.control.requests.contains { $0.path.hasSuffix("/audio/transcriptions") })

        let taiwan = try Scratch()
        let (tw, twReport) = try await Self.dub(taiwan, server, Combo(asr: "clova", translator: "papago", tts: "clova", separation: "none"),
                                                from: "english", to: "zh-TW")
        #expect(tw.status == 0, "\(tw.stderr)")
        #expect(twReport?.timing.lines == 6)
        let twLines = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: taiwan.path("work/lines.json"))))
        #expect(twLines.allSatisfy { $0.text?.hasPrefix("[en→zh-TW]") == true }, "\(twLines.map(\.text))")
        #expect(server.control.kept("clova-params").last?.contains(#""language":"en-US""#) == true)
        #expect(try MediaInfo.probe(path: taiwan.path("out.zh-TW.mp4")).audioStreams.map(\.language) == ["chi"])
        #expect(FileManager.default.fileExists(atPath: taiwan.path("out.zh-TW.vtt")))

        let typo = try await ProviderCommandTests.dubctl(["dub", Repository.sample("english.mp4"), "--to", "spanihs", "-o", taiwan.path("x.mp4")],
                                                         environment: Self.environment(taiwan, server))
        #expect(typo.status == 2 && typo.stderr.contains("did you mean 'es'"), "\(typo.stderr)")
    }

    /// Every recogniser × translator × synthesizer (separation off: it is covered above).
    static let allCombos: [Combo] = ProviderCatalog.providers(for: .transcription).flatMap { asr in
        ProviderCatalog.providers(for: .translation).flatMap { translator in
            ProviderCatalog.providers(for: .speech).map { Combo(asr: asr, translator: translator, tts: $0, separation: "none") }
        }
    }

    @Test("every ASR × translator × TTS combination dubs the sample with no overlaps", arguments: allCombos)
    func everyCombination(combo: Combo) async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let (run, report) = try await Self.dub(scratch, server, combo)
        #expect(run.status == 0, "\(combo): \(run.stderr)")
        #expect(report?.timing.lines ?? 0 >= 6)
        #expect(report?.timing.overlaps == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.path("out.es.mp4")))
    }

    @Test("a re-run calls no provider; an edited translation redoes only its line")
    func cachedAndEdited() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let combo = Self.combos[0]
        #expect(try await Self.dub(scratch, server, combo).0.status == 0)
        let calls = server.control.requests.count
        let again = try #require(try await Self.dub(scratch, server, combo).1)
        #expect(again.executed.isEmpty, "\(again.executed)")
        #expect(server.control.requests.count == calls)

        let path = scratch.path("work/lines.json")
        var lines = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        lines[1].text = "Sólo esta línea cambia."
        try JSONEncoder().encode(lines).write(to: URL(fileURLWithPath: path))
        let edited = try #require(try await Self.dub(scratch, server, combo).1)
        #expect(edited.executed.filter { $0.hasPrefix("synthesize#") }.count == 1, "\(edited.executed)")
        #expect(!edited.executed.contains { $0.hasPrefix("translate#") })
        let speech = server.control.requests.filter { $0.path.hasSuffix("/audio/speech") }.count
        #expect(server.control.requests.count == calls + 1 && speech >= 1)
    }

    @Test("--dry-run estimates without calling anyone; --budget stops before spending; --bilingual adds the source track")
    func estimateBudgetBilingual() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let env = Self.environment(scratch, server)
        let base = ["dub", Repository.sample("english.mp4"), "--to", "es", "--from", "en", "--tts", "openai", "--separation", "none",
                    "-o", scratch.path("out.es.mp4"), "--work", scratch.path("work")]
        let dry = try await ProviderCommandTests.dubctl(base + ["--dry-run", "--json"], environment: env)
        #expect(dry.status == 0, "\(dry.stderr)")
        let estimate = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
        let total = try #require(estimate["total_usd"] as? Double)
        #expect(total > 0)
        #expect((estimate["usage"] as? [String: Any])?["openai"] != nil)
        #expect(server.control.requests.isEmpty)

        let over = try await ProviderCommandTests.dubctl(base + ["--budget", "\(total / 10)"], environment: env)
        #expect(over.status == 1)
        #expect(over.stderr.contains("exceeds the budget"))
        #expect(server.control.requests.isEmpty)

        let run = try await ProviderCommandTests.dubctl(base + ["--budget", "\(total * 10)", "--bilingual", "--json"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try DubJSON.decode(DubReport.self, from: Data(run.stdout.utf8))
        #expect(report.costUSD.values.reduce(0, +) > 0)
        #expect(report.costUSD.values.reduce(0, +) < total * 10)
        let info = try MediaInfo.probe(path: scratch.path("out.es.mp4"))
        #expect(info.streams.filter { $0.type == .subtitle }.map(\.language) == ["spa", "eng"])
        #expect(FileManager.default.fileExists(atPath: scratch.path("out.en.srt")))
    }

    @Test("diarized speakers get their voices from --voice-map")
    func voiceMap() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let map = scratch.path("voices.json")
        try #"{"speaker_0": "EXAVITQu4vr4xnSDxMaL", "speaker_1": "pNInz6obpgDQGcFmaJgB"}"#.write(toFile: map, atomically: true, encoding: .utf8)
        let combo = Combo(asr: "elevenlabs", translator: "openai", tts: "elevenlabs", separation: "none")
        let (run, report) = try await Self.dub(scratch, server, combo, sample: "two-speakers.mp4", extra: ["--voice-map", map])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(report?.timing.overlaps == 0)
        let lines = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/lines.json"))))
        #expect(Set(lines.compactMap(\.speaker)) == ["speaker_0", "speaker_1"])
        let voices = Set(server.control.requests.map(\.path).filter { $0.contains("/text-to-speech/") }.map { $0.split(separator: "/").last.map(String.init) ?? "" })
        #expect(voices.isSuperset(of: ["EXAVITQu4vr4xnSDxMaL", "pNInz6obpgDQGcFmaJgB"]))
    }

    @Test("--verify hears every dubbed line back; misheard lines are retaken once, and one still cut off is reported")
    func verify() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let combo = Combo(asr: "openai", translator: "openai", tts: "openai", separation: "none")
        // A first run without --verify: the transcript is then cached, and every recognition below is a check.
        let (plain, plainReport) = try await Self.dub(scratch, server, combo)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plainReport?.verification == nil)
        let lines = try #require(plainReport?.timing.lines)
        // The fake recogniser hears the words the fake voice said (pitch survives the fit's time-stretch). Every
        // first check is misheard (its second half missing), and so is one retake.
        let quirks = [String](repeating: "mishear", count: lines + 1)
        for quirk in quirks { server.control.injectQuirk(quirk, on: "/audio/transcriptions") }
        let before = server.control.requests.count
        let (run, report) = try await Self.dub(scratch, server, combo, extra: ["--verify"])
        #expect(run.status == 0, "\(run.stderr)")
        let checks = try #require(report?.verification)
        #expect(checks.count == lines)
        #expect(checks.allSatisfy { $0.retaken }, "\(checks)")
        let failed = checks.filter { !$0.passed }
        #expect(failed.count == 1, "\(checks)")
        #expect(failed.first.map { $0.errorRate > 0 } == true)
        for check in checks where check.passed {
            #expect(check.errorRate == 0 && !check.cutOff && check.heard.split(separator: " ") == check.expected.split(separator: " "), "\(check)")
        }
        let requests = server.control.requests.dropFirst(before)
        #expect(requests.filter { $0.path.hasSuffix("/audio/transcriptions") }.count == 2 * lines)
        #expect(requests.filter { $0.path.hasSuffix("/audio/speech") }.count == lines) // one retake per line
        #expect(report?.timing.overlaps == 0)
        // A re-run repeats no check and no retake.
        let calls = server.control.requests.count
        let again = try await Self.dub(scratch, server, combo, extra: ["--verify"])
        #expect(again.1?.executed.isEmpty == true, "\(again.1?.executed ?? [])")
        #expect(again.1?.verification?.filter { !$0.passed }.count == 1)
        #expect(server.control.requests.count == calls)
    }

    @Test("a provider failure fails the run with one clear line and leaves no output")
    func providerFailure() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.quota, on: "/audio/transcriptions")
        let (run, _) = try await Self.dub(scratch, server, Self.combos[1])
        #expect(run.status == 1)
        #expect(run.stderr.contains("OpenAI") && run.stderr.contains("quota"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("out.es.mp4")))
    }
}

struct OpenAITranscriptionTruth: Decodable {
    var start: Double
    var end: Double
}
