import AudioKitCore
import Foundation

/// CLOVA Speech recognition (`{invoke}/recognizer/upload`, sync completion, word alignment, diarization). Times come
/// in integer milliseconds and are turned into seconds; words are `[startMs, endMs, "text"]`. When the service
/// answers with only a token (the async shape), the result is polled at `{invoke}/recognizer/{token}`.
public struct ClovaSpeechTranscriber: Transcriber {
    public let client: ClovaSpeechClient
    public var name: String { "clova-speech" }
    /// Seconds between polls of an async result.
    public var pollInterval: Double = 2
    /// Seconds an async result is waited for before giving up.
    public var maxWait: Double = 3 * 3_600
    /// `result` values of a recognition still under way (polled again).
    static let pending: Set<String> = ["WAITING", "RUNNING", "PROCESSING", "IN_PROGRESS", "QUEUED"]

    public init(client: ClovaSpeechClient) {
        self.client = client
    }

    struct Reply: Decodable {
        struct Segment: Decodable {
            struct Speaker: Decodable { var label: String? }
            var start: Int
            var end: Int
            var text: String
            var speaker: Speaker?
            var words: [Word]?
        }
        /// `[startMs, endMs, "text"]`.
        struct Word: Decodable {
            var start: Int
            var end: Int
            var text: String
            init(from decoder: any Decoder) throws {
                var c = try decoder.unkeyedContainer()
                start = try c.decode(Int.self)
                end = try c.decode(Int.self)
                text = try c.decode(String.self)
            }
        }
        var result: String?
        var message: String?
        var token: String?
        var segments: [Segment]?
    }

    /// CLOVA's language values for ISO 639-1 codes.
    static func language(_ iso: String?) -> String {
        switch iso?.lowercased() {
        case "en": "en-US"
        case "ja": "ja"
        case "zh": "zh-cn"
        case "ko": "ko-KR"
        default: "enko"
        }
    }

    public func transcribe(_ request: TranscriptionRequest) async throws -> Transcript {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dub-clova-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let chunker = AudioChunker(maxSeconds: 2 * 3_600, maxBytes: 2_000_000_000)
        let chunks = try await BlockingWork.run { try chunker.split(request.audioPath, into: folder) }
        guard chunks.count == 1, let chunk = chunks.first else {
            throw ProviderError(code: .http, provider: "CLOVA Speech", message: "sync recognition takes at most two hours of audio")
        }
        var params: [String: Any] = ["language": Self.language(request.language), "completion": "sync", "wordAlignment": true, "fullText": true]
        if request.diarize {
            params["diarization"] = ["enable": true, "speakerCountMin": request.speakers ?? 1, "speakerCountMax": request.speakers ?? 4]
        }
        let paramsText = String(decoding: try JSONSerialization.data(withJSONObject: params), as: UTF8.self)
        var upload = HTTPRequest(url: client.invokeURL + "/recognizer/upload", body: .multipart([
            MultipartPart(name: "media", .file(path: chunk.path, filename: "audio.flac", contentType: "audio/flac")),
            MultipartPart(name: "params", .text(paramsText)),
        ]))
        upload.totalTimeout = 3_600
        var reply = try await client.send(upload, decoding: Reply.self)
        let deadline = ContinuousClock.now + .milliseconds(Int(maxWait * 1000))
        // The async shape: only a token (and a pending result) until the recognition is done.
        while reply.segments == nil, reply.result.map({ Self.pending.contains($0.uppercased()) }) ?? true, let token = reply.token {
            guard ContinuousClock.now < deadline else {
                throw ProviderError(code: .timeout, provider: "CLOVA Speech", message: "recognition \(token) not done after \(Int(maxWait)) s")
            }
            try await Task.sleep(for: .milliseconds(Int(pollInterval * 1000)))
            reply = try await client.send(HTTPRequest(method: "GET", url: client.invokeURL + "/recognizer/\(token)"), decoding: Reply.self)
        }
        guard reply.result == nil || reply.result?.uppercased() == "COMPLETED" else {
            throw ProviderError(code: .badResponse, provider: "CLOVA Speech", message: "recognition \(reply.result ?? "failed"): \(reply.message ?? "no message")")
        }
        client.meter.record("clova-speech", ProviderUsage(audioSeconds: chunk.duration, requests: 1))
        let segments = (reply.segments ?? []).enumerated().map { index, segment in
            let speaker = segment.speaker?.label
            return Transcript.Segment(id: index, start: Double(segment.start) / 1000, end: Double(segment.end) / 1000,
                                      text: segment.text.trimmingCharacters(in: .whitespaces), speaker: speaker,
                                      words: (segment.words ?? []).map { Transcript.Word(text: $0.text, start: Double($0.start) / 1000,
                                                                                           end: Double($0.end) / 1000, speaker: speaker) })
        }
        return Transcript(language: request.language ?? "und", duration: chunk.duration, segments: segments)
    }
}
