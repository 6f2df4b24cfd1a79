import AudioKitCore
import Foundation
import ProviderFakes
import TestSupport
import Testing
import DubSupport
import ProviderAPI
@testable import Providers
@testable import Dubbing

@Suite("OpenAI Whisper transcription against the fake")
struct OpenAITranscriptionTests {
    static func transcriber(_ server: FakeProviderServer, maxChunk: Double = 600, meter: UsageMeter = UsageMeter(),
                            key: String = FakeProviderServer.openAIKey) -> OpenAITranscriber {
        let retry = RetryPolicy(maxAttempts: 3, initialBackoff: 0.05, maxBackoff: 0.2)
        return OpenAITranscriber(client: OpenAIClient(apiKey: key, baseURL: server.baseURL + "/v1", retry: retry, meter: meter),
                                 chunker: AudioChunker(maxSeconds: maxChunk, searchWindow: 3))
    }

    struct TruthLine: Decodable {
        var start: Double
        var end: Double
    }

    @Test func transcriptFollowsTheSpeechInTheAudio() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let meter = UsageMeter()
        let sample = Repository.sample("english.mp4")
        let transcript = try await Self.transcriber(server, meter: meter).transcribe(TranscriptionRequest(audioPath: sample, language: "en"))
        let truth = try JSONDecoder().decode([TruthLine].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample("english.lines.json"))))
        #expect(transcript.language == "en")
        #expect(transcript.segments.count == truth.count)
        for (segment, line) in zip(transcript.segments, truth) {
            #expect(abs(segment.start - line.start) < 0.3)
            #expect(abs(segment.end - line.end) < 0.3)
            #expect(!segment.words.isEmpty)
            #expect(segment.words.allSatisfy { $0.start >= segment.start - 0.01 && $0.end <= segment.end + 0.01 })
        }
        #expect(server.control.requests.count == 1)
        #expect(abs((meter.snapshot["openai"]?.audioSeconds ?? 0) - transcript.duration) <= 1)
    }

    @Test func longAudioIsCutAtPausesAndOffsetsAddedBack() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let sample = Repository.sample("english.mp4")
        let whole = try await Self.transcriber(server).transcribe(TranscriptionRequest(audioPath: sample, language: "en"))
        let chunked = try await Self.transcriber(server, maxChunk: 8).transcribe(TranscriptionRequest(audioPath: sample, language: "en"))
        // One upload for the whole file, then at least three chunks of at most 8 s.
        #expect(server.control.requests.count >= 1 + 3)
        #expect(chunked.segments.count == whole.segments.count)
        for (a, b) in zip(chunked.segments, whole.segments) {
            #expect(abs(a.start - b.start) < 0.1)
            #expect(abs(a.end - b.end) < 0.1)
        }
        #expect(abs(chunked.duration - whole.duration) < 0.05)
        #expect(chunked.segments.map(\.id) == Array(chunked.segments.indices))
        let starts = chunked.segments.flatMap(\.words).map(\.start)
        #expect(starts == starts.sorted())
    }

    @Test func chunkBoundariesStayWithinTheLimitAndPreferPauses() throws {
        let sample = Repository.sample("english.mp4")
        let activity = try VoiceActivityDetector().analyze(path: sample)
        let cuts = AudioChunker(maxSeconds: 6, searchWindow: 2).boundaries(duration: activity.duration, activity: activity)
        #expect(cuts.first == 0 && cuts.last == activity.duration)
        for (a, b) in zip(cuts, cuts.dropFirst()) { #expect(b - a <= 6 + 1e-9 && b > a) }
        for cut in cuts.dropFirst().dropLast() { #expect(!activity.isSpeech(at: cut)) }
    }

    /// Cut from the samples the voice-activity pass kept (see the next test), the chunks together are the file read at
    /// 16 kHz mono from its start, sample for sample (up to the FLAC chunks' 16-bit steps), and the kept samples are gone
    /// afterwards. Likewise for utterances, each at its offset.
    @Test func chunksAndUtterancesHoldTheFileAt16kHzSampleForSample() throws {
        let scratch = try Scratch()
        let sample = Repository.sample("english.mp4")
        let reader = try AudioReader(path: sample, options: AudioReadOptions(sampleRate: 16_000, channels: 1))
        var reference: [Float] = []
        while let chunk = try reader.next() { reference += chunk }
        let chunker = AudioChunker(maxSeconds: 6, searchWindow: 2)
        func samples(_ chunk: AudioChunker.Chunk) throws -> [Float] { try SignalCompare.read(chunk.path).samples }
        let chunks = try chunker.split(sample, into: scratch.url.path)
        #expect(chunks.count >= 3)
        let joined = try chunks.flatMap(samples)
        #expect(joined.count == reference.count)
        #expect(zip(joined, reference).allSatisfy { abs($0 - $1) <= 1.0 / 32767 }, "the chunks are not the file at 16 kHz")
        let utterances = try chunker.utterances(sample, into: scratch.url.path)
        #expect(!utterances.isEmpty)
        for chunk in utterances {
            let first = Int((chunk.offset * 16_000).rounded())
            let own = try samples(chunk)
            #expect(zip(own, reference[first...]).allSatisfy { abs($0 - $1) <= 1.0 / 32767 }, "utterance at \(chunk.offset) s")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).allSatisfy { $0.hasSuffix(".flac") })
    }

    /// The chunker's single pass: voice activity measured while the 16 kHz samples are kept, which are the reader's
    /// samples exactly, and the activity the same as without keeping them.
    @Test func voiceActivityKeepsTheSamplesItMeasured() throws {
        let scratch = try Scratch()
        let sample = Repository.sample("english.mp4")
        let kept = scratch.path("speech.wav")
        let activity = try VoiceActivityDetector().analyze(path: sample, keepingSamplesIn: kept)
        #expect(activity.regions == (try VoiceActivityDetector().analyze(path: sample)).regions)
        let reader = try AudioReader(path: sample, options: AudioReadOptions(sampleRate: 16_000, channels: 1))
        var reference: [Float] = []
        while let chunk = try reader.next() { reference += chunk }
        let file = try SignalCompare.read(kept)
        #expect(file.rate == 16_000 && file.channels == 1)
        #expect(file.samples == reference)
    }

    @Test func faultsAreRetriedAndBadKeysFailFast() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.inject(.serverError(500), .malformedJSON, on: "/audio/transcriptions")
        let sample = Repository.sample("mono.wav")
        let transcript = try await Self.transcriber(server).transcribe(TranscriptionRequest(audioPath: sample))
        #expect(!transcript.segments.isEmpty)
        #expect(server.control.requests.count == 3)
        let error = await #expect(throws: ProviderError.self) {
            _ = try await Self.transcriber(server, key: "sk-wrong").transcribe(TranscriptionRequest(audioPath: sample))
        }
        #expect(error?.code == .authentication)
        #expect(server.control.requests.count == 4)
    }

    @Test func aFileWithoutAudioGetsAClearError() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        let text = scratch.path("notes.txt")
        try "not audio".write(toFile: text, atomically: true, encoding: .utf8)
        await #expect(throws: (any Error).self) {
            _ = try await Self.transcriber(server).transcribe(TranscriptionRequest(audioPath: text))
        }
        #expect(server.control.requests.isEmpty)
    }
}
