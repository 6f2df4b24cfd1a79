import Foundation
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import Synchronization
import TestSupport
import Testing

/// A translator that answers from a rule and records what it was asked.
final class RecordingTranslator: Translator, Sendable {
    let name = "recording"
    let followsBudgets = true
    let asked = Mutex<[TranslationRequest]>([])
    let dropping: Set<Int>

    init(dropping: Set<Int> = []) { self.dropping = dropping }

    func translate(_ request: TranslationRequest) async throws -> [Int: String] {
        asked.withLock { $0.append(request) }
        var out: [Int: String] = [:]
        for line in request.lines where !dropping.contains(line.id) { out[line.id] = "<\(line.text)>" }
        return out
    }
}

@Suite("Translation planning: batches, budgets, glossary, settings, cost")
struct TranslationPlanningTests {
    @Test func batchesCarryTheirNeighboursAsContext() async throws {
        let translator = RecordingTranslator()
        let lines = (0..<7).map { TranslationLine(id: $0, text: "line \($0)") }
        let result = try await TranslationBatcher(translator: translator, batchSize: 3, context: 2, concurrency: 2)
            .translate(lines, source: "en", target: "es", glossary: ["Line 4": "renglón 4", "elsewhere": "en otra parte"])
        #expect(result.count == 7 && result[4]?.text == "<line 4>" && result[4]?.delivery == nil)
        let asked = translator.asked.withLock { $0 }.sorted { $0.lines[0].id < $1.lines[0].id }
        #expect(asked.map { $0.lines.map(\.id) } == [[0, 1, 2], [3, 4, 5], [6]])
        #expect(asked[1].before == ["line 1", "line 2"] && asked[1].after == ["line 6"])
        #expect(asked[0].before.isEmpty && asked[2].after.isEmpty)
        #expect(asked.allSatisfy { $0.target == "es" })
        // Only the entries whose term occurs in a batch go with it (case-insensitively): never the whole file.
        #expect(asked.map(\.glossary) == [[:], ["Line 4": "renglón 4"], [:]])
    }

