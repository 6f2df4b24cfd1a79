import Foundation
import HTTPTypes
import Hummingbird

/// `/v1/audio/speech` as OpenAI serves it (auth, request checks, error shapes), plus injected faults.
///
/// Request rules from openai/openai-openapi `openapi.yaml`, `CreateSpeechRequest`: `model` one of the speech models;
/// `input` required, at most 4,096 characters; `voice` a built-in voice (`VoiceIdsShared`); `instructions` "does not
/// work with tts-1 or tts-1-hd"; `speed` 0.25–4.0; `response_format` mp3, opus, aac, flac, wav or pcm.
enum OpenAIFake {
    static let voices: Set<String> = ["alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse", "marin", "cedar"]
    static let models: Set<String> = ["tts-1", "tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-12-15"]

    static func register(on router: Router<BasicRequestContext>, control: FakeControl) {
        router.post("v1/audio/speech") { request, context -> Response in
            if let early = try await gate(request, control) { return early }
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let json = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                return error(400, "We could not parse the JSON body of your request.", type: "invalid_request_error", code: nil)
            }
            guard let model = json["model"] as? String, models.contains(model) else {
                return error(400, "Invalid model.", type: "invalid_request_error", code: nil, param: "model")
            }
            guard let input = json["input"] as? String, !input.isEmpty, input.count <= 4096 else {
                return error(400, "Invalid 'input': must be 1 to 4096 characters.", type: "invalid_request_error", code: nil, param: "input")
            }
            guard let voice = json["voice"] as? String, voices.contains(voice) else {
                return error(400, "Invalid voice.", type: "invalid_request_error", code: nil, param: "voice")
            }
            if json["instructions"] != nil, model.hasPrefix("tts-1") {
                return error(400, "instructions are not supported for \(model).", type: "invalid_request_error", code: "unsupported_parameter",
                             param: "instructions")
            }
            let speed = (json["speed"] as? Double) ?? 1
            guard (0.25...4).contains(speed) else {
                return error(400, "Invalid 'speed': must be between 0.25 and 4.", type: "invalid_request_error", code: nil, param: "speed")
            }
            let format = (json["response_format"] as? String) ?? "mp3"
            control.keep("openai-speech", "\(voice)\t\(input)")
            if let instructions = json["instructions"] as? String { control.keep("openai-speech-instructions", "\(input)\t\(instructions)") }
            let samples = FakeAudio.speech(input, speed: speed, sampleRate: 24_000, voices: control.voices)
            switch format {
            case "pcm":
                return Response(status: .ok, headers: [.contentType: "audio/pcm", HTTPField.Name("x-request-id")!: requestID()],
                                body: .init(byteBuffer: ByteBuffer(bytes: FakeAudio.s16le(samples))))
            case "wav":
                return Response(status: .ok, headers: [.contentType: "audio/wav", HTTPField.Name("x-request-id")!: requestID()],
                                body: .init(byteBuffer: ByteBuffer(bytes: FakeAudio.wav(samples, sampleRate: 24_000))))
            default:
                return error(400, "The fake serves response_format pcm and wav only.", type: "invalid_request_error", code: nil, param: "response_format")
            }
        }
    }

    /// Records the request, checks the key and applies an injected fault, as every endpoint does.
    static func gate(_ request: Request, _ control: FakeControl) async throws -> Response? {
        let path = request.uri.path
        control.record(RecordedRequest(path: path, headers: FakeReply.headers(request), at: .now))
        guard request.headers[.authorization] == "Bearer \(FakeProviderServer.openAIKey)" else {
            return error(401, "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key")
        }
        guard let fault = control.nextFault(for: path) else { return nil }
        return try await apply(fault)
    }

    static func apply(_ fault: FakeFault) async throws -> Response? {
        switch fault {
        case .rateLimited(let retryAfter, let retryAfterMs):
            var response = error(429, "Rate limit reached for requests.", type: "requests", code: "rate_limit_exceeded")
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            if let retryAfterMs { response.headers[HTTPField.Name("retry-after-ms")!] = retryAfterMs }
            return response
        case .quota:
            return error(429, "You exceeded your current quota, please check your plan and billing details.",
                         type: "insufficient_quota", code: "insufficient_quota")
        case .serverError(let status):
            return error(status, "The server had an error while processing your request.", type: "server_error", code: nil)
        case .stall, .stallMidBody, .truncatedBody, .malformedJSON:
            return try await FakeReply.transport(fault)
        }
    }

    static func error(_ status: Int, _ message: String, type: String, code: String?, param: String? = nil) -> Response {
        let object: [String: Any] = ["error": ["message": message, "type": type, "param": param as Any? ?? NSNull(), "code": code as Any? ?? NSNull()]]
        let data = try! JSONSerialization.data(withJSONObject: object)
        return Response(status: .init(code: status), headers: [.contentType: "application/json", HTTPField.Name("x-request-id")!: requestID()],
                        body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
    }

    static func requestID() -> String { "req_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24) }

}
