import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// NAVER Cloud as `providers.md` describes it, under `/naver` (gateway: CLOVA Voice Premium, Papago) and `/clova`
/// (a CLOVA Speech invoke URL). Gateway keys are checked, form fields validated with the services' error codes,
/// TTS answers WAV whose length follows the text and CLOVA's speed, Papago a traceable pseudo-translation
/// (`[src→tgt] text`), and CLOVA Speech segments and words in integer milliseconds inside the voiced regions of
/// the upload. Quirk `async` on `/recognizer/upload` answers with a token to poll instead.
enum NaverFake {
    static let speakers: Set<String> = ["nara", "clara", "ntomoko", "meimei", "carmen", "jinho"]

    static func register(on router: Router<BasicRequestContext>, control: FakeControl) {
        let pending = Mutex<[String: Data]>([:])
        router.post("naver/tts-premium/v1/tts") { request, context -> Response in
            if let early = try await gateway(request, control) { return early }
            let form = formFields(try await request.body.collect(upTo: 1 << 20))
            guard let speaker = form["speaker"], !speaker.isEmpty else { return service(400, "VS01", "speaker parameter is needed") }
            guard speakers.contains(speaker) else { return service(400, "VS02", "unsupported speaker") }
            guard let text = form["text"], !text.isEmpty else { return service(400, "VS05", "text parameter is needed") }
            guard text.count <= 3_000 else { return service(400, "VS06", "text is too long") }
            guard let speed = Int(form["speed"] ?? "0"), (-5...10).contains(speed) else { return service(400, "VS03", "invalid speed") }
            let rate = Int(form["sampling-rate"] ?? "24000") ?? 24_000
            // CLOVA speed s plays at 1 / (1 + s/10) of natural speed.
            let samples = FakeAudio.speech(characters: text.count, speed: 1 / (1 + Double(speed) / 10), sampleRate: rate)
            return FakeReply.bytes(FakeAudio.wav(samples, sampleRate: rate), contentType: "audio/wav", headers: [("x-ncp-trace-id", FakeReply.requestID())])
        }
        router.post("naver/nmt/v1/translation") { request, context -> Response in
            if let early = try await gateway(request, control) { return early }
            let form = formFields(try await request.body.collect(upTo: 1 << 20))
            guard let source = form["source"], let target = form["target"] else { return service(400, "N2MT01", "source and target are required") }
            guard let text = form["text"], !text.isEmpty else { return service(400, "N2MT02", "text is required") }
            guard text.count <= 5_000 else { return service(400, "N2MT08", "text is too long") }
            guard source != target else { return service(400, "N2MT04", "source and target are the same") }
            let src = source == "auto" ? "en" : source
            return FakeReply.json(200, ["message": ["result": ["srcLangType": src, "tarLangType": target, "translatedText": "[\(src)→\(target)] \(text)"]]],
                                  headers: [("x-ncp-trace-id", FakeReply.requestID())])
        }
        router.post("clova/recognizer/upload") { request, context -> Response in
            if let early = try await speechGate(request, control) { return early }
            let body = Array(buffer: try await request.body.collect(upTo: 64 << 20))
            guard let form = await MultipartBody.parse(contentType: request.headers[.contentType], body: body),
                  let media = form["media"], let filename = media.filename else {
                return FakeReply.json(400, ["result": "FAILED", "message": "media is required"])
            }
            guard let paramsText = form["params"]?.text,
                  let params = try? JSONSerialization.jsonObject(with: Data(paramsText.utf8)) as? [String: Any],
                  let language = params["language"] as? String, ["ko-KR", "en-US", "enko", "ja", "zh-cn", "zh-tw"].contains(language) else {
                return FakeReply.json(400, ["result": "FAILED", "message": "params.language is invalid"])
            }
            guard let heard = await FakeSpeechTiming.analyzeOffPool(media.data, filename: filename) else {
                return FakeReply.json(200, ["result": "FAILED", "message": "Unsupported media"])
            }
            let diarize = (params["diarization"] as? [String: Any])?["enable"] as? Bool ?? false
            let result = recognition(heard.regions, diarize: diarize)
            if control.nextQuirk(for: request.uri.path) == "async" {
                let token = "tok-" + FakeReply.requestID()
                pending.withLock { $0[token] = try? JSONSerialization.data(withJSONObject: result) }
                return FakeReply.json(200, ["result": "WAITING", "token": token, "message": "Accepted"])
            }
            return FakeReply.json(200, result)
        }
        router.get("clova/recognizer/:token") { request, context -> Response in
            if let early = try await speechGate(request, control) { return early }
            let token = context.parameters.get("token") ?? ""
            guard let data = pending.withLock({ $0[token] }), let object = try? JSONSerialization.jsonObject(with: data) else {
                return FakeReply.json(404, ["result": "FAILED", "message": "no such token"])
            }
            return FakeReply.json(200, object)
        }
    }

