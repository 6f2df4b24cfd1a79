import Foundation
import ProviderFakes
import Testing
import DubSupport
import ProviderAPI
@testable import Providers
@testable import Dubbing

@Suite("OpenAI translation against the fake")
struct OpenAITranslationTests {
    static func translator(_ server: FakeProviderServer, meter: UsageMeter = UsageMeter(), model: String = "gpt-4o-mini") -> OpenAITranslator {
        let retry = RetryPolicy(maxAttempts: 3, initialBackoff: 0.05, maxBackoff: 0.2)
        return OpenAITranslator(client: OpenAIClient(apiKey: FakeProviderServer.openAIKey, baseURL: server.baseURL + "/v1",
                                                     retry: retry, meter: meter), model: model)
    }

    static let request = TranslationRequest(
        lines: (1...6).map { TranslationLine(id: $0 * 10, text: "Line number \($0) says hello to the Acme team.", budget: 30) },
        source: "en", target: "es", before: ["Earlier."], after: ["Later."], glossary: ["Acme": "ACME-ES"])

    @Test func keepsIdsFollowsBudgetsAndGlossaryAndMetersTokens() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let meter = UsageMeter()
        let result = try await Self.translator(server, meter: meter).translate(Self.request)
        #expect(Set(result.keys) == Set(Self.request.lines.map(\.id)))
        for (_, text) in result {
            #expect(text.hasPrefix("[es] "))
            #expect(text.count <= 30)
        }
        let long = try await Self.translator(server).translate(TranslationRequest(
            lines: [TranslationLine(id: 1, text: "We met the Acme people.")], source: "en", target: "es", glossary: ["Acme": "ACME-ES"]))
        #expect(long[1] == "[es] We met the ACME-ES people.")
        let usage = try #require(meter.snapshot["openai"])
        #expect(usage.promptTokens > 0 && usage.completionTokens > 0 && usage.requests == 1)
    }

    @Test(arguments: ["missing-id", "extra-id", "length", "refusal", "bad-content"])
    func badReplySplitsTheBatchAndAsksAgain(quirk: String) async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.injectQuirk(quirk, on: "/chat/completions")
        let result = try await Self.translator(server).translate(Self.request)
        #expect(Set(result.keys) == Set(Self.request.lines.map(\.id)))
        // The bad reply, then the two halves.
        #expect(server.control.requests.count == 3)
    }

    @Test func aLineThatKeepsFailingNamesTheLineAndTheReason() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.injectQuirk("refusal", "refusal", on: "/chat/completions")
        let error = await #expect(throws: ProviderError.self) {
            _ = try await Self.translator(server).translate(TranslationRequest(lines: [TranslationLine(id: 7, text: "Hi.")], source: "en", target: "es"))
        }
        #expect(error?.description.contains("line 7") == true)
        #expect(error?.description.contains("refused") == true)
        #expect(server.control.requests.count == 2)
    }

    @Test func malformedJSONBodyIsAskedOnceMore() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.malformedJSON, on: "/chat/completions")
        let result = try await Self.translator(server).translate(Self.request)
        #expect(result.count == 6)
        #expect(server.control.requests.count == 2)
    }

    @Test func rateLimitAndServerErrorsAreRetried() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.rateLimited(retryAfter: "0.3"), .serverError(503), on: "/chat/completions")
        let result = try await Self.translator(server).translate(Self.request)
        #expect(result.count == 6)
        let requests = server.control.requests
        #expect(requests.count == 3)
        #expect(requests[1].at - requests[0].at >= .milliseconds(300))
    }

    @Test func badRequestAndQuotaFailFast() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let bad = await #expect(throws: ProviderError.self) {
            _ = try await Self.translator(server, model: "").translate(Self.request)
        }
        #expect(bad?.status == 400)
        #expect(bad?.description.contains("model") == true)
        server.control.inject(.quota, on: "/chat/completions")
        let quota = await #expect(throws: ProviderError.self) {
            _ = try await Self.translator(server).translate(Self.request)
        }
        #expect(quota?.code == .quota)
        #expect(server.control.requests.count == 2)
    }
}