    @Test func aMissingLineIsAnErrorNamingIt() async throws {
        let error = await #expect(throws: ProviderError.self) {
            _ = try await TranslationBatcher(translator: RecordingTranslator(dropping: [2])).translate(
                (0..<4).map { TranslationLine(id: $0, text: "x") }, source: nil, target: "es")
        }
        #expect(error?.description.contains("lines 2") == true)
    }

    @Test func budgetsCountCharactersOrSyllables() {
        let latin = SpeakingRate(unitsPerSecond: 15, syllables: false)
        #expect(latin.units(in: "Hola, ¿qué tal?") == 10)
        #expect(latin.budget(seconds: 2) == 30)
        let korean = SpeakingRate(unitsPerSecond: 7, syllables: true)
        #expect(korean.units(in: "안녕하세요, 반갑습니다.") == 10)
        #expect(abs(korean.seconds(for: "안녕하세요") - 5.0 / 7) < 1e-9)
        #expect(korean.budget(seconds: 0.01) == 1)
    }

    @Test("a credentials file given as a glossary is refused, naming the line, before anything is sent")
    func credentialsAreNotAGlossary() throws {
        let scratch = try Scratch()
        for (name, text, line) in [("env", "# keys\nOPENAI_API_KEY=sk-live-123\nNCP_CLIENT_SECRET=abc\n", 2),
                                   ("db", "main = postgresql://dub:hunter2@db.internal/dub\n", 1),
                                   ("json", #"{"ELEVENLABS_API_KEY": "xi-123"}"#, 1)] {
            try text.write(toFile: scratch.path(name), atomically: true, encoding: .utf8)
            let error = #expect(throws: GlossaryError.self, "\(name)") { try Glossary.load(scratch.path(name)) }
            #expect(error?.line == line && error?.description.contains("credentials") == true, "\(String(describing: error))")
            #expect(error?.description.contains("sk-live") == false && error?.description.contains("hunter2") == false)
        }
        try "API = interfaz de programación\nkey = clave\n".write(toFile: scratch.path("ok"), atomically: true, encoding: .utf8)
        #expect(try Glossary.load(scratch.path("ok")).count == 2)
    }

    @Test func glossaryFilesInBothFormsAndErrorsWithLines() throws {
        let scratch = try Scratch()
        try "# terms\nAcme = ACME-ES\nred\trojo\n".write(toFile: scratch.path("g.txt"), atomically: true, encoding: .utf8)
        #expect(try Glossary.load(scratch.path("g.txt")) == ["Acme": "ACME-ES", "red": "rojo"])
        try #"{"cat": "gato"}"#.write(toFile: scratch.path("g.json"), atomically: true, encoding: .utf8)
        #expect(try Glossary.load(scratch.path("g.json")) == ["cat": "gato"])
        try "ok = fine\nbroken line\n".write(toFile: scratch.path("bad.txt"), atomically: true, encoding: .utf8)
        let error = #expect(throws: GlossaryError.self) { try Glossary.load(scratch.path("bad.txt")) }
        #expect(error?.line == 2)
    }

    @Test func settingsComeFromAPrivateFileAndTheEnvironmentWins() throws {
        let scratch = try Scratch()
        let path = scratch.path("providers.env")
        try "export OPENAI_API_KEY='from-file'\nPAPAGO_URL=https://example.test\n# note\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o640)
        #expect(throws: ProviderError.self) { try ProviderSettings.load(environment: ["DUB_CONFIG": path]) }
        chmod(path, 0o600)
        let settings = try ProviderSettings.load(environment: ["DUB_CONFIG": path, "OPENAI_API_KEY": "from-env"])
        #expect(settings["OPENAI_API_KEY"] == "from-env")
        #expect(settings["PAPAGO_URL"] == "https://example.test")
        #expect(settings.configFile == path)
        #expect(throws: ProviderError.self) { try ProviderSettings.load(environment: ["DUB_CONFIG": scratch.path("missing.env")]) }
        let none = try ProviderSettings.load(environment: ["XDG_CONFIG_HOME": scratch.path("nothing")])
        #expect(none.configFile == nil)
    }

    @Test func catalogNamesWhatIsMissing() throws {
        let catalog = ProviderCatalog(settings: ProviderSettings(values: [:]))
        let error = #expect(throws: ProviderError.self) { _ = try catalog.translator("openai") }
        #expect(error?.code == .notConfigured)
        #expect(error?.description.contains("OPENAI_API_KEY") == true)
        #expect(throws: ProviderError.self) { _ = try catalog.isolator("openai") }
        #expect(try catalog.synthesizer("espeak").name == "espeak")
    }

    @Test func costFollowsUsageAndThePlan() throws {
        let whisperHour = CostEstimate.dollars(ProviderUsage(audioSeconds: 3600), provider: "openai")
        #expect(abs(whisperHour - 0.36) < 1e-9)
        var request = DubRequest(input: "in.mp4", output: "out.mp4", to: "es")
        request.tts = "openai"
        let full = CostEstimate.usage(for: try request.resolve(), mediaSeconds: 600, sourceCharacters: 5000)
        #expect(full["openai"]?.audioSeconds == 600)
        #expect((full["openai"]?.characters ?? 0) >= 5000)
        request.subtitles = "es.srt"
        let fromSubtitles = CostEstimate.usage(for: try request.resolve(), mediaSeconds: 600, sourceCharacters: 5000)
        #expect(fromSubtitles["openai"]?.audioSeconds == 0 && fromSubtitles["openai"]?.promptTokens == 0)
        request.separation = "elevenlabs"
        #expect(CostEstimate.usage(for: try request.resolve(), mediaSeconds: 600, sourceCharacters: nil)["elevenlabs"]?.audioSeconds == 600)
    }

    @Test("a request resolves to one plan: defaults applied once, choices as enums, rules enforced")
    func plans() throws {
        var request = DubRequest(input: "in.mp4", output: "out.pt-BR.mkv", to: "pt-BR")
        let plan = try request.resolve()
        #expect(plan.lines == .recognition(provider: DubRequest.defaultASR, maxLine: DubRequest.defaultMaxLine))
        #expect(plan.translator == DubRequest.defaultTranslator && plan.synthesizer == DubRequest.defaultTTS)
        #expect(plan.separation == .local && plan.maxSpeed == DubRequest.defaultMaxSpeed && plan.verifier == nil)
        #expect(plan.target.tag == "pt-BR" && plan.source == nil)
        request.subtitles = "s.srt"
        request.verify = true
        request.asr = "elevenlabs"
        request.stems = ["v.wav", "b.wav"]
        request.from = "eng"
        let subtitled = try request.resolve()
        #expect(subtitled.lines == .targetSubtitles("s.srt") && subtitled.translator == nil && subtitled.recognizer == nil)
        #expect(subtitled.verifier == "elevenlabs" && subtitled.separation == .stems(vocals: "v.wav", background: "b.wav"))
        #expect(subtitled.source?.code == "en")
        request.maxSpeed = 0
        #expect(throws: DubRequestError.self) { try request.resolve() }
    }
}

@Suite("Round-trip check")
struct RoundTripTests {
    @Test func errorRateAndCutOff() {
        #expect(RoundTrip.errorRate(expected: "Hola, ¿qué tal?", heard: "hola que tal", language: "es") > 0) // "qué" ≠ "que"
        #expect(RoundTrip.errorRate(expected: "Hola, ¿qué tal?", heard: "hola qué tal", language: "es") == 0)
        #expect(abs(RoundTrip.errorRate(expected: "one two three four", heard: "one three four five", language: "en") - 0.5) < 1e-9)
        #expect(RoundTrip.errorRate(expected: "今日は晴れ", heard: "今日は晴れ", language: "ja") == 0)
        #expect(abs(RoundTrip.errorRate(expected: "今日は晴れ", heard: "今日は", language: "ja") - 0.4) < 1e-9)
        #expect(RoundTrip.isCutOff(expected: "we will meet tomorrow", heard: "we will meet", language: "en"))
        #expect(!RoundTrip.isCutOff(expected: "we will meet tomorrow", heard: "we'll meet tomorrow", language: "en"))
    }
}
