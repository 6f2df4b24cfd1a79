import AudioKitCore
import Foundation
import ProviderFakes
import TestSupport
import Testing
import DubSupport
import ProviderAPI
@testable import Providers
@testable import Dubbing

/// What the providers' official specifications ask that our own notes did not: slow answers, current error shapes,
/// model-aware parameters, every language form.
@Suite("Provider clients against the official specifications (fakes)")
struct SpecConformanceTests {
    static let retry = RetryPolicy(maxAttempts: 3, initialBackoff: 0.05, maxBackoff: 0.2)

    static func openAI(_ server: FakeProviderServer, timeouts: HTTPTimeouts = HTTPTimeouts(deadline: 600)) -> OpenAIClient {
        OpenAIClient(apiKey: FakeProviderServer.openAIKey, baseURL: server.baseURL + "/v1", retry: retry, timeouts: timeouts)
    }

    // MARK: The HTTP layer's phases

    @Test("an answer after a think time longer than the stall window succeeds on the first attempt, with one upload")
    func thinkTimeIsNotAStall() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        // The server reads the upload, then thinks 3 s without sending a byte; the stall window is 1 s.
        server.control.inject(.stall(seconds: 3), on: "/audio/transcriptions")
        let transcriber = OpenAITranscriber(client: Self.openAI(server, timeouts: HTTPTimeouts(connect: 5, stall: 1, deadline: 120)))
        let transcript = try await transcriber.transcribe(TranscriptionRequest(audioPath: Repository.sample("english.mp4"), language: "en"))
        #expect(!transcript.segments.isEmpty)
        #expect(server.control.requests.filter { $0.path.hasSuffix("/audio/transcriptions") }.count == 1, "the upload was sent again")
    }

    @Test("a body that stops half-way is abandoned after the stall window and asked again")
    func midBodyStallIsRetried() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.stallMidBody(seconds: 120), on: "/audio/speech")
        let client = Self.openAI(server, timeouts: HTTPTimeouts(connect: 5, stall: 1, deadline: 120))
        let scratch = try Scratch()
        let audio = try await OpenAISpeechSynthesizer(client: client).synthesize(SynthesisRequest(text: "Hello there.", language: "en"),
                                                                                 to: scratch.path("a.wav"))
        #expect(audio.duration > 0.2)
        #expect(server.control.requests.count == 2)
    }

    @Test("the request's deadline ends a think time that goes on too long, and each attempt counts")
    func deadlineIsHonoured() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.stall(seconds: 120), .stall(seconds: 120), .stall(seconds: 120), on: "/audio/speech")
        let client = Self.openAI(server, timeouts: HTTPTimeouts(connect: 5, stall: 0.5, deadline: 1.5))
        let error = await #expect(throws: ProviderError.self) {
            _ = try await client.postJSON("/audio/speech", ["model": "tts-1", "input": "x", "voice": "alloy", "response_format": "pcm"])
        }
        #expect(error?.code == .timeout && error?.attempts == 3)
        #expect(error?.description.contains("deadline") == true, "\(String(describing: error))")
    }

    @Test("an upload the server stops taking is abandoned after the stall window (not the deadline) and retried")
    func uploadStall() async throws {
        let listener = try SilentListener()
        defer { listener.stop() }
        var request = HTTPRequest(url: "http://127.0.0.1:\(listener.port)/v1/audio/transcriptions",
                                  body: .bytes([UInt8](repeating: 7, count: 64 << 20), contentType: "application/octet-stream"))
        HTTPTimeouts(connect: 5, stall: 1, deadline: 600).apply(to: &request)
        let client = HTTPClient(provider: "test", retry: RetryPolicy(maxAttempts: 2, initialBackoff: 0.05, maxBackoff: 0.1))
        let error = await #expect(throws: ProviderError.self) { _ = try await client.send(request) }
        #expect(error?.code == .timeout && error?.attempts == 2)
        #expect(error?.description.contains("no upload progress") == true, "\(String(describing: error))")
        #expect(listener.connections == 2)
    }

    @Test("each provider's limits come from its settings, with the official SDKs' deadlines by default")
    func timeoutsFromSettings() {
        let none = ProviderSettings(values: [:])
        #expect(HTTPTimeouts.forProvider("OPENAI", settings: none).deadline == 600)
        #expect(HTTPTimeouts.forProvider("ELEVENLABS", settings: none).deadline == 240)
        #expect(HTTPTimeouts.forProvider("NCP", settings: none).deadline == 120)
        let clova = HTTPTimeouts.forProvider("CLOVA_SPEECH", settings: none)
        #expect(clova.deadline(forAudioSeconds: 7_200) == 600 + 7_200)
        let set = HTTPTimeouts.forProvider("OPENAI", settings: ProviderSettings(values: ["OPENAI_TIMEOUT": "30", "OPENAI_STALL_TIMEOUT": "5",
                                                                                        "OPENAI_CONNECT_TIMEOUT": "2", "ELEVENLABS_TIMEOUT": "9"]))
        #expect(set == HTTPTimeouts(connect: 2, stall: 5, deadline: 30))
        #expect(HTTPTimeouts.forProvider("OPENAI", settings: ProviderSettings(values: ["OPENAI_TIMEOUT": "-1"])).deadline == 600)
        var request = HTTPRequest(url: "http://127.0.0.1/")
        set.apply(to: &request, audioSeconds: 600)
        #expect(request.totalTimeout == 330 && request.stallTimeout == 5 && request.connectTimeout == 2)
    }

    // MARK: OpenAI, model by model

    @Test("OPENAI_TRANSCRIBE_MODEL=gpt-4o-transcribe: json only, the speech sent as utterances, each timed by its place")
    func gpt4oTranscribeIsTimedByUtterance() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let transcriber = OpenAITranscriber(client: Self.openAI(server), model: "gpt-4o-transcribe")
        let transcript = try await transcriber.transcribe(TranscriptionRequest(audioPath: Repository.sample("english.mp4"), language: "en"))
        struct Line: Decodable { var start: Double; var end: Double }
        let truth = try JSONDecoder().decode([Line].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample("english.lines.json"))))
        // One utterance per spoken line of the sample, each where the line is.
        #expect(transcript.segments.count == truth.count, "\(transcript.segments.map { ($0.start, $0.end) })")
        for (segment, line) in zip(transcript.segments, truth) {
            #expect(abs(segment.start - line.start) < 0.35 && abs(segment.end - line.end) < 0.35, "\(segment.start)–\(segment.end) vs \(line)")
            #expect(!segment.text.isEmpty)
        }
        #expect(server.control.requests.count == truth.count)
        // The diarize model gives no timing dub can use: refused before anything is sent, naming what works.
        let refused = await #expect(throws: ProviderError.self) {
            _ = try await OpenAITranscriber(client: Self.openAI(server), model: "gpt-4o-transcribe-diarize")
                .transcribe(TranscriptionRequest(audioPath: Repository.sample("english.mp4")))
        }
        #expect(refused?.code == .unsupported && refused?.description.contains("whisper-1") == true)
        #expect(server.control.requests.count == truth.count)
    }

    @Test("OPENAI_TRANSLATE_MODEL=gpt-5 (a reasoning model): no temperature is sent and the translation works; gpt-4o-mini keeps its own")
    func reasoningModelsGetNoTemperature() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let request = TranslationRequest(lines: [TranslationLine(id: 1, text: "Hello.")], source: "en", target: "pt-BR")
        for model in ["gpt-5", "o4-mini", "gpt-4o-mini"] {
            let translator = OpenAITranslator(client: Self.openAI(server), model: model)
            #expect(try translator.body(request)["temperature"] == nil || !OpenAITranslator.isReasoning(model))
            let result = try await translator.translate(request)
            #expect(result[1] == "[pt-BR] Hello.", "\(model): \(result)")
        }
        #expect(OpenAITranslator.isReasoning("o1") && OpenAITranslator.isReasoning("gpt-5.1-mini") && !OpenAITranslator.isReasoning("gpt-4.1"))
        #expect(OpenAITranslator.instructions(request).contains("Portuguese (Brazil) (pt-BR)"))
    }

    @Test("a speech input over 4,096 characters is refused before sending")
    func speechInputLimit() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let error = await #expect(throws: ProviderError.self) {
            _ = try await OpenAISpeechSynthesizer(client: Self.openAI(server))
                .synthesize(SynthesisRequest(text: String(repeating: "a", count: 4_097), language: "en"), to: scratch.path("a.wav"))
        }
        #expect(error?.code == .unsupported && server.control.requests.isEmpty)
    }

    // MARK: ElevenLabs

    @Test("ElevenLabs: a quota error that carries only detail.code says quota (not the key) and is not retried; current 429 codes are retried")
    func elevenLabsCurrentErrors() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let tts = ElevenLabsSpeechSynthesizer(client: ElevenLabsTests.client(server))
        server.control.injectQuirk("quota-code-only", on: "/21m00Tcm4TlvDq8ikWAM")
        let quota = await #expect(throws: ProviderError.self) {
            _ = try await tts.synthesize(SynthesisRequest(text: "Hola.", language: "es"), to: scratch.path("a.wav"))
        }
        #expect(quota?.code == .quota && quota?.attempts == 1, "\(String(describing: quota))")
        #expect(quota?.description.contains("quota") == true && quota?.description.contains("check the API key") == false)
        server.control.injectQuirk("concurrent-limit", on: "/21m00Tcm4TlvDq8ikWAM")
        server.control.inject(.rateLimited(retryAfter: nil), on: "/21m00Tcm4TlvDq8ikWAM")
        _ = try await tts.synthesize(SynthesisRequest(text: "Hola.", language: "es"), to: scratch.path("b.wav"))
        #expect(server.control.requests.count == 1 + 3)
        let message = ElevenLabsClient.errorMessage(HTTPResponse(status: 429, headers: [:], body: Array(#"{"detail":{"code":"concurrent_limit_exceeded"}}"#.utf8)))
        #expect(message?.contains("too many requests at once") == true)
    }

    @Test("ElevenLabs TTS: language_code only to models that take it; the same speaker's neighbouring lines as previous_text and next_text")
    func elevenLabsLanguageAndContext() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        func sent() throws -> [String: Any] {
            try #require(server.control.requests.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] })
        }
        _ = try await ElevenLabsSpeechSynthesizer(client: ElevenLabsTests.client(server), model: "eleven_flash_v2_5")
            .synthesize(SynthesisRequest(text: "Olá.", language: "pt-BR"), to: scratch.path("a.wav"))
        #expect(try sent()["language_code"] as? String == "pt")
        let synthesizer = ElevenLabsSpeechSynthesizer(client: ElevenLabsTests.client(server))
        let voice = LineVoice(synthesizer: synthesizer, voice: nil, language: "es")
        let runner = try StageRunner(folder: try WorkFolder(root: scratch.path("work")))
        let lines = [DubLine(id: 0, start: 0, end: 1, speaker: "A", source: "", text: "Uno."),
                     DubLine(id: 1, start: 1, end: 2, speaker: "B", source: "", text: "Dos."),
                     DubLine(id: 2, start: 2, end: 3, speaker: "A", source: "", text: "Tres."),
                     DubLine(id: 3, start: 3, end: 4, speaker: "A", source: "", text: "Cuatro.")]
        _ = try await voice.speak(lines[2], among: lines, speed: 1, runner: runner)
        let body = try sent()
        #expect(body["previous_text"] as? String == "Uno." && body["next_text"] as? String == "Cuatro.", "\(body)")
        #expect(body["language_code"] == nil)
        // The context is not part of the line's cache key: the same line among other neighbours is not spoken again.
        let count = server.control.requests.count
        _ = try await voice.speak(lines[2], among: [lines[2]], speed: 1, runner: runner)
        #expect(server.control.requests.count == count)
    }

    @Test("Scribe: audio over one request's limit is sent in parts and joined with their offsets")
    func scribeParts() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        var whole = ElevenLabsTranscriber(client: ElevenLabsTests.client(server))
        let reference = try await whole.transcribe(TranscriptionRequest(audioPath: Repository.sample("english.mp4"), language: "en"))
        whole.chunker = AudioChunker(maxSeconds: 10, searchWindow: 3, maxBytes: 3_000_000_000)
        let parts = try await whole.transcribe(TranscriptionRequest(audioPath: Repository.sample("english.mp4"), language: "eng"))
        #expect(server.control.requests.count == 1 + 3)
        let words = parts.segments.flatMap(\.words), referenceWords = reference.segments.flatMap(\.words)
        #expect(abs(words.count - referenceWords.count) <= 2, "\(words.count) vs \(referenceWords.count)")
        #expect((words.last?.end ?? 0) > 20, "the parts after the first were dropped")
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.start <= $1.start })
        #expect(parts.language == "en")
    }

    // MARK: NAVER

    @Test("CLOVA Speech: diarization is always explicit; a domain with speaker recognition off is retried once without it, and says so")
    func clovaDiarization() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let logs = LogCapture()
        let transcriber = NaverClovaSpeechTests.speech(server, logs: logs)
        _ = try await transcriber.transcribe(TranscriptionRequest(audioPath: Repository.sample("korean.mp4"), language: "ko"))
        #expect(server.control.kept("clova-params").last?.contains(#""diarization":{"enable":false}"#) == true,
                "\(server.control.kept("clova-params"))")
        server.control.injectQuirk("speaker-off", on: "/recognizer/upload")
        let transcript = try await transcriber.transcribe(TranscriptionRequest(audioPath: Repository.sample("korean.mp4"), language: "ko", diarize: true))
        #expect(server.control.requests.filter { $0.path.hasSuffix("/recognizer/upload") }.count == 1 + 2)
        #expect(transcript.segments.allSatisfy { $0.speaker == nil } && !transcript.segments.isEmpty)
        #expect(transcript.notes?.first?.contains("speaker recognition is off") == true)
        #expect(logs.text.contains("turn it on in the NAVER Cloud console"))
    }

    @Test("CLOVA Speech and Papago: every language they have, in their own forms; another is refused before anything is sent")
    func naverLanguages() async throws {
        #expect(ClovaSpeechTranscriber.language("ko-KR") == "ko-KR" && ClovaSpeechTranscriber.language("en-GB") == "en-US")
        #expect(ClovaSpeechTranscriber.language("zh-TW") == "zh-tw" && ClovaSpeechTranscriber.language("zh-Hans") == "zh-cn")
        #expect(ClovaSpeechTranscriber.language("ja") == "ja" && ClovaSpeechTranscriber.language(nil) == "enko")
        #expect(ClovaSpeechTranscriber.language("es") == nil)
        #expect(PapagoTranslator.code("zh-TW") == "zh-TW" && PapagoTranslator.code("zh") == "zh-CN" && PapagoTranslator.code("zh-Hant") == "zh-TW")
        #expect(PapagoTranslator.code("pt-BR") == nil && PapagoTranslator.code("vi") == "vi")
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let refused = await #expect(throws: ProviderError.self) {
            _ = try await NaverClovaSpeechTests.speech(server).transcribe(TranscriptionRequest(audioPath: Repository.sample("korean.mp4"), language: "es"))
        }
        #expect(refused?.code == .unsupported && refused?.description.contains("Spanish") == true)
        let papago = await #expect(throws: ProviderError.self) {
            _ = try await PapagoTranslator(client: NaverTests.gateway(server)).translate(
                TranslationRequest(lines: [TranslationLine(id: 1, text: "hi")], source: "en", target: "pt-BR"))
        }
        #expect(papago?.code == .unsupported)
        #expect(server.control.requests.isEmpty)
        let traditional = try await PapagoTranslator(client: NaverTests.gateway(server)).translate(
            TranslationRequest(lines: [TranslationLine(id: 1, text: "hello")], source: "en", target: "zh-TW"))
        #expect(traditional[1] == "[en→zh-TW] hello")
    }
}

