import AudioKitCore
import Foundation
import ProviderFakes
import TestSupport
import Testing
@testable import Pipeline

@Suite("NAVER CLOVA Speech, CLOVA Voice and Papago against the fake")
struct NaverTests {
    static let retry = RetryPolicy(maxAttempts: 3, initialBackoff: 0.05, maxBackoff: 0.2)

    static func gateway(_ server: FakeProviderServer, secret: String = FakeProviderServer.naverClientSecret, meter: UsageMeter = UsageMeter(),
                        logs: LogCapture = LogCapture(), maxConcurrent: Int = 4) -> NaverGatewayClient {
        NaverGatewayClient(clientID: FakeProviderServer.naverClientID, clientSecret: secret, voiceURL: server.baseURL + "/naver/tts-premium/v1/tts",
                           papagoURL: server.baseURL + "/naver/nmt/v1/translation", maxConcurrent: maxConcurrent, retry: retry, meter: meter,
                           logger: logs.logger)
    }

    static func speech(_ server: FakeProviderServer, meter: UsageMeter = UsageMeter()) -> ClovaSpeechTranscriber {
        var transcriber = ClovaSpeechTranscriber(client: ClovaSpeechClient(invokeURL: server.baseURL + "/clova", secret: FakeProviderServer.clovaSpeechSecret,
                                                                           retry: retry, meter: meter))
        transcriber.pollInterval = 0.05
        return transcriber
    }

    struct Truth: Decodable {
        var start: Double
        var end: Double
    }

    @Test func clovaVoiceLengthFollowsTextAndTheSpeedMapping() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let meter = UsageMeter()
        let tts = ClovaVoiceSynthesizer(client: Self.gateway(server, meter: meter))
        let text = String(repeating: "안녕하세요 반갑습니다 ", count: 5)
        let normal = try await tts.synthesize(SynthesisRequest(text: text, language: "ko"), to: scratch.path("a.wav"))
        let fast = try await tts.synthesize(SynthesisRequest(text: text, language: "ko", speed: 2), to: scratch.path("b.wav"))
        let slow = try await tts.synthesize(SynthesisRequest(text: text, language: "ko", speed: 0.5), to: scratch.path("c.wav"))
        #expect(abs(normal.duration / fast.duration - 2) < 0.02)
        #expect(abs(slow.duration / normal.duration - 2) < 0.02)
        #expect(ClovaVoiceSynthesizer.clovaSpeed(1) == 0 && ClovaVoiceSynthesizer.clovaSpeed(2) == -5 && ClovaVoiceSynthesizer.clovaSpeed(0.5) == 10)
        #expect(ClovaVoiceSynthesizer.clovaSpeed(1.15) == -1)
        #expect(meter.snapshot["clova-voice"]?.characters == 3 * text.count)
        let bad = await #expect(throws: ProviderError.self) {
            _ = try await tts.synthesize(SynthesisRequest(text: text, language: "ko", voice: "nobody"), to: scratch.path("d.wav"))
        }
        #expect(bad?.status == 400 && bad?.description.contains("VS02") == true)
    }

    @Test func papagoTranslatesEveryLineConcurrentlyWithinTheLimit() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.latency = 0.2
        let meter = UsageMeter()
        let lines = (0..<6).map { TranslationLine(id: $0 * 3, text: "line \($0)") }
        let result = try await PapagoTranslator(client: Self.gateway(server, meter: meter, maxConcurrent: 2)).translate(
            TranslationRequest(lines: lines, source: "en", target: "ko"))
        #expect(result.count == 6 && result[9] == "[en→ko] line 3")
        let times = server.control.requests.map(\.at).sorted()
        #expect(times[2] - times[0] >= .milliseconds(180))
        #expect(meter.snapshot["papago"]?.characters == lines.reduce(0) { $0 + $1.text.count })
    }

    @Test(arguments: [false, true])
    func clovaSpeechTimesAreMillisecondsAndFollowTheSpeech(async: Bool) async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        if async { server.control.injectQuirk("async", on: "/recognizer/upload") }
        let meter = UsageMeter()
        let transcript = try await Self.speech(server, meter: meter).transcribe(
            TranscriptionRequest(audioPath: Repository.sample("korean.mp4"), language: "ko", diarize: true, speakers: 2))
        let truth = try JSONDecoder().decode([Truth].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample("korean.lines.json"))))
        for line in truth {
            let covered = transcript.segments.reduce(0.0) { $0 + max(0, min($1.end, line.end) - max($1.start, line.start)) }
            #expect(covered > 0.6 * (line.end - line.start))
        }
        for segment in transcript.segments {
            #expect(truth.contains { segment.start >= $0.start - 0.3 && segment.end <= $0.end + 0.3 })
            #expect(!segment.words.isEmpty && segment.words.allSatisfy { $0.start >= segment.start - 0.001 && $0.end <= segment.end + 0.001 })
            #expect(segment.speaker != nil)
        }
        #expect(server.control.requests.count == (async ? 2 : 1))
        #expect((meter.snapshot["clova-speech"]?.audioSeconds ?? 0) > 5)
    }

    @Test func retriedFaultsSucceedAndPermanentOnesFailFast() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let logs = LogCapture()
        let translator = PapagoTranslator(client: Self.gateway(server, logs: logs))
        let one = TranslationRequest(lines: [TranslationLine(id: 1, text: "hello")], source: "en", target: "ko")
        server.control.inject(.rateLimited(retryAfter: "0.3"), .serverError(503), on: "/translation")
        #expect(try await translator.translate(one)[1] == "[en→ko] hello")
        let requests = server.control.requests
        #expect(requests.count == 3 && requests[1].at - requests[0].at >= .milliseconds(300))
        server.control.inject(.malformedJSON, on: "/translation")
        #expect(try await translator.translate(one).count == 1)
        #expect(server.control.requests.count == 5)
        server.control.inject(.quota, on: "/translation")
        let quota = await #expect(throws: ProviderError.self) { _ = try await translator.translate(one) }
        #expect(quota?.code == .quota && quota?.description.contains("NAVER") == true && quota?.description.contains("request id") == true)
        #expect(server.control.requests.count == 6)
        let same = await #expect(throws: ProviderError.self) {
            _ = try await translator.translate(TranslationRequest(lines: [TranslationLine(id: 1, text: "x")], source: "ko", target: "ko"))
        }
        #expect(same?.status == 400 && same?.description.contains("N2MT04") == true)
        let wrong = "ncp-wrong-secret-never-logged"
        let auth = await #expect(throws: ProviderError.self) {
            _ = try await PapagoTranslator(client: Self.gateway(server, secret: wrong, logs: logs)).translate(one)
        }
        #expect(auth?.code == .authentication)
        #expect(!logs.text.contains(wrong) && !logs.text.contains(FakeProviderServer.naverClientSecret))
        server.control.inject(.truncatedBody, on: "/recognizer/upload")
        let transcript = try await Self.speech(server).transcribe(TranscriptionRequest(audioPath: Repository.sample("mono.wav"), language: "en"))
        #expect(!transcript.segments.isEmpty)
    }
}
