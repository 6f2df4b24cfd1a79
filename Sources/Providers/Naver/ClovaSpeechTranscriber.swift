import DubSupport
import ProviderAPI
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

    /// CLOVA's `params.language` for `language` (api.ncloud-docs.com, CLOVA Speech long-sentence recognition:
    /// `ko-KR`, `en-US`, `enko`, `ja`, `zh-cn`, `zh-tw`); nil when it recognises none of them. Without a language,
    /// `enko` (Korean and English together).
    static func language(_ language: Language?) -> String? {
        guard let language else { return "enko" }
        switch language.code {
        case "ko": return "ko-KR"
        case "en": return "en-US"
        case "ja": return "ja"
        case "zh": return language.isTraditionalChinese ? "zh-tw" : "zh-cn"
        default: return nil
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
        guard let language = Self.language(request.language) else {
            throw ProviderError(code: .unsupported, provider: "CLOVA Speech", message: "CLOVA Speech does not recognise \(request.language?.displayName ?? "")"
                                + " (\(request.language?.tag ?? "")); it has Korean, English, Japanese and Chinese; use --asr openai or elevenlabs")
        }
        var reply: Reply
        var speakersDropped = false
        do {
            reply = try await upload(chunk, language: language, diarize: request.diarize, speakers: request.speakers)
        } catch let error as ProviderError where request.diarize && Self.isSpeakerDetectionOff(error) {
            // The domain's speaker recognition is off in the NAVER console: say what to change, and go on without speakers.
            client.logger.warning("""
                CLOVA Speech: speaker recognition is off for this domain (turn it on in the NAVER Cloud console, CLOVA Speech > \
                domain > speaker recognition, to get speakers); transcribing without speakers
                """)
            reply = try await upload(chunk, language: language, diarize: false, speakers: nil)
            speakersDropped = true
        }
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
        var transcript = Transcript(language: request.language?.code ?? "und", duration: chunk.duration, segments: segments)
        if speakersDropped { transcript.notes = ["speakers: CLOVA Speech's speaker recognition is off for this domain, so no speakers were found"] }
        return transcript
    }

    /// Sends the audio with its `params` (always with an explicit `diarization` object: a domain whose speaker
    /// recognition is off refuses `enable: true`, and reportedly an omitted object too).
    private func upload(_ chunk: AudioChunker.Chunk, language: String, diarize: Bool, speakers: Int?) async throws -> Reply {
        var params: [String: Any] = ["language": language, "completion": "sync", "wordAlignment": true, "fullText": true]
        params["diarization"] = diarize
            ? ["enable": true, "speakerCountMin": speakers ?? 1, "speakerCountMax": speakers ?? 4] as [String: Any]
            : ["enable": false]
        let paramsText = String(decoding: try JSONSerialization.data(withJSONObject: params, options: [.sortedKeys]), as: UTF8.self)
        var upload = HTTPRequest(url: client.invokeURL + "/recognizer/upload", body: .multipart([
            MultipartPart(name: "media", .file(path: chunk.path, filename: "audio.flac", contentType: "audio/flac")),
            MultipartPart(name: "params", .text(paramsText)),
        ]))
        client.timeouts.apply(to: &upload, audioSeconds: chunk.duration)
        return try await client.send(upload, decoding: Reply.self)
    }

    /// Whether `error` is CLOVA's 400 for diarization asked of a domain whose speaker recognition is off.
    static func isSpeakerDetectionOff(_ error: ProviderError) -> Bool {
        let message = error.message.lowercased()
        return error.status == 400 && message.contains("speaker") && (message.contains("off") || message.contains("disabled") || message.contains("not"))
    }
}
