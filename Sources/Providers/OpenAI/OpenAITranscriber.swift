import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// OpenAI speech to text (`/audio/transcriptions`). What a model accepts decides how it is asked
/// (openai/openai-openapi `openapi.yaml`, `CreateTranscriptionRequest`):
/// - `whisper-1`: `verbose_json` with word and segment timestamps. Audio longer than `chunker.maxSeconds` (or over the
///   25 MB upload limit) is cut at pauses, the chunks are uploaded concurrently as FLAC, and each chunk's offset is
///   added back to its timestamps.
/// - `gpt-4o-transcribe`, `gpt-4o-mini-transcribe` (and dated variants): "the only supported format is `json`" (text
///   without times), so the speech is uploaded as utterances cut at pauses (`AudioChunker.utterances`, at most
///   `utteranceSeconds` each) and each utterance's place in the file times its text.
/// Other models (`gpt-4o-transcribe-diarize` needs `chunking_strategy` and gives no usable timing here) are refused
/// before anything is sent, naming the models that work.
public struct OpenAITranscriber: Transcriber {
    public let client: OpenAIClient
    public var model: String
    public var chunker: AudioChunker
    /// The longest utterance uploaded to a text-only model, in seconds.
    public var utteranceSeconds: Double = 15
    public var name: String { "openai-\(model)" }

    /// Models that answer `verbose_json` with timestamps.
    static let timestampModels: Set<String> = ["whisper-1"]
    /// Whether `model` answers only `json` (text) and is timed by utterances.
    static func isTextOnly(_ model: String) -> Bool {
        model.hasPrefix("gpt-4o-transcribe") && !model.contains("diarize") || model.hasPrefix("gpt-4o-mini-transcribe")
    }

    public init(client: OpenAIClient, model: String = "whisper-1", chunker: AudioChunker = AudioChunker()) {
        self.client = client
        self.model = model
        self.chunker = chunker
    }

    public func transcribe(_ request: TranscriptionRequest) async throws -> Transcript {
        let timed = Self.timestampModels.contains(model)
        guard timed || Self.isTextOnly(model) else {
            throw ProviderError(code: .unsupported, provider: "OpenAI", message: "OPENAI_TRANSCRIBE_MODEL=\(model) gives no line timing dub can use; "
                                + "use whisper-1 (word and segment times) or gpt-4o-transcribe / gpt-4o-mini-transcribe (timed by utterance)")
        }
        // Whisper takes ISO 639-1 ("ISO-639-1 (e.g. en) format", openapi.yaml CreateTranscriptionRequest.language).
        let language = try request.language.map { language -> String in
            guard let code = language.alpha2 else {
                throw ProviderError(code: .unsupported, provider: "OpenAI", message: "\(language.name) has no ISO 639-1 code, which transcription needs")
            }
            return code
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dub-whisper-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var settings = chunker
        if !timed { settings.maxSeconds = utteranceSeconds }
        let chunker = settings
        let chunks = try await BlockingWork.run { timed ? try chunker.split(request.audioPath, into: folder) : try chunker.utterances(request.audioPath, into: folder) }
        guard !chunks.isEmpty else {
            if timed { throw ProviderError(code: .badResponse, provider: "OpenAI", message: "\(request.audioPath) has no audio to transcribe") }
            return Transcript(language: request.language?.code ?? "und", duration: 0, segments: [])
        }
        let results = try await withThrowingTaskGroup(of: (Int, WhisperResponse).self) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask { (index, try await upload(chunk, language: language, prompt: request.prompt, timed: timed)) }
            }
            var results = [WhisperResponse?](repeating: nil, count: chunks.count)
            for try await (index, response) in group { results[index] = response }
            return results.compactMap { $0 }
        }
        var segments: [Transcript.Segment] = []
        for (chunk, response) in zip(chunks, results) {
            segments += response.segments(offset: chunk.offset, chunkDuration: chunk.duration)
        }
        for index in segments.indices { segments[index].id = index }
        // verbose_json names the language in English ("english"); json does not say.
        let detected = results.compactMap(\.language).first.flatMap { try? Language($0) }?.code
        let duration = chunks.last.map { $0.offset + $0.duration } ?? 0
        return Transcript(language: request.language?.code ?? detected ?? "und", duration: duration, segments: segments)
    }

    private func upload(_ chunk: AudioChunker.Chunk, language: String?, prompt: String?, timed: Bool) async throws -> WhisperResponse {
        // Form fields per openapi.yaml CreateTranscriptionRequest: timestamp_granularities[] only with verbose_json,
        // which only whisper-1 accepts.
        var parts = [
            MultipartPart(name: "file", .file(path: chunk.path, filename: (chunk.path as NSString).lastPathComponent, contentType: "audio/flac")),
            MultipartPart(name: "model", .text(model)),
            MultipartPart(name: "response_format", .text(timed ? "verbose_json" : "json")),
            MultipartPart(name: "temperature", .text("0")),
        ]
        if timed {
            parts += [MultipartPart(name: "timestamp_granularities[]", .text("word")), MultipartPart(name: "timestamp_granularities[]", .text("segment"))]
        }
        if let language { parts.append(MultipartPart(name: "language", .text(language))) }
        if let prompt { parts.append(MultipartPart(name: "prompt", .text(prompt))) }
        var http = HTTPRequest(url: client.baseURL + "/audio/transcriptions", secretHeaders: client.authHeaders, body: .multipart(parts))
        client.timeouts.apply(to: &http, audioSeconds: chunk.duration)
        let response = try await client.send(http, decoding: WhisperResponse.self)
        client.meter.record("openai", ProviderUsage(audioSeconds: response.usage?.seconds ?? chunk.duration, requests: 1))
        return response
    }
}
