import AudioKitCore
import Foundation
import ProviderFakes
import TestSupport
import Testing
import DubSupport
import ProviderAPI
@testable import Providers
@testable import Dubbing

@Suite("ElevenLabs against the fake")
struct ElevenLabsTests {
    static func client(_ server: FakeProviderServer, key: String = FakeProviderServer.elevenLabsKey, meter: UsageMeter = UsageMeter(),
                       logs: LogCapture = LogCapture(), deadline: Double = 240) -> ElevenLabsClient {
        ElevenLabsClient(apiKey: key, baseURL: server.baseURL, retry: RetryPolicy(maxAttempts: 3, initialBackoff: 0.05, maxBackoff: 0.2),
                         timeouts: HTTPTimeouts(deadline: deadline), meter: meter, logger: logs.logger)
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
        let sent = try #require(server.control.requests.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] })
        #expect(sent["previous_text"] as? String == "Antes." && sent["next_text"] as? String == "Después.")
        // eleven_multilingual_v2 (the default) takes no language_code: sending one is an error (API reference).
        #expect(sent["model_id"] as? String == "eleven_multilingual_v2" && sent["language_code"] == nil)
        #expect((sent["voice_settings"] as? [String: Any])?["speed"] as? Double == 1)
        let clampedBody = try #require(server.control.requests.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] })
        #expect((clampedBody["voice_settings"] as? [String: Any])?["speed"] as? Double == 1.2)
        #expect(clampedBody["previous_text"] == nil)
    }

    /// The fake's speech lasts `characters / 14 / speed` seconds (at least 0.2), cut to whole samples.
    static func expectedSeconds(_ text: String, speed: Double = 1, rate: Int) -> Double {
        Double(Int(max(0.2, Double(text.count) / 14 / speed) * Double(rate))) / Double(rate)
    }