    static func recognition(_ regions: [FakeSpeechTiming.Region], diarize: Bool) -> [String: Any] {
        func ms(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }
        let segments: [[String: Any]] = regions.map { region in
            var segment: [String: Any] = [
                "start": ms(region.start), "end": ms(region.end), "text": region.words.map(\.text).joined(separator: " "), "confidence": 0.93,
                "words": region.words.map { [ms($0.start), ms($0.end), $0.text] as [Any] },
            ]
            if diarize { segment["speaker"] = ["label": "\(region.speaker + 1)", "name": region.speaker == 0 ? "A" : "B"] }
            return segment
        }
        return ["result": "COMPLETED", "message": "Succeeded", "token": FakeReply.requestID(), "segments": segments,
                "text": regions.flatMap { $0.words.map(\.text) }.joined(separator: " ")]
    }

    /// Records, delays, checks the gateway keys and applies a fault, as the API gateway does.
    static func gateway(_ request: Request, _ control: FakeControl) async throws -> Response? {
        control.record(RecordedRequest(path: request.uri.path, headers: FakeReply.headers(request), at: .now))
        if control.latency > 0 { try await Task.sleep(for: .milliseconds(Int(control.latency * 1000))) }
        guard request.headers[HTTPField.Name("X-NCP-APIGW-API-KEY-ID")!] == FakeProviderServer.naverClientID,
              request.headers[HTTPField.Name("X-NCP-APIGW-API-KEY")!] == FakeProviderServer.naverClientSecret else {
            return gatewayError(401, "200", "Authentication Failed")
        }
        return try await fault(request, control)
    }

    static func speechGate(_ request: Request, _ control: FakeControl) async throws -> Response? {
        control.record(RecordedRequest(path: request.uri.path, headers: FakeReply.headers(request), at: .now))
        guard request.headers[HTTPField.Name("X-CLOVASPEECH-API-KEY")!] == FakeProviderServer.clovaSpeechSecret else {
            return gatewayError(401, "200", "Authentication Failed")
        }
        return try await fault(request, control)
    }

    static func fault(_ request: Request, _ control: FakeControl) async throws -> Response? {
        guard let fault = control.nextFault(for: request.uri.path) else { return nil }
        switch fault {
        case .rateLimited(let retryAfter, _):
            var response = gatewayError(429, "420", "Rate limited")
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .quota: return gatewayError(429, "400", "Quota Exceeded")
        case .serverError(let status): return gatewayError(status, "500", "Endpoint error")
        default: return try await FakeReply.transport(fault)
        }
    }

    static func gatewayError(_ status: Int, _ code: String, _ message: String) -> Response {
        FakeReply.json(status, ["error": ["errorCode": code, "message": message, "details": message]], headers: [("x-ncp-trace-id", FakeReply.requestID())])
    }

    static func service(_ status: Int, _ code: String, _ message: String) -> Response {
        FakeReply.json(status, ["error": ["errorCode": code, "message": message]], headers: [("x-ncp-trace-id", FakeReply.requestID())])
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ buffer: ByteBuffer) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            if parts.count == 2 { out[parts[0]] = parts[1] }
        }
        return out
    }
}
