import Foundation
import ProviderFakes
import TestSupport
import Testing
import DubSupport
import ProviderAPI
@testable import Providers

/// Delivery notes: the translator reads them, the engines that take one act on them.
@Suite("delivery notes from the translator to the voices")
struct DeliveryTests {
    @Test("the OpenAI translator asks for a delivery per line in its strict schema and returns it (a question stays a question)")
    func translatorReturnsDelivery() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let request = TranslationRequest(lines: [TranslationLine(id: 1, text: "Did you finish the report?"), TranslationLine(id: 2, text: "Watch out!"),
                                                 TranslationLine(id: 3, text: "It is late.")], source: "en", target: "es")
        let result = try await OpenAITranslationTests.translator(server).translations(request)
        #expect(result[1]?.delivery == .question && result[2]?.delivery == .excited && result[3]?.delivery == .neutral, "\(result)")
        #expect(result[1]?.text.hasPrefix("[es]") == true)
    }

    @Test("gpt-4o-mini-tts gets the delivery as instructions; tts-1, which takes none, gets nothing")
    func openAIInstructions() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        var tts = OpenAISpeechTests.client(server)
        tts.model = "gpt-4o-mini-tts"
        _ = try await tts.synthesize(SynthesisRequest(text: "Quiet now.", language: "en", delivery: .whispering), to: scratch.path("a.wav"))
        _ = try await tts.synthesize(SynthesisRequest(text: "Plain.", language: "en", delivery: .neutral), to: scratch.path("b.wav"))
        tts.model = "tts-1"
        _ = try await tts.synthesize(SynthesisRequest(text: "Old model.", language: "en", delivery: .whispering), to: scratch.path("c.wav"))
        #expect(server.control.kept("openai-speech-instructions") == ["Quiet now.\tWhisper."])
    }

    @Test("CLOVA Voice gets emotion for the speakers that take it (nara never angry), none for the others")
    func clovaEmotion() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let tts = ClovaVoiceSynthesizer(client: NaverTests.gateway(server))
        _ = try await tts.synthesize(SynthesisRequest(text: "슬퍼요", language: "ko", voice: "nara", delivery: .sad), to: scratch.path("a.wav"))
        _ = try await tts.synthesize(SynthesisRequest(text: "화나요", language: "ko", voice: "nara", delivery: .angry), to: scratch.path("b.wav"))
        _ = try await tts.synthesize(SynthesisRequest(text: "화나요", language: "ko", voice: "vara", delivery: .angry), to: scratch.path("c.wav"))
        _ = try await tts.synthesize(SynthesisRequest(text: "기뻐요", language: "ko", voice: "jinho", delivery: .happy), to: scratch.path("d.wav"))
        #expect(server.control.kept("clova-voice-emotion") == ["nara\t1", "vara\t3"])
    }
}