@Suite("One language type")
struct LanguageTests {
    @Test("codes, tags and names in; ISO 639-1, 639-2/B, 639-3, the tag and a name out; script and region kept")
    func forms() throws {
        for text in ["en", "eng", "EN", "english", "English", "en-US", "en_US"] { #expect(try Language(text).code == "en", "\(text)") }
        let brazil = try Language("pt-BR")
        #expect(brazil.tag == "pt-BR" && brazil.alpha3 == "por" && brazil.region == "BR" && brazil.displayName == "Portuguese (Brazil)")
        let taiwan = try Language("zh-TW")
        #expect(taiwan.tag == "zh-TW" && taiwan.script == "Hant" && taiwan.isTraditionalChinese && taiwan.alpha3 == "chi" && taiwan.alpha3T == "zho")
        #expect(try Language("zh-Hant").tag == "zh-Hant" && (try Language("zh-Hant")).isTraditionalChinese)
        #expect(try Language("zh-hans-cn").tag == "zh-CN" && !(try Language("zh-CN")).isTraditionalChinese)
        #expect(try Language("ko-KR").code == "ko" && (try Language("ger")).code == "de" && (try Language("deu")).alpha3 == "ger")
        #expect(try Language("es-419").displayName == "Spanish (Latin America)")
        #expect(try Language("iw").code == "he" && (try Language("cmn")).code == "zh" && (try Language("fil")).code == "tl")
        #expect(try JSONDecoder().decode(Language.self, from: Data(#""pt-BR""#.utf8)) == brazil)
        #expect(String(decoding: try JSONEncoder().encode(Language("es")), as: UTF8.self) == #""es""#)
    }

    @Test("an unknown language is refused with a suggestion when one is close", arguments: [
        ("spanihs", "'es'"), ("englsh", "'en'"), ("portugese", "'pt'"), ("xx", "unknown language code 'xx'"), ("", "no language"), ("und", "unknown language code 'und'"), ("en-XYZW1", "cannot read"),
    ])
    func unknown(text: String, hint: String) {
        let error = #expect(throws: MediaError.self) { try Language(text) }
        #expect(error?.description.contains(hint) == true, "\(String(describing: error))")
    }
}
