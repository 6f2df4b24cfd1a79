import Foundation
import ProviderFakes
import TestSupport
import Testing
import DubSupport
import ProviderAPI
@testable import Providers
@testable import Dubbing

@Suite("NAVER CLOVA Speech against the fake")
struct NaverClovaSpeechTests {
    static func speech(_ server: FakeProviderServer, secret: String = FakeProviderServer.clovaSpeechSecret, meter: UsageMeter = UsageMeter(),
                       logs: LogCapture = LogCapture()) -> ClovaSpeechTranscriber {
        var transcriber = ClovaSpeechTranscriber(client: ClovaSpeechClient(invokeURL: server.baseURL + "/clova/", secret: secret,
                                                                           retry: NaverTests.retry, meter: meter, logger: logs.logger))
        transcriber.pollInterval = 0.05
        return transcriber
    }

    struct Truth: Decodable {
        var start: Double
        var end: Double
    }

    static func truth(_ name: String) throws -> [Truth] {
        try JSONDecoder().decode([Truth].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample(name))))
    }

    /// Whether `seconds` came from whole milliseconds.
    static func isWholeMilliseconds(_ seconds: Double) -> Bool {
        abs(seconds * 1000 - (seconds * 1000).rounded()) < 1e-6
    }

    @Test(arguments: [false, true])
    func koreanTranscriptHasSecondsInsideTheVoicedRegions(async: Bool) async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        if async { server.control.injectQuirk("async", on: "/recognizer/upload") }
        let meter = UsageMeter()
        let transcript = try await Self.speech(server, meter: meter).transcribe(
            TranscriptionRequest(audioPath: Repository.sample("korean.mp4"), language: "ko", diarize: true, speakers: 2))
        let truth = try Self.truth("korean.lines.json")
        #expect(transcript.language == "ko" && abs(transcript.duration - 15.5) < 0.3)
        for line in truth {
            let covered = transcript.segments.reduce(0.0) { $0 + max(0, min($1.end, line.end) - max($1.start, line.start)) }
            #expect(covered > 0.6 * (line.end - line.start))
        }
        #expect(transcript.segments.count >= 2)
        for segment in transcript.segments {
            // Milliseconds became seconds: within the 15.5 s clip, on whole milliseconds, inside a spoken line.
            #expect(segment.start < segment.end && segment.end < 16)
            #expect(Self.isWholeMilliseconds(segment.start) && Self.isWholeMilliseconds(segment.end))
            #expect(truth.contains { segment.start >= $0.start - 0.3 && segment.end <= $0.end + 0.3 })
            #expect(!segment.words.isEmpty)
            for word in segment.words {
                #expect(word.start >= segment.start - 0.001 && word.end <= segment.end + 0.001 && word.start < word.end)
                #expect(word.speaker == segment.speaker && word.text.hasPrefix("word"))
            }
        }
        // Diarization: labels from `speaker.label`, on segments and words.
        #expect(Set(transcript.segments.compactMap(\.speaker)) == ["1", "2"])
        #expect(transcript.segments.allSatisfy { $0.speaker != nil })
        let paths = server.control.requests.map(\.path)
        #expect(paths.first == "/clova/recognizer/upload")
        #expect(paths.count == (async ? 3 : 1))  // async: upload, RUNNING, COMPLETED
        #expect(paths.dropFirst().allSatisfy { $0.hasPrefix("/clova/recognizer/tok-") })
        #expect(server.control.requests.allSatisfy { $0.headers["x-clovaspeech-api-key"] == FakeProviderServer.clovaSpeechSecret })
        #expect(abs((meter.snapshot["clova-speech"]?.audioSeconds ?? 0) - 15.5) < 0.3)
    }

    @Test func withoutDiarizationThereAreNoSpeakers() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let transcript = try await Self.speech(server).transcribe(TranscriptionRequest(audioPath: Repository.sample("mono.wav"), language: "en"))
        let truth = try Self.truth("mono.lines.json")
        #expect(!transcript.segments.isEmpty)
        for segment in transcript.segments {
            #expect(segment.speaker == nil && segment.words.allSatisfy { $0.speaker == nil })
            #expect(truth.contains { segment.start >= $0.start - 0.3 && segment.end <= $0.end + 0.3 })
        }
        #expect(ClovaSpeechTranscriber.language("en") == "en-US" && ClovaSpeechTranscriber.language("zh") == "zh-cn"
                && ClovaSpeechTranscriber.language(nil) == "enko")
    }

    @Test func failedRecognitionAndPermanentErrorsFailFast() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let logs = LogCapture()
        let request = TranscriptionRequest(audioPath: Repository.sample("mono.wav"), language: "en")
        server.control.injectQuirk("failed", on: "/recognizer/upload")
        let failed = await #expect(throws: ProviderError.self) { _ = try await Self.speech(server, logs: logs).transcribe(request) }
        #expect(failed?.code == .badResponse && failed?.description.contains("CLOVA Speech") == true
                && failed?.description.contains("Recognition failed: internal engine error") == true)
        #expect(server.control.requests.count == 1)
        server.control.inject(.quota, on: "/recognizer/upload")
        let quota = await #expect(throws: ProviderError.self) { _ = try await Self.speech(server, logs: logs).transcribe(request) }
        #expect(quota?.code == .quota && quota?.attempts == 1 && quota?.description.contains("HTTP 429") == true
                && quota?.description.contains("request id") == true && quota?.description.contains("CLOVA Speech") == true)
        #expect(server.control.requests.count == 2)
        let wrong = "clova-wrong-secret-never-logged"
        let auth = await #expect(throws: ProviderError.self) { _ = try await Self.speech(server, secret: wrong, logs: logs).transcribe(request) }
        #expect(auth?.code == .authentication && auth?.status == 401 && server.control.requests.count == 3)
        #expect(!logs.text.isEmpty && !logs.text.contains(wrong) && !logs.text.contains(FakeProviderServer.clovaSpeechSecret))
    }

    @Test func transientFaultsAreRetried() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let request = TranscriptionRequest(audioPath: Repository.sample("mono.wav"), language: "en")
        server.control.inject(.rateLimited(retryAfter: "0.3"), .truncatedBody, on: "/recognizer/upload")
        #expect(try await !Self.speech(server).transcribe(request).segments.isEmpty)
        var requests = server.control.requests
        #expect(requests.count == 3 && requests[1].at - requests[0].at >= .milliseconds(300))
        server.control.inject(.serverError(503), .malformedJSON, on: "/recognizer/upload")
        #expect(try await !Self.speech(server).transcribe(request).segments.isEmpty)
        requests = server.control.requests
        #expect(requests.count == 6)
        // A fault while polling an async result is retried too.
        server.control.injectQuirk("async", on: "/recognizer/upload")
        server.control.inject(.serverError(500), on: "/recognizer/poll")
        #expect(try await !Self.speech(server).transcribe(request).segments.isEmpty)
        #expect(server.control.requests.count == 10)
    }

    @Test func clientComesFromTheEnvironment() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        #expect(ClovaSpeechClient(environment: ["CLOVA_SPEECH_SECRET": "s"]) == nil)
        let client = try #require(ClovaSpeechClient(environment: server.environment))
        #expect(client.invokeURL == server.baseURL + "/clova")
        var transcriber = ClovaSpeechTranscriber(client: client)
        transcriber.pollInterval = 0.05
        #expect(try await !transcriber.transcribe(TranscriptionRequest(audioPath: Repository.sample("mono.wav"), language: "en")).segments.isEmpty)
    }
}
