import AudioKitCore
import DubSupport
import Foundation
import HTTPTypes
import Hummingbird

/// ElevenLabs as `providers.md` describes it: `xi-api-key`, text-to-speech (pcm_* as raw s16le; length follows text
/// and `voice_settings.speed`), Scribe speech-to-text (words in the voiced regions of the upload, `speaker_id`
/// alternating by region when diarizing, spacing entries between words), and audio isolation (the upload's audio
/// back as MP3, its length preserved). MP3 comes from LAME (`FakeMP3`); where LAME cannot be loaded the fake answers
/// `mp3_*` text-to-speech with a 422 and isolation with WAV bytes (`audio/wav`), a documented simplification.
/// Errors follow the current errors page (elevenlabs.io/docs/eleven-api/resources/errors): `{"detail":{"type","code",
/// "message","request_id","param"}}` with the legacy `status` only where an older body had it, and the 422 `detail` list.
///
/// Request rules from elevenlabs/elevenlabs-python (`text_to_speech/raw_client.py`, `speech_to_text/raw_client.py`):
/// TTS `language_code` is "not supported for multilingual_v2 models" (the 2025 API reference: "an error will be
/// returned if language code is provided"); `voice_settings.speed` 0.7–1.2; character limits per model (models page);
/// Scribe `model_id` scribe_v1 or scribe_v2, `language_code` ISO 639-1 or 639-3, `num_speakers` 1–32, and an answer
/// whose `language_code` is ISO 639-3.
enum ElevenLabsFake {
    static let voices = Set(FakeVoiceLibrary.premade.map(\.0))
    static let models = ["eleven_multilingual_v2": 10_000, "eleven_flash_v2_5": 40_000, "eleven_turbo_v2_5": 40_000, "eleven_v3": 3_000]