    @Test func pcmAndMP3DecodeToTheExactLength() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let client = Self.client(server)
        let text = "Buenos días, ¿cómo está usted hoy?"
        let pcm = try await ElevenLabsSpeechSynthesizer(client: client, format: .pcm).synthesize(
            SynthesisRequest(text: text, language: "es", speed: 0.8), to: scratch.path("pcm.wav"))
        let mp3 = try await ElevenLabsSpeechSynthesizer(client: client, format: .mp3).synthesize(
            SynthesisRequest(text: text, language: "es", speed: 0.8), to: scratch.path("mp3.wav"))
        #expect(abs(pcm.duration - Self.expectedSeconds(text, speed: 0.8, rate: 24_000)) < 1e-9)
        #expect(abs(mp3.duration - Self.expectedSeconds(text, speed: 0.8, rate: 44_100)) < 1e-9)
        let decoded = try SoundFileReader(path: mp3.path)
        #expect(decoded.sampleRate == 44_100 && abs(decoded.duration - mp3.duration) < 1e-9)
        #expect(server.control.requests.count == 2)
    }

    @Test func aLineOverTheModelLimitFailsBeforeSending() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let tts = ElevenLabsSpeechSynthesizer(client: Self.client(server), model: "eleven_v3")
        let error = await #expect(throws: ProviderError.self) {
            _ = try await tts.synthesize(SynthesisRequest(text: String(repeating: "a", count: 3_001), language: "en"), to: scratch.path("a.wav"))
        }
        #expect(error?.description.contains("3001") == true && error?.description.contains("3000") == true)
        #expect(server.control.requests.isEmpty)
        _ = try await tts.synthesize(SynthesisRequest(text: String(repeating: "a", count: 3_000), language: "en"), to: scratch.path("b.wav"))
        #expect(server.control.requests.count == 1)
    }

    @Test func anInvalidRequestFailsFastWithTheFieldMessage() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let error = await #expect(throws: ProviderError.self) {
            _ = try await ElevenLabsSpeechSynthesizer(client: Self.client(server)).synthesize(SynthesisRequest(text: "", language: "es"),
                                                                                                to: scratch.path("a.wav"))
        }
        #expect(error?.status == 422 && error?.code == .http)
        #expect(error?.description.contains("body.text: field required") == true)
        #expect(server.control.requests.count == 1)
    }

    @Test func scribeWordsBecomeSegmentsAtSentenceEndsSpeakerChangesAndPauses() throws {
        let json = """
        {"language_code":"kor","language_probability":0.9,"text":"...","words":[
         {"text":"Hi","start":0.0,"end":0.3,"type":"word","speaker_id":"speaker_0"},
         {"text":" ","start":0.3,"end":0.3,"type":"spacing","speaker_id":"speaker_0"},
         {"text":"there.","start":0.35,"end":0.7,"type":"word","speaker_id":"speaker_0"},
         {"text":"(laughs)","start":0.7,"end":1.0,"type":"audio_event","speaker_id":"speaker_0"},
         {"text":"Next","start":1.0,"end":1.2,"type":"word","speaker_id":"speaker_0"},
         {"text":"lost","start":null,"end":null,"type":"word","speaker_id":"speaker_0"},
         {"text":"one","start":1.25,"end":1.5,"type":"word","speaker_id":"speaker_0"},
         {"text":"later","start":2.4,"end":2.6,"type":"word","speaker_id":"speaker_0"},
         {"text":"네","start":2.7,"end":2.9,"type":"word","speaker_id":"speaker_1"},
         {"text":"좋아요！","start":2.95,"end":3.4,"type":"word","speaker_id":"speaker_1"},
         {"text":"bye","start":3.5,"end":3.7,"type":"word","speaker_id":"speaker_1"}]}
        """
        let body = try JSONDecoder().decode(ElevenLabsTranscriber.Response.self, from: Data(json.utf8))
        let transcript = ElevenLabsTranscriber.transcript(body, language: nil, duration: 3.7)
        #expect(transcript.language == "ko")
        #expect(transcript.segments.map(\.text) == ["Hi there.", "Next one", "later", "네 좋아요！", "bye"])
        #expect(transcript.segments.map(\.speaker) == ["speaker_0", "speaker_0", "speaker_0", "speaker_1", "speaker_1"])
        #expect(transcript.segments.flatMap(\.words).allSatisfy { $0.speaker != nil && $0.text != "lost" })
        #expect(transcript.segments[0].start == 0 && transcript.segments[0].end == 0.7)
        #expect(ElevenLabsTranscriber.transcript(body, language: "es", duration: 3.7).language == "es")
        #expect(try ["eng", "spa", "jpn", "zho", "fra", "deu", "en", "kor"].map { try Language($0).code } == ["en", "es", "ja", "zh", "fr", "de", "en", "ko"])
    }

    @Test func theClientComesFromTheEnvironment() {
        #expect(ElevenLabsClient(environment: [:]) == nil)
        #expect(ElevenLabsClient(environment: ["ELEVENLABS_API_KEY": ""]) == nil)
        let client = ElevenLabsClient(environment: ["ELEVENLABS_API_KEY": "k", "ELEVENLABS_BASE_URL": "http://127.0.0.1:9/"])
        #expect(client?.baseURL == "http://127.0.0.1:9")
        #expect(ElevenLabsClient(environment: ["ELEVENLABS_API_KEY": "k"])?.baseURL == "https://api.elevenlabs.io")
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
        #expect(abs(seconds - original) < 0.001) // MP3 with its gapless info tag decodes to the input's length
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
        #expect(transcript.language == "en") // Scribe's "eng", as ISO 639-1
        #expect(server.control.requests.count == 3 + 3) // truncated (retried by HTTP), malformed (asked again), then good
        // 429 without Retry-After and a 500 back off and succeed; a stall past the timeout is retried.
        server.control.inject(.rateLimited(retryAfter: nil), .serverError(500), on: "/21m00Tcm4TlvDq8ikWAM")
        _ = try await ElevenLabsSpeechSynthesizer(client: Self.client(server)).synthesize(SynthesisRequest(text: "Hola.", language: "es"),
                                                                                        to: scratch.path("b.wav"))
        #expect(server.control.requests.count == 6 + 3)
        // (The second attempt gets 15 s: on a loaded 2-core machine the fake itself can take seconds to answer.)
        server.control.inject(.stall(seconds: 120), on: "/21m00Tcm4TlvDq8ikWAM")
        let patient = ElevenLabsSpeechSynthesizer(client: Self.client(server, deadline: 15))
        _ = try await patient.synthesize(SynthesisRequest(text: "Hola.", language: "es"), to: scratch.path("c.wav"))
        #expect(server.control.requests.count == 9 + 2)
        // The isolated voice streams to disk; a body cut short is asked again.
        server.control.inject(.truncatedBody, on: "/audio-isolation")
        let seconds = try await ElevenLabsVoiceIsolator(client: Self.client(server)).isolate(Repository.sample("mono.wav"), to: scratch.path("v.wav"))
        #expect(abs(seconds - (try SoundFileReader(path: Repository.sample("mono.wav")).duration)) < 0.001)
        #expect(server.control.requests.count == 11 + 2)
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
        #expect(quota?.code == .quota && quota?.attempts == 1)
        #expect(quota?.description.contains("ElevenLabs") == true && quota?.description.contains("request id") == true)
        #expect(quota?.description.contains("HTTP 401") == true && quota?.description.contains("quota_exceeded") == true)
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
