import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/audio/transcriptions`: auth, the 26,214,400-byte upload limit (413), multipart field checks, and a
/// `verbose_json` transcript whose segments are the voiced regions of the uploaded audio and whose words fall inside
/// them. Segments and words appear only when that granularity was asked for.
///
/// Rules from openai/openai-openapi `openapi.yaml`, `CreateTranscriptionRequest`: `response_format` json, text, srt,
/// verbose_json, vtt (diarized_json for the diarize model); "For gpt-4o-transcribe and gpt-4o-mini-transcribe, the
/// only supported format is json" (the real API also takes text, answering other formats with 400
/// `unsupported_value`); "response_format must be set verbose_json to use timestamp granularities". A json answer
/// from a gpt-4o model carries token usage (`TranscriptTextUsageTokens`), whisper-1's a duration.
extension OpenAIFake {
    static let uploadLimit = 26_214_400
    static let audioExtensions: Set<String> = ["flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm"]
    static let languageNames = ["en": "english", "es": "spanish", "ko": "korean", "ja": "japanese", "fr": "french", "de": "german"]

    static func registerTranscription(on router: Router<BasicRequestContext>, control: FakeControl) {
        router.post("v1/audio/transcriptions") { request, context -> Response in
            if let early = try await gate(request, control) { return early }
            let body = Array(buffer: try await request.body.collect(upTo: 64 << 20))
            guard body.count <= uploadLimit else {
                return error(413, "Maximum content size limit (26214400) exceeded (\(body.count) bytes read)", type: "server_error", code: nil)
            }
            guard let form = await MultipartBody.parse(contentType: request.headers[.contentType], body: body) else {
                return error(400, "Could not parse multipart form", type: "invalid_request_error", code: nil)
            }
            guard let file = form["file"], let filename = file.filename else {
                return error(400, "you must provide a file parameter", type: "invalid_request_error", code: nil, param: "file")
            }
            guard audioExtensions.contains((filename as NSString).pathExtension.lowercased()) else {
                return error(400, "Invalid file format. Supported formats: \(audioExtensions.sorted())", type: "invalid_request_error", code: nil, param: "file")
            }
            let textOnly: Set<String> = ["gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-mini-transcribe-2025-12-15"]
            guard let model = form["model"]?.text, model == "whisper-1" || textOnly.contains(model) else {
                return error(400, "Invalid model.", type: "invalid_request_error", code: nil, param: "model")
            }
            let format = form["response_format"]?.text ?? "json"
            guard ["json", "text", "srt", "vtt", "verbose_json"].contains(format) else {
                return error(400, "Invalid response_format.", type: "invalid_request_error", code: nil, param: "response_format")
            }
            if textOnly.contains(model), !["json", "text"].contains(format) {
                return error(400, "response_format '\(format)' is not compatible with model '\(model)'. Use 'json' or 'text' instead.",
                             type: "invalid_request_error", code: "unsupported_value", param: "response_format")
            }
            let granularities = form.values("timestamp_granularities[]")
            guard granularities.isEmpty || format == "verbose_json" else {
                return error(400, "timestamp_granularities[] is only supported with response_format verbose_json.", type: "invalid_request_error",
                             code: nil, param: "timestamp_granularities")
            }
            guard var heard = await FakeSpeechTiming.analyzeOffPool(file.data, filename: filename, voices: control.voices) else {
                return error(400, "Audio file might be corrupted or unsupported", type: "invalid_request_error", code: nil, param: "file")
            }
            if control.nextQuirk(for: request.uri.path) == "mishear" { heard.regions = FakeSpeechTiming.cutShort(heard.regions) }
            let text = heard.regions.flatMap { $0.words.map(\.text) }.joined(separator: " ")
            var object: [String: Any] = ["text": text]
            if textOnly.contains(model) {
                object["usage"] = ["type": "tokens", "input_tokens": Int(heard.duration * 10), "output_tokens": text.count / 4 + 1,
                                   "total_tokens": Int(heard.duration * 10) + text.count / 4 + 1]
            }
            if format == "verbose_json" {
                object["task"] = "transcribe"
                object["language"] = languageNames[form["language"]?.text ?? "en"] ?? "english"
                object["duration"] = heard.duration
                object["usage"] = ["type": "duration", "seconds": Int(heard.duration.rounded(.up))]
                if granularities.isEmpty || granularities.contains("segment") {
                    object["segments"] = heard.regions.enumerated().map { index, region -> [String: Any] in
                        ["id": index, "seek": 0, "start": region.start, "end": region.end,
                         "text": " " + region.words.map(\.text).joined(separator: " "), "tokens": [50364], "temperature": 0.0,
                         "avg_logprob": -0.25, "compression_ratio": 1.2, "no_speech_prob": 0.01]
                    }
                }
                if granularities.contains("word") {
                    object["words"] = heard.regions.flatMap { $0.words.map { ["word": $0.text, "start": $0.start, "end": $0.end] } }
                }
            }
            if format == "text" {
                return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            let data = try JSONSerialization.data(withJSONObject: object)
            return Response(status: .ok, headers: [.contentType: "application/json", HTTPField.Name("x-request-id")!: requestID()],
                            body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
        }
    }
}
