import Foundation
import HTTPTypes
import Hummingbird

/// ElevenLabs as `providers.md` describes it: `xi-api-key`, text-to-speech (pcm_* as raw s16le; length follows text
/// and `voice_settings.speed`), Scribe speech-to-text (words in the voiced regions of the upload, `speaker_id`
/// alternating by region when diarizing, spacing entries between words), and audio isolation (the upload's audio
/// back; the real service answers MP3, the fake the uploaded container: the client decodes either through FFmpeg).
/// Errors use both of ElevenLabs' shapes: `{"detail":{"status","message"}}` and the 422 `detail` list.
enum ElevenLabsFake {
    static let voices: Set<String> = ["21m00Tcm4TlvDq8ikWAM", "EXAVITQu4vr4xnSDxMaL", "pNInz6obpgDQGcFmaJgB"]
    static let models = ["eleven_multilingual_v2": 10_000, "eleven_flash_v2_5": 40_000, "eleven_turbo_v2_5": 40_000, "eleven_v3": 3_000]

    static func register(on router: Router<BasicRequestContext>, control: FakeControl) {
        router.post("v1/text-to-speech/:voice") { request, context -> Response in
            if let early = try await gate(request, control) { return early }
            let voice = context.parameters.get("voice") ?? ""
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let json = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                return invalid(["body"], "Expecting value: line 1 column 1 (char 0)", "value_error.jsondecode")
            }
            guard let text = json["text"] as? String, !text.isEmpty else { return invalid(["body", "text"], "field required", "value_error.missing") }
            let model = json["model_id"] as? String ?? "eleven_multilingual_v2"
            guard let limit = models[model] else { return detail(400, "model_not_found", "A model with the model_id \(model) was not found.") }
            guard text.count <= limit else {
                return detail(400, "max_character_limit_exceeded", "Text is too long: \(text.count) characters, the limit is \(limit).")
            }
            guard voices.contains(voice) else { return detail(404, "voice_not_found", "A voice with the voice_id \(voice) was not found.") }
            let speed = (json["voice_settings"] as? [String: Any])?["speed"] as? Double ?? 1
            guard (0.7...1.2).contains(speed) else {
                return invalid(["body", "voice_settings", "speed"], "ensure this value is between 0.7 and 1.2", "value_error.number")
            }
            let format = request.uri.queryParameters.get("output_format") ?? "mp3_44100_128"
            guard format.hasPrefix("pcm_"), let rate = Int(format.dropFirst(4)), [16_000, 22_050, 24_000, 44_100, 48_000].contains(rate) else {
                return invalid(["query", "output_format"], "the fake serves pcm_16000|22050|24000|44100|48000 only", "value_error")
            }
            let samples = FakeAudio.speech(characters: text.count, speed: speed, sampleRate: rate)
            return FakeReply.bytes(FakeAudio.s16le(samples), contentType: "audio/pcm",
                                   headers: [("request-id", FakeReply.requestID()), ("character-cost", "\(text.count)")])
        }
        router.post("v1/speech-to-text") { request, context -> Response in
            if let early = try await gate(request, control) { return early }
            let body = Array(buffer: try await request.body.collect(upTo: 64 << 20))
            guard let form = MultipartBody(contentType: request.headers[.contentType], body: body) else {
                return invalid(["body"], "Could not parse the multipart body", "value_error")
            }
            guard form["model_id"]?.text == "scribe_v1" else { return invalid(["body", "model_id"], "field required (scribe_v1)", "value_error.missing") }
            guard let file = form["file"], let filename = file.filename else { return invalid(["body", "file"], "field required", "value_error.missing") }
            guard let heard = FakeSpeechTiming.analyze(file.data, filename: filename) else {
                return detail(400, "invalid_content", "The uploaded file could not be decoded as audio.")
            }
            let diarize = form["diarize"]?.text == "true"
            var words: [[String: Any]] = []
            for region in heard.regions {
                for word in region.words {
                    if !words.isEmpty { words.append(["text": " ", "start": word.start, "end": word.start, "type": "spacing", "logprob": 0]) }
                    var item: [String: Any] = ["text": word.text, "start": word.start, "end": word.end, "type": "word", "logprob": -0.1]
                    if diarize { item["speaker_id"] = "speaker_\(region.speaker)" }
                    words.append(item)
                }
            }
            let language = form["language_code"]?.text ?? "eng"
            let text = heard.regions.flatMap { $0.words.map(\.text) }.joined(separator: " ")
            return FakeReply.json(200, ["language_code": language, "language_probability": 0.98, "text": text, "words": words],
                                  headers: [("request-id", FakeReply.requestID())])
        }
        router.post("v1/audio-isolation") { request, context -> Response in
            if let early = try await gate(request, control) { return early }
            let body = Array(buffer: try await request.body.collect(upTo: 64 << 20))
            guard let form = MultipartBody(contentType: request.headers[.contentType], body: body),
                  let audio = form["audio"], audio.filename != nil else {
                return invalid(["body", "audio"], "field required", "value_error.missing")
            }
            return FakeReply.bytes(audio.data, contentType: audio.contentType ?? "application/octet-stream", headers: [("request-id", FakeReply.requestID())])
        }
    }

    /// Records the request, applies latency, checks the key and applies an injected fault.
    static func gate(_ request: Request, _ control: FakeControl) async throws -> Response? {
        let path = request.uri.path
        control.record(RecordedRequest(path: path, headers: FakeReply.headers(request), at: .now))
        if control.latency > 0 { try await Task.sleep(for: .milliseconds(Int(control.latency * 1000))) }
        guard request.headers[HTTPField.Name("xi-api-key")!] == FakeProviderServer.elevenLabsKey else {
            return detail(401, "invalid_api_key", "Invalid API key")
        }
        guard let fault = control.nextFault(for: path) else { return nil }
        switch fault {
        case .rateLimited(let retryAfter, _):
            var response = detail(429, "too_many_concurrent_requests", "Too many concurrent requests for your subscription.")
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .quota:
            return detail(401, "quota_exceeded", "This request exceeds your quota. You have 12 credits remaining, while 400 credits are required.")
        case .serverError(let status):
            return detail(status, "system_busy", "The system is experiencing heavy traffic, please try again.")
        default:
            return try await FakeReply.transport(fault)
        }
    }

    static func detail(_ status: Int, _ code: String, _ message: String) -> Response {
        FakeReply.json(status, ["detail": ["status": code, "message": message]], headers: [("request-id", FakeReply.requestID())])
    }

    static func invalid(_ location: [String], _ message: String, _ type: String) -> Response {
        FakeReply.json(422, ["detail": [["loc": location, "msg": message, "type": type]]], headers: [("request-id", FakeReply.requestID())])
    }
}
