import AudioKitCore
import Foundation

/// OpenAI Whisper (`/audio/transcriptions`, `verbose_json` with word and segment timestamps). Audio longer
/// than `chunker.maxSeconds` (or over the 25 MB upload limit) is cut at pauses, the chunks are uploaded
/// concurrently as FLAC, and each chunk's offset is added back to its timestamps.
public struct OpenAITranscriber: Transcriber {
    public let client: OpenAIClient
    public var model: String
    public var chunker: AudioChunker
    public var name: String { "openai-\(model)" }

    public init(client: OpenAIClient, model: String = "whisper-1", chunker: AudioChunker = AudioChunker()) {
        self.client = client
        self.model = model
        self.chunker = chunker
    }

    public func transcribe(_ request: TranscriptionRequest) async throws -> Transcript {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dub-whisper-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let chunker = chunker
        let chunks = try await BlockingWork.run { try chunker.split(request.audioPath, into: folder) }
        guard !chunks.isEmpty else {
            throw ProviderError(code: .badResponse, provider: "OpenAI", message: "\(request.audioPath) has no audio to transcribe")
        }
        let results = try await withThrowingTaskGroup(of: (Int, WhisperResponse).self) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask { (index, try await upload(chunk, request)) }
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
        let detected = results.compactMap(\.language).first.flatMap(LanguageNames.code(for:))
        let duration = chunks.last.map { $0.offset + $0.duration } ?? 0
        return Transcript(language: request.language ?? detected ?? "und", duration: duration, segments: segments)
    }

    private func upload(_ chunk: AudioChunker.Chunk, _ request: TranscriptionRequest) async throws -> WhisperResponse {
        var parts = [
            MultipartPart(name: "file", .file(path: chunk.path, filename: (chunk.path as NSString).lastPathComponent, contentType: "audio/flac")),
            MultipartPart(name: "model", .text(model)),
            MultipartPart(name: "response_format", .text("verbose_json")),
            MultipartPart(name: "timestamp_granularities[]", .text("word")),
            MultipartPart(name: "timestamp_granularities[]", .text("segment")),
            MultipartPart(name: "temperature", .text("0")),
        ]
        if let language = request.language { parts.append(MultipartPart(name: "language", .text(language))) }
        if let prompt = request.prompt { parts.append(MultipartPart(name: "prompt", .text(prompt))) }
        var http = HTTPRequest(url: client.baseURL + "/audio/transcriptions", secretHeaders: client.authHeaders, body: .multipart(parts))
        http.totalTimeout = 600
        let response = try await client.send(http, decoding: WhisperResponse.self)
        client.meter.record("openai", ProviderUsage(audioSeconds: response.usage?.seconds ?? chunk.duration, requests: 1))
        return response
    }
}
