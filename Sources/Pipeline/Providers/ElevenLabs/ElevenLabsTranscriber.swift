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

    /// Uploads the audio (compressed, streamed from disk) and returns the diarized transcript.
    public func transcribe(_ request: TranscriptionRequest) async throws -> Transcript {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dub-scribe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let chunker = AudioChunker(maxSeconds: 4 * 3_600, maxBytes: 1_000_000_000)
        let chunks = try await BlockingWork.run { try chunker.split(request.audioPath, into: folder) }
        guard let chunk = chunks.first else {
            throw ProviderError(code: .badResponse, provider: "ElevenLabs", message: "\(request.audioPath) has no audio to transcribe")
        }
        var parts = [
            MultipartPart(name: "model_id", .text(model)),
            MultipartPart(name: "file", .file(path: chunk.path, filename: "audio.flac", contentType: "audio/flac")),
            MultipartPart(name: "diarize", .text(request.diarize ? "true" : "false")),
            MultipartPart(name: "timestamps_granularity", .text("word")),
            MultipartPart(name: "tag_audio_events", .text("false")),
        ]
        if let language = request.language { parts.append(MultipartPart(name: "language_code", .text(language))) }
        if let speakers = request.speakers { parts.append(MultipartPart(name: "num_speakers", .text("\(speakers)"))) }
        var http = HTTPRequest(url: client.baseURL + "/v1/speech-to-text", body: .multipart(parts))
        http.totalTimeout = 1_800
        let body = try await client.send(http, decoding: Response.self)
        client.meter.record("elevenlabs", ProviderUsage(audioSeconds: chunk.duration, requests: 1))
        return Self.transcript(body, language: request.language, duration: chunk.duration)
    }

    /// dub's transcript from Scribe's answer: spoken words only (spacing and audio events dropped, words without
    /// times skipped), grouped into segments; the language as ISO 639-1 (`requested` wins over the detected one).
    static func transcript(_ body: Response, language requested: String?, duration: Double) -> Transcript {
        let words = (body.words ?? []).compactMap { word -> Transcript.Word? in
            guard (word.type ?? "word") == "word", let start = word.start, let end = word.end else { return nil }
            let text = word.text.trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : Transcript.Word(text: text, start: start, end: max(start, end), speaker: word.speakerId)
        }
        let language = requested ?? body.languageCode.map(ElevenLabsClient.isoCode) ?? "und"
        return Transcript(language: language, duration: duration, segments: WordGrouping.segments(words))
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
