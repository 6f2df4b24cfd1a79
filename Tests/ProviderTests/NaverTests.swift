import Foundation
import ProviderFakes
import TestSupport
import Testing
import DubSupport
import ProviderAPI
@testable import Providers
@testable import Dubbing

/// CLOVA Voice and Papago (the NAVER API gateway) against the fake; CLOVA Speech is `NaverClovaSpeechTests`.
@Suite("NAVER CLOVA Voice and Papago against the fake")
struct NaverTests {
    static let retry = RetryPolicy(maxAttempts: 3, initialBackoff: 0.05, maxBackoff: 0.2)

    static func gateway(_ server: FakeProviderServer, secret: String = FakeProviderServer.naverClientSecret, meter: UsageMeter = UsageMeter(),
                        logs: LogCapture = LogCapture(), maxConcurrent: Int = 4) -> NaverGatewayClient {
        NaverGatewayClient(clientID: FakeProviderServer.naverClientID, clientSecret: secret, voiceURL: server.baseURL + "/naver/tts-premium/v1/tts",
                           papagoURL: server.baseURL + "/naver/nmt/v1/translation", maxConcurrent: maxConcurrent, retry: retry, meter: meter,
                           logger: logs.logger)
    }

    static let one = TranslationRequest(lines: [TranslationLine(id: 1, text: "hello")], source: "en", target: "ko")

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
        let longer = try await tts.synthesize(SynthesisRequest(text: text + text, language: "ko"), to: scratch.path("d.wav"))
        #expect(abs(normal.duration / fast.duration - 2) < 0.02)
        #expect(abs(slow.duration / normal.duration - 2) < 0.02)
        #expect(abs(longer.duration / normal.duration - 2) < 0.02)
        // Between the ends the mapping rounds to CLOVA's integer steps: the audio follows the rounded factor.
        for factor in [0.8, 1.25, 1.6] {
            let step = ClovaVoiceSynthesizer.clovaSpeed(factor)
            let audio = try await tts.synthesize(SynthesisRequest(text: text, language: "ko", speed: factor), to: scratch.path("s\(factor).wav"))
            #expect(abs(normal.duration / audio.duration - ClovaVoiceSynthesizer.playbackFactor(step)) < 0.02)
            #expect(abs(ClovaVoiceSynthesizer.playbackFactor(step) - factor) <= 0.1, "\(factor) → \(step)")
        }
        // The public API's range is −5…5 ("−5: 2x faster", "5: 0.5x slower"); nothing outside it is ever sent.
        #expect(ClovaVoiceSynthesizer.clovaSpeed(1) == 0 && ClovaVoiceSynthesizer.clovaSpeed(2) == -5 && ClovaVoiceSynthesizer.clovaSpeed(0.5) == 5)
        #expect(ClovaVoiceSynthesizer.clovaSpeed(1.15) == -1 && ClovaVoiceSynthesizer.clovaSpeed(4) == -5 && ClovaVoiceSynthesizer.clovaSpeed(0.1) == 5)
        #expect(stride(from: 0.3, through: 3, by: 0.01).allSatisfy { (-5...5).contains(ClovaVoiceSynthesizer.clovaSpeed($0)) })
        #expect(tts.speedRange == 0.5...2.0)
        #expect(meter.snapshot["clova-voice"]?.characters == 8 * text.count)
        let english = try await tts.synthesize(SynthesisRequest(text: "Hello there.", language: "en-US"), to: scratch.path("e.wav"))
        #expect(english.duration > 0.5)
        #expect(server.control.requests.allSatisfy { $0.headers["x-ncp-apigw-api-key-id"] == FakeProviderServer.naverClientID })
    }

    @Test func clovaVoiceBadInputFailsBeforeSendingOrFastWithTheServiceMessage() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let tts = ClovaVoiceSynthesizer(client: Self.gateway(server))
        #expect(ClovaVoiceSynthesizer.textLimit == 2_000)
        let long = await #expect(throws: ProviderError.self) {
            _ = try await tts.synthesize(SynthesisRequest(text: String(repeating: "가", count: 2_001), language: "ko"), to: scratch.path("a.wav"))
        }
        #expect(long?.description.contains("2001 characters") == true && long?.description.contains("2000") == true)
        let noVoice = await #expect(throws: ProviderError.self) {
            _ = try await tts.synthesize(SynthesisRequest(text: "Moi", language: "fi"), to: scratch.path("b.wav"))
        }
        #expect(noVoice?.description.contains("Finnish (fi)") == true && noVoice?.code == .unsupported)
        #expect(server.control.requests.isEmpty)
        let bad = await #expect(throws: ProviderError.self) {
            _ = try await tts.synthesize(SynthesisRequest(text: "안녕", language: "ko", voice: "nobody"), to: scratch.path("c.wav"))
        }
        #expect(bad?.status == 400 && bad?.description.contains("VS02 Unsupported speaker") == true && bad?.attempts == 1)
        #expect(server.control.requests.count == 1)
    }

    @Test func clovaVoiceRetriesThrottlesStallsAndCutsButNotTheQuota() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        var client = Self.gateway(server)
        // A stall far past the timeout; the timeout itself leaves room for a loaded 2-core machine to answer.
        client.timeouts.deadline = 15
        let tts = ClovaVoiceSynthesizer(client: client)
        let line = SynthesisRequest(text: "안녕하세요", language: "ko")
        server.control.injectQuirk("throttle", on: "/tts")
        server.control.inject(.rateLimited(retryAfter: nil), on: "/tts")
        _ = try await tts.synthesize(line, to: scratch.path("a.wav"))
        #expect(server.control.requests.count == 3)
        server.control.inject(.stall(seconds: 120), .truncatedBody, on: "/tts")
        _ = try await tts.synthesize(line, to: scratch.path("b.wav"))
        #expect(server.control.requests.count == 6)
        server.control.inject(.quota, on: "/tts")
        let quota = await #expect(throws: ProviderError.self) { _ = try await tts.synthesize(line, to: scratch.path("c.wav")) }
        #expect(quota?.code == .quota && quota?.attempts == 1 && quota?.requestID != nil)
        for part in ["NAVER", "Quota Exceeded", "HTTP 429", "request id"] { #expect(quota?.description.contains(part) == true) }
        #expect(server.control.requests.count == 7)
    }

    @Test func papagoTranslatesEveryLineConcurrentlyWithinTheLimit() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.latency = 0.2
        let meter = UsageMeter()
        let translator = PapagoTranslator(client: Self.gateway(server, meter: meter, maxConcurrent: 2))
        #expect(!translator.followsBudgets)
        let lines = (0..<6).map { TranslationLine(id: $0 * 3, text: "line \($0)") }
        let result = try await translator.translate(TranslationRequest(lines: lines, source: "en", target: "ko", glossary: ["line": "줄"]))
        #expect(result.count == 6 && Set(result.keys) == Set(lines.map(\.id)))
        for line in lines { #expect(result[line.id] == "[en→ko] \(line.text)") }
        let times = server.control.requests.map(\.at).sorted()
        #expect(times.count == 6)
        #expect(times[1] - times[0] < .milliseconds(150))   // two in flight at once
        #expect(times[2] - times[0] >= .milliseconds(180))  // never three
        #expect(meter.snapshot["papago"]?.characters == lines.reduce(0) { $0 + $1.text.count })
        server.control.latency = 0
        let chinese = try await translator.translate(TranslationRequest(lines: [TranslationLine(id: 7, text: "안녕하세요")], source: nil, target: "zh"))
        #expect(chinese[7] == "[ko→zh-CN] 안녕하세요")
        #expect(PapagoTranslator.code("zh-TW") == "zh-TW" && PapagoTranslator.code("EN") == "en" && PapagoTranslator.code("zh-Hant") == "zh-TW")
    }

    @Test func papagoRetriesTransientFaultsAndFailsFastOnPermanentOnes() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let logs = LogCapture()
        let translator = PapagoTranslator(client: Self.gateway(server, logs: logs))
        server.control.inject(.rateLimited(retryAfter: "0.3"), .serverError(503), on: "/translation")
        #expect(try await translator.translate(Self.one)[1] == "[en→ko] hello")
        var requests = server.control.requests
        #expect(requests.count == 3 && requests[1].at - requests[0].at >= .milliseconds(300))
        server.control.inject(.rateLimited(retryAfter: nil, retryAfterMs: "250"), .serverError(500), on: "/translation")
        #expect(try await translator.translate(Self.one).count == 1)
        requests = server.control.requests
        #expect(requests.count == 6 && requests[4].at - requests[3].at >= .milliseconds(250))
        server.control.inject(.malformedJSON, on: "/translation")
        #expect(try await translator.translate(Self.one).count == 1)
        #expect(server.control.requests.count == 8)
        server.control.inject(.quota, on: "/translation")
        let quota = await #expect(throws: ProviderError.self) { _ = try await translator.translate(Self.one) }
        #expect(quota?.code == .quota && quota?.attempts == 1)
        for part in ["NAVER", "HTTP 429", "request id"] { #expect(quota?.description.contains(part) == true) }
        #expect(server.control.requests.count == 9)
        // Papago's own errors come flat ({"errorCode","errorMessage"}): read too, and not retried.
        let same = await #expect(throws: ProviderError.self) {
            _ = try await translator.translate(TranslationRequest(lines: [TranslationLine(id: 1, text: "x")], source: "ko", target: "ko"))
        }
        #expect(same?.status == 400 && same?.description.contains("N2MT05 source and target must be different") == true)
        #expect(server.control.requests.count == 10)
        server.control.injectQuirk("empty", on: "/translation")
        let empty = await #expect(throws: ProviderError.self) { _ = try await translator.translate(Self.one) }
        #expect(empty?.code == .badResponse && empty?.description.contains("empty translation for line 1") == true)
        let tooLong = await #expect(throws: ProviderError.self) {
            _ = try await translator.translate(TranslationRequest(lines: [TranslationLine(id: 4, text: String(repeating: "a", count: 5_001))],
                                                                  source: "en", target: "ko"))
        }
        #expect(tooLong?.description.contains("line 4") == true && server.control.requests.count == 11)
        let wrong = "ncp-wrong-secret-never-logged"
        let auth = await #expect(throws: ProviderError.self) {
            _ = try await PapagoTranslator(client: Self.gateway(server, secret: wrong, logs: logs)).translate(Self.one)
        }
        #expect(auth?.code == .authentication && auth?.description.contains("200 Authentication Failed") == true)
        #expect(!logs.text.isEmpty)
        for secret in [wrong, FakeProviderServer.naverClientSecret, FakeProviderServer.naverClientID] { #expect(!logs.text.contains(secret)) }
        #expect(auth.map { !"\($0)".contains(wrong) } == true)
    }

    @Test func gatewayClientComesFromTheEnvironment() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        #expect(NaverGatewayClient(environment: [:]) == nil)
        #expect(NaverGatewayClient(environment: ["NCP_CLIENT_ID": "id"]) == nil)
        #expect(NaverGatewayClient(environment: ["NCP_CLIENT_ID": "id", "NCP_CLIENT_SECRET": "s"])?.papagoURL == NaverGatewayClient.defaultPapagoURL)
        let client = try #require(NaverGatewayClient(environment: server.environment))
        #expect(try await PapagoTranslator(client: client).translate(Self.one)[1] == "[en→ko] hello")
    }
}
