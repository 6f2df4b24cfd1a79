import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// ElevenLabs Scribe speech-to-text (`/v1/speech-to-text`) with diarization: the word list (speaker ids on words)
/// grouped into segments at sentence ends, speaker changes and pauses of 0.8 s or more.
public struct ElevenLabsTranscriber: Transcriber {
    /// The connection: key, base URL, retries and usage meter.
    public let client: ElevenLabsClient
    /// `model_id` (`scribe_v1`).
    public var model: String
    public var name: String { "elevenlabs-\(model)" }

    /// A transcriber on `client`.
    public init(client: ElevenLabsClient, model: String = "scribe_v1") {
        self.client = client
        self.model = model
    }

    /// Scribe's 200 body.
    struct Response: Decodable {
        struct Word: Decodable {
            var text: String
            var start: Double?
            var end: Double?
            var type: String?
            var speakerId: String?
            enum CodingKeys: String, CodingKey { case text, start, end, type, speakerId = "speaker_id" }
        }
        var languageCode: String?
        var text: String?
        var words: [Word]?
        enum CodingKeys: String, CodingKey { case languageCode = "language_code", text, words }
    }

    /// The longest audio one request takes: "files up to 3 GB in size and up to 10 hours in duration" (Scribe
    /// capabilities page); longer audio is cut at pauses and sent in parts.
    public var chunker = AudioChunker(maxSeconds: 10 * 3_600 - 60, maxBytes: 3_000_000_000)

    /// Uploads the audio (compressed, streamed from disk), in parts when it is longer than one request takes, and
    /// returns the diarized transcript with every part's times moved to its place in the whole.
    public func transcribe(_ request: TranscriptionRequest) async throws -> Transcript {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dub-scribe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let chunker = chunker
        let chunks = try await BlockingWork.run { try chunker.split(request.audioPath, into: folder) }
        guard !chunks.isEmpty else {
            throw ProviderError(code: .badResponse, provider: "ElevenLabs", message: "\(request.audioPath) has no audio to transcribe")
        }
        var words: [Transcript.Word] = []
        var detected: String?
        for (index, chunk) in chunks.enumerated() {
            let body = try await upload(chunk, request)
            detected = detected ?? body.languageCode
            // Speaker ids are per request: prefixed with the part, so two parts' "speaker_0" are not taken for one person.
            words += Self.words(body, offset: chunk.offset, speakerPrefix: chunks.count > 1 ? "part\(index + 1)-" : "")
        }
        let language = request.language?.code ?? detected.flatMap { try? Language($0) }?.code ?? "und"
        let duration = chunks.last.map { $0.offset + $0.duration } ?? 0
        return Transcript(language: language, duration: duration, segments: WordGrouping.segments(words))
    }

    private func upload(_ chunk: AudioChunker.Chunk, _ request: TranscriptionRequest) async throws -> Response {
        // Form fields per elevenlabs-python speech_to_text/raw_client.py (`convert`): language_code is "an ISO-639-1 or
        // ISO-639-3 language_code"; num_speakers 1–32; timestamps_granularity none|word|character.
        var parts = [
            MultipartPart(name: "model_id", .text(model)),
            MultipartPart(name: "file", .file(path: chunk.path, filename: "audio.flac", contentType: "audio/flac")),
            MultipartPart(name: "diarize", .text(request.diarize ? "true" : "false")),
            MultipartPart(name: "timestamps_granularity", .text("word")),
            MultipartPart(name: "tag_audio_events", .text("false")),
        ]
        if let language = request.language { parts.append(MultipartPart(name: "language_code", .text(language.code))) }
        if let speakers = request.speakers { parts.append(MultipartPart(name: "num_speakers", .text("\(min(32, max(1, speakers)))"))) }
        var http = HTTPRequest(url: client.baseURL + "/v1/speech-to-text", body: .multipart(parts))
        client.timeouts.apply(to: &http, audioSeconds: chunk.duration)
        let body = try await client.send(http, decoding: Response.self)
        client.meter.record("elevenlabs", ProviderUsage(audioSeconds: chunk.duration, requests: 1))
        return body
    }

    /// The spoken words of Scribe's answer, moved by `offset`: spacing and audio events dropped, words without times
    /// skipped.
    static func words(_ body: Response, offset: Double, speakerPrefix: String = "") -> [Transcript.Word] {
        (body.words ?? []).compactMap { word -> Transcript.Word? in
            guard (word.type ?? "word") == "word", let start = word.start, let end = word.end else { return nil }
            let text = word.text.trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : Transcript.Word(text: text, start: start + offset, end: max(start, end) + offset,
                                                        speaker: word.speakerId.map { speakerPrefix + $0 })
        }
    }

    /// dub's transcript from one answer: the words grouped into segments; the language as a short code (`requested`
    /// wins over the detected one, which Scribe gives as ISO 639-3, e.g. `eng`).
    static func transcript(_ body: Response, language requested: Language?, duration: Double) -> Transcript {
        let language = requested?.code ?? body.languageCode.flatMap { try? Language($0) }?.code ?? "und"
        return Transcript(language: language, duration: duration, segments: WordGrouping.segments(words(body, offset: 0)))
    }
}

/// Groups a recogniser's words into transcript segments: a new segment at a sentence end, a speaker change or a
/// pause of `pause` seconds or more.
enum WordGrouping {
    static func segments(_ words: [Transcript.Word], pause: Double = 0.8) -> [Transcript.Segment] {
        var groups: [[Transcript.Word]] = []
        for word in words {
            if let last = groups.last?.last,
               last.speaker == word.speaker, word.start - last.end < pause,
               !(last.text.last.map { ".?!。？！".contains($0) } ?? false) {
                groups[groups.count - 1].append(word)
            } else {
                groups.append([word])
            }
        }
        return groups.enumerated().map { index, group in
            Transcript.Segment(id: index, start: group[0].start, end: group[group.count - 1].end,
                               text: group.map(\.text).joined(separator: " "), speaker: group[0].speaker, words: group)
        }
    }
}