    static func register(on router: Router<BasicRequestContext>, control: FakeControl) {
        registerVoices(on: router, control: control)
        router.post("v1/text-to-speech/:voice") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            if let early = try await gate(request, control, body: Array(buffer: body)) { return early }
            let voice = context.parameters.get("voice") ?? ""
            guard let json = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                return invalid(["body"], "Expecting value: line 1 column 1 (char 0)", "value_error.jsondecode")
            }
            guard let text = json["text"] as? String, !text.isEmpty else { return invalid(["body", "text"], "field required", "value_error.missing") }
            let model = json["model_id"] as? String ?? "eleven_multilingual_v2"
            guard let limit = models[model] else { return detail(400, "model_not_found", "A model with the model_id \(model) was not found.") }
            guard text.count <= limit else {
                return detail(400, "max_character_limit_exceeded", "Text is too long: \(text.count) characters, the limit is \(limit).")
            }
            guard control.library.exists(voice) else { return detail(404, "voice_not_found", "A voice with the voice_id \(voice) was not found.") }
            if json["language_code"] != nil, model == "eleven_multilingual_v2" || model == "eleven_multilingual_v1" {
                return detail(400, "unsupported_language", "Model '\(model)' does not support the language_code parameter.", param: "language_code")
            }
            if let code = json["language_code"] as? String, code.count != 2 {
                return invalid(["body", "language_code"], "language_code must be an ISO 639-1 code", "value_error")
            }
            if model == "eleven_v3", json["previous_text"] != nil || json["next_text"] != nil {
                return detail(400, "invalid_parameters", "Request stitching is not available for the eleven_v3 model.", param: "previous_text")
            }
            let speed = (json["voice_settings"] as? [String: Any])?["speed"] as? Double ?? 1
            guard (0.7...1.2).contains(speed) else {
                return invalid(["body", "voice_settings", "speed"], "ensure this value is between 0.7 and 1.2", "value_error.number")
            }
            let format = request.uri.queryParameters.get("output_format") ?? "mp3_44100_128"
            let headers = [("request-id", FakeReply.requestID()), ("character-cost", "\(text.count)")]
            if let rate = pcmFormats[format] {
                let samples = FakeAudio.speech(text, speed: speed, sampleRate: rate, voices: control.voices)
                return FakeReply.bytes(FakeAudio.s16le(samples), contentType: "audio/pcm", headers: headers)
            }
            guard let (rate, kbps) = mp3Formats[format] else {
                return invalid(["query", "output_format"], "value is not a valid enumeration member; permitted: \(formatNames)", "type_error.enum")
            }
            guard let mp3 = FakeMP3.encode(FakeAudio.speech(text, speed: speed, sampleRate: rate, voices: control.voices), sampleRate: rate, kbps: kbps) else {
                return invalid(["query", "output_format"], "this fake cannot encode mp3 here (libmp3lame is missing)", "value_error")
            }
            return FakeReply.bytes(mp3, contentType: "audio/mpeg", headers: headers)
        }
        router.post("v1/speech-to-text") { request, context -> Response in
            if let early = try await gate(request, control) { return early }
            let body = Array(buffer: try await request.body.collect(upTo: 64 << 20))
            guard let form = await MultipartBody.parse(contentType: request.headers[.contentType], body: body) else {
                return invalid(["body"], "Could not parse the multipart body", "value_error")
            }
            guard let model = form["model_id"]?.text, ["scribe_v1", "scribe_v2"].contains(model) else {
                return invalid(["body", "model_id"], "field required (scribe_v1 or scribe_v2)", "value_error.missing")
            }
            if let speakers = form["num_speakers"]?.text, !(Int(speakers).map { (1...32).contains($0) } ?? false) {
                return invalid(["body", "num_speakers"], "ensure this value is between 1 and 32", "value_error.number")
            }
            if let code = form["language_code"]?.text, !(2...3).contains(code.count) {
                return invalid(["body", "language_code"], "an ISO-639-1 or ISO-639-3 language_code", "value_error")
            }
            guard let file = form["file"], let filename = file.filename else { return invalid(["body", "file"], "field required", "value_error.missing") }
            guard let heard = await FakeSpeechTiming.analyzeOffPool(file.data, filename: filename, voices: control.voices) else {
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
            // Scribe answers with ISO 639-3 ("eng"), whatever form it was asked in.
            let asked = form["language_code"]?.text ?? "en"
            let language = ["en": "eng", "es": "spa", "ko": "kor", "ja": "jpn", "fr": "fra", "de": "deu", "zh": "zho", "pt": "por"][asked] ?? asked
            let text = heard.regions.flatMap { $0.words.map(\.text) }.joined(separator: " ")
            return FakeReply.json(200, ["language_code": language, "language_probability": 0.98, "text": text, "words": words],
                                  headers: [("request-id", FakeReply.requestID())])
        }
        router.post("v1/audio-isolation") { request, context -> Response in
            if let early = try await gate(request, control) { return early }
            let body = Array(buffer: try await request.body.collect(upTo: 64 << 20))
            guard let form = await MultipartBody.parse(contentType: request.headers[.contentType], body: body),
                  let audio = form["audio"], audio.filename != nil else {
                return invalid(["body", "audio"], "field required", "value_error.missing")
            }
            guard let (samples, rate) = decodeMono(audio.data, filename: audio.filename ?? "audio") else {
                return detail(400, "invalid_content", "The uploaded file could not be decoded as audio.")
            }
            if let mp3 = FakeMP3.encode(samples, sampleRate: rate) {
                return FakeReply.bytes(mp3, contentType: "audio/mpeg", headers: [("request-id", FakeReply.requestID())])
            }
            return FakeReply.bytes(FakeAudio.wav(samples, sampleRate: rate), contentType: "audio/wav", headers: [("request-id", FakeReply.requestID())])
        }
    }

    static let pcmFormats = ["pcm_16000": 16_000, "pcm_22050": 22_050, "pcm_24000": 24_000, "pcm_44100": 44_100, "pcm_48000": 48_000]
    static let mp3Formats = ["mp3_22050_32": (22_050, 32), "mp3_44100_32": (44_100, 32), "mp3_44100_64": (44_100, 64),
                             "mp3_44100_96": (44_100, 96), "mp3_44100_128": (44_100, 128), "mp3_44100_192": (44_100, 192)]
    static var formatNames: String { (pcmFormats.keys.sorted() + mp3Formats.keys.sorted()).joined(separator: ", ") }

    /// The uploaded audio as mono samples at 44.1 kHz; nil when it is not decodable audio.
    static func decodeMono(_ bytes: [UInt8], filename: String) -> (samples: [Float], rate: Int)? {
        let ext = (filename as NSString).pathExtension.isEmpty ? "bin" : (filename as NSString).pathExtension
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fake-isolation-\(UUID().uuidString).\(ext)").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return nil }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let reader = try? AudioReader(path: path, options: AudioReadOptions(sampleRate: 44_100, channels: 1)) else { return nil }
        var samples: [Float] = []
        while let chunk = try? reader.next() { samples += chunk }
        return samples.isEmpty ? nil : (samples, 44_100)
    }

    /// Records the request (with `body` when given), checks the key and applies an injected fault.
    static func gate(_ request: Request, _ control: FakeControl, body: [UInt8] = []) async throws -> Response? {
        let path = request.uri.path
        control.record(RecordedRequest(path: path, headers: FakeReply.headers(request), at: .now, body: body))
        guard request.headers[HTTPField.Name("xi-api-key")!] == FakeProviderServer.elevenLabsKey else {
            return detail(401, "invalid_api_key", "Invalid API key")
        }
        // Quirks: a quota error with only the current `code` (no legacy `status`, no message), and the current 429 codes.
        switch control.nextQuirk(for: path) {
        case "quota-code-only"?:
            return FakeReply.json(401, ["detail": ["type": "authorization_error", "code": "quota_exceeded", "request_id": FakeReply.requestID()]],
                                  headers: [("request-id", FakeReply.requestID())])
        case "concurrent-limit"?:
            return detail(429, "concurrent_limit_exceeded", "Too many concurrent requests for your plan.")
        default: break
        }
        guard let fault = control.nextFault(for: path) else { return nil }
        switch fault {
        case .rateLimited(let retryAfter, _):
            var response = detail(429, "rate_limit_exceeded", "You have exceeded the rate limit.")
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .quota:
            return detail(401, "quota_exceeded", "This request exceeds your quota. You have 12 credits remaining, while 400 credits are required.",
                          legacyStatus: true)
        case .serverError(let status):
            return detail(status, "system_busy", "The system is experiencing heavy traffic, please try again.", legacyStatus: true)
        default:
            return try await FakeReply.transport(fault)
        }
    }

    /// The current error body; `legacyStatus` adds the old `status` field as some answers still carry it.
    static func detail(_ status: Int, _ code: String, _ message: String, param: String? = nil, legacyStatus: Bool = false) -> Response {
        let id = FakeReply.requestID()
        let type = status == 401 || status == 403 ? "authorization_error" : status == 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "validation_error"
        var body: [String: Any] = ["type": type, "code": code, "message": message, "request_id": id, "param": param as Any? ?? NSNull()]
        if legacyStatus { body["status"] = code }
        return FakeReply.json(status, ["detail": body], headers: [("request-id", id)])
    }

    static func invalid(_ location: [String], _ message: String, _ type: String) -> Response {
        FakeReply.json(422, ["detail": [["loc": location, "msg": message, "type": type]]], headers: [("request-id", FakeReply.requestID())])
    }
}
