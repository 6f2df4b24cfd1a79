import AudioKitCore
import Foundation
import Logging
import ProviderFakes
import TestSupport
import Testing
import DubSupport
import ProviderAPI
@testable import Providers
@testable import Dubbing

@Suite("OpenAI speech against the fake")
struct OpenAISpeechTests {
    static func client(_ server: FakeProviderServer, key: String = FakeProviderServer.openAIKey, attempts: Int = 4,
                       logger: Logger = Logger(label: "test")) -> OpenAISpeechSynthesizer {
        let retry = RetryPolicy(maxAttempts: attempts, initialBackoff: 0.05, maxBackoff: 0.2)
        return OpenAISpeechSynthesizer(client: OpenAIClient(apiKey: key, baseURL: server.baseURL + "/v1", retry: retry, logger: logger))
    }

    @Test func durationFollowsTextAndSpeed() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let tts = Self.client(server)
        let text = String(repeating: "hello world ", count: 10)
        let normal = try await tts.synthesize(SynthesisRequest(text: text, language: "en"), to: scratch.path("a.wav"))
        let fast = try await tts.synthesize(SynthesisRequest(text: text, language: "en", speed: 2), to: scratch.path("b.wav"))
        #expect(abs(normal.duration / fast.duration - 2) < 0.01)
        let reader = try SoundFileReader(path: normal.path)
        #expect(reader.sampleRate == 24_000)
        #expect(abs(reader.duration - normal.duration) < 1e-6)
        #expect(normal.characters == text.count)
        #expect(server.control.requests.last?.headers["authorization"] == "Bearer \(FakeProviderServer.openAIKey)")
    }

    @Test func rateLimitWithRetryAfterWaitsAtLeastThatLong() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.rateLimited(retryAfter: "0.6"), on: "/audio/speech")
        let scratch = try Scratch()
        let started = ContinuousClock.now
        _ = try await Self.client(server).synthesize(SynthesisRequest(text: "Hi there.", language: "en"), to: scratch.path("a.wav"))
        let requests = server.control.requests
        #expect(requests.count == 2)
        #expect(requests[1].at - requests[0].at >= .milliseconds(600))
        #expect(ContinuousClock.now - started >= .milliseconds(600))
    }

    @Test func retryAfterMsWinsAndBackoffWithoutHeader() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.rateLimited(retryAfter: "60", retryAfterMs: "100"), .rateLimited(retryAfter: nil), on: "/audio/speech")
        let scratch = try Scratch()
        _ = try await Self.client(server).synthesize(SynthesisRequest(text: "Hi there.", language: "en"), to: scratch.path("a.wav"))
        #expect(server.control.requests.count == 3)
        // The 60 s Retry-After was not used: RetryPolicyTests checks that choice; here the requests went through.
    }

    @Test func serverErrorsRetriedThenSucceed() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.serverError(500), .serverError(503), on: "/audio/speech")
        let scratch = try Scratch()
        let audio = try await Self.client(server).synthesize(SynthesisRequest(text: "Hi there.", language: "en"), to: scratch.path("a.wav"))
        #expect(audio.duration > 0)
        #expect(server.control.requests.count == 3)
    }

    @Test func truncatedBodyRetried() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.truncatedBody, on: "/audio/speech")
        let scratch = try Scratch()
        let audio = try await Self.client(server).synthesize(SynthesisRequest(text: "Hi there.", language: "en"), to: scratch.path("a.wav"))
        #expect(audio.duration > 0)
        #expect(server.control.requests.count == 2)
    }

    @Test func stallPastTimeoutFailsAsTimeout() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.stall(seconds: 30), .stall(seconds: 30), on: "/audio/speech")
        let client = OpenAIClient(apiKey: FakeProviderServer.openAIKey, baseURL: server.baseURL + "/v1",
                                  retry: RetryPolicy(maxAttempts: 2, initialBackoff: 0.05), timeouts: HTTPTimeouts(deadline: 0.5))
        let error = await #expect(throws: ProviderError.self) {
            _ = try await client.postJSON("/audio/speech", ["model": "tts-1", "input": "x", "voice": "alloy", "response_format": "pcm"])
        }
        #expect(error?.code == .timeout)
        #expect(error?.attempts == 2)
        // Without the timeout the first attempt would have succeeded after its 30 s stall, so the error itself proves
        // the timeout fired. (No wall-clock bound: with the whole suite running on 2 cores, this task has been seen
        // waiting tens of seconds for a thread.)
    }

    @Test func quotaFailsFastWithClearMessage() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.quota, on: "/audio/speech")
        let scratch = try Scratch()
        let error = await #expect(throws: ProviderError.self) {
            _ = try await Self.client(server).synthesize(SynthesisRequest(text: "Hi.", language: "en"), to: scratch.path("a.wav"))
        }
        #expect(error?.code == .quota)
        #expect(error?.status == 429)
        #expect(error?.requestID?.hasPrefix("req_") == true)
        #expect(error?.description.contains("OpenAI") == true)
        #expect(error?.description.contains("exceeded your current quota") == true)
        #expect(server.control.requests.count == 1)
    }

    @Test func badKeyAndBadRequestFailFastWithoutLeakingKey() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let logs = LogCapture()
        let wrongKey = "sk-wrong-secret-key-should-never-appear"
        let auth = await #expect(throws: ProviderError.self) {
            _ = try await Self.client(server, key: wrongKey, logger: logs.logger).synthesize(SynthesisRequest(text: "Hi.", language: "en"), to: scratch.path("a.wav"))
        }
        #expect(auth?.code == .authentication)
        #expect(auth?.status == 401)
        #expect(auth?.description.contains(wrongKey) == false)
        let bad = await #expect(throws: ProviderError.self) {
            _ = try await Self.client(server, logger: logs.logger).synthesize(SynthesisRequest(text: "Hi.", language: "en", voice: "nobody"), to: scratch.path("b.wav"))
        }
        #expect(bad?.status == 400)
        #expect(bad?.description.contains("Invalid voice") == true)
        #expect(server.control.requests.count == 2)
        #expect(!logs.text.isEmpty)
        #expect(!logs.text.contains(wrongKey) && !logs.text.contains(FakeProviderServer.openAIKey))
    }

    @Test func refusesKeyOverPlainHTTPToRemoteHost() async throws {
        let client = OpenAIClient(apiKey: "sk-x", baseURL: "http://example.com/v1")
        let error = await #expect(throws: ProviderError.self) {
            _ = try await client.postJSON("/audio/speech", [:])
        }
        #expect(error?.code == .insecureURL)
    }

    @Test func concurrencyLimitIsHonoured() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.latency = 0.2
        let scratch = try Scratch()
        let tts = OpenAISpeechSynthesizer(client: OpenAIClient(apiKey: FakeProviderServer.openAIKey, baseURL: server.baseURL + "/v1", maxConcurrent: 2))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<6 {
                group.addTask { _ = try await tts.synthesize(SynthesisRequest(text: "Line \(i).", language: "en"), to: scratch.path("\(i).wav")) }
            }
            try await group.waitForAll()
        }
        let times = server.control.requests.map(\.at).sorted()
        #expect(times.count == 6)
        // With two at a time and 200 ms each, the 3rd request starts at least ~200 ms after the 1st.
        #expect(times[2] - times[0] >= .milliseconds(180))
    }
}
