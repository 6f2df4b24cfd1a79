import AudioKitCore
import Foundation
import ProviderFakes
import TestSupport
import Testing
@testable import Pipeline

@Suite("ElevenLabs against the fake")
struct ElevenLabsTests {
    static func client(_ server: FakeProviderServer, key: String = FakeProviderServer.elevenLabsKey, meter: UsageMeter = UsageMeter(),
                       logs: LogCapture = LogCapture()) -> ElevenLabsClient {
        ElevenLabsClient(apiKey: key, baseURL: server.baseURL, retry: RetryPolicy(maxAttempts: 3, initialBackoff: 0.05, maxBackoff: 0.2),
                         meter: meter, logger: logs.logger)
    }

    struct Truth: Decodable {
        var start: Double
        var end: Double
        var speaker: String
    }

    @Test func speechLengthFollowsTextAndSpeedAndIsMetered() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let meter = UsageMeter()
        let tts = ElevenLabsSpeechSynthesizer(client: Self.client(server, meter: meter))
        let text = String(repeating: "una frase de prueba ", count: 6)
        let normal = try await tts.synthesize(SynthesisRequest(text: text, language: "es", previousText: "Antes.", nextText: "Después."),
                                              to: scratch.path("a.wav"))
        let fast = try await tts.synthesize(SynthesisRequest(text: text, language: "es", speed: 1.2), to: scratch.path("b.wav"))
        let clamped = try await tts.synthesize(SynthesisRequest(text: text, language: "es", speed: 2), to: scratch.path("c.wav"))
        #expect(abs(normal.duration / fast.duration - 1.2) < 0.01)
        #expect(abs(clamped.duration - fast.duration) < 1e-6)
        #expect(abs(try SoundFileReader(path: normal.path).duration - normal.duration) < 1e-6)
        #expect(meter.snapshot["elevenlabs"]?.characters == 3 * text.count)
        #expect(server.control.requests.first?.path.hasSuffix("/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM") == true)
    }

    @Test func scribeDiarizesTheTwoSpeakersSample() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let sample = Repository.sample("two-speakers.mp4")
        let transcript = try await ElevenLabsTranscriber(client: Self.client(server)).transcribe(
            TranscriptionRequest(audioPath: sample, language: "en", diarize: true, speakers: 2))
        let truth = try JSONDecoder().decode([Truth].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample("two-speakers.lines.json"))))
        #expect(transcript.language == "en")
        // Every spoken line is heard, and every segment lies inside a spoken line (a pause inside a line may split it).
        for line in truth {
            let covered = transcript.segments.reduce(0.0) { $0 + max(0, min($1.end, line.end) - max($1.start, line.start)) }
            #expect(covered > 0.6 * (line.end - line.start))
        }
        for segment in transcript.segments {
            #expect(truth.contains { segment.start >= $0.start - 0.3 && segment.end <= $0.end + 0.3 })
            #expect(segment.words.allSatisfy { $0.speaker == segment.speaker })
        }
        #expect(Set(transcript.segments.compactMap(\.speaker)) == ["speaker_0", "speaker_1"])
    }

    @Test func isolationReturnsTheVoiceAtTheInputLength() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let meter = UsageMeter()
        let input = Repository.sample("mono.wav")
        let seconds = try await ElevenLabsVoiceIsolator(client: Self.client(server, meter: meter)).isolate(input, to: scratch.path("v.wav"))
        let original = try SoundFileReader(path: input).duration
        #expect(abs(seconds - original) < 0.01)
        #expect(abs(try SoundFileReader(path: scratch.path("v.wav")).duration - seconds) < 1e-6)
        #expect((meter.snapshot["elevenlabs"]?.audioSeconds ?? 0) > 0)
    }

    @Test func retriedFaultsSucceedWithinTheirAttempts() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        server.control.inject(.rateLimited(retryAfter: "0.4"), .serverError(503), on: "/21m00Tcm4TlvDq8ikWAM")
        let audio = try await ElevenLabsSpeechSynthesizer(client: Self.client(server)).synthesize(SynthesisRequest(text: "Hola.", language: "es"),
                                                                                                    to: scratch.path("a.wav"))
        #expect(audio.duration > 0)
        let requests = server.control.requests
        #expect(requests.count == 3)
        #expect(requests[1].at - requests[0].at >= .milliseconds(400))
        server.control.inject(.truncatedBody, .malformedJSON, on: "/speech-to-text")
        let transcript = try await ElevenLabsTranscriber(client: Self.client(server)).transcribe(TranscriptionRequest(audioPath: Repository.sample("mono.wav")))
        #expect(!transcript.segments.isEmpty)
        #expect(server.control.requests.count == 3 + 3) // truncated (retried by HTTP), malformed (asked again), then good
    }

    @Test func quotaBadRequestsAndBadKeysFailFastWithoutLeakingTheKey() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let logs = LogCapture()
        server.control.inject(.quota, on: "/21m00Tcm4TlvDq8ikWAM")
        let quota = await #expect(throws: ProviderError.self) {
            _ = try await ElevenLabsSpeechSynthesizer(client: Self.client(server, logs: logs)).synthesize(SynthesisRequest(text: "Hola.", language: "es"), to: scratch.path("a.wav"))
        }
        #expect(quota?.code == .quota)
        #expect(quota?.description.contains("ElevenLabs") == true && quota?.description.contains("request id") == true)
        #expect(server.control.requests.count == 1)
        let missingVoice = await #expect(throws: ProviderError.self) {
            _ = try await ElevenLabsSpeechSynthesizer(client: Self.client(server)).synthesize(
                SynthesisRequest(text: "Hola.", language: "es", voice: "nobody"), to: scratch.path("b.wav"))
        }
        #expect(missingVoice?.status == 404 && missingVoice?.description.contains("voice_not_found") == true)
        let unknownModel = await #expect(throws: ProviderError.self) {
            _ = try await ElevenLabsSpeechSynthesizer(client: Self.client(server), model: "eleven_v9").synthesize(
                SynthesisRequest(text: "Hola.", language: "es"), to: scratch.path("c.wav"))
        }
        #expect(unknownModel?.status == 400)
        let wrong = "el-wrong-key-that-must-not-be-logged"
        let auth = await #expect(throws: ProviderError.self) {
            _ = try await ElevenLabsSpeechSynthesizer(client: Self.client(server, key: wrong, logs: logs)).synthesize(
                SynthesisRequest(text: "Hola.", language: "es"), to: scratch.path("d.wav"))
        }
        #expect(auth?.code == .authentication)
        #expect(server.control.requests.count == 4)
        #expect(!logs.text.contains(wrong) && !logs.text.contains(FakeProviderServer.elevenLabsKey))
    }
}
