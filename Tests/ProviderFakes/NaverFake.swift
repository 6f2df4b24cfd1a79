import Foundation
import HTTPTypes
import Hummingbird

/// NAVER Cloud's API gateway as `providers.md` describes it, under `/naver`: CLOVA Voice Premium
/// (`/naver/tts-premium/v1/tts`) and Papago (`/naver/nmt/v1/translation`); CLOVA Speech is `ClovaSpeechFake`.
///
/// The gateway checks `X-NCP-APIGW-API-KEY-ID` / `X-NCP-APIGW-API-KEY` (401, errorCode "200") and answers faults in
/// its own shape `{"error":{"errorCode","message","details"}}` (429/420 rate limited, 429/410 throttled, 429/400
/// quota, 5xx/500). The services' own 400s come in both UNVERIFIED shapes so clients must read both: CLOVA Voice
/// nested (`{"error":{"errorCode":"VS03","message"}}`), Papago flat (`{"errorCode":"N2MT05","errorMessage"}`).
/// TTS answers WAV (or MP3 when asked) whose length follows the text and CLOVA's speed; Papago a traceable
/// pseudo-translation `[src→tgt] text`. Quirks: `throttle` (429/410 without Retry-After, any path), `empty`
/// (Papago answers an empty translation).
enum NaverFake {
    /// Premium speakers the fake knows, with their language (which sets the text limit).
    /// (NAVER Cloud's speaker table, api.ncloud-docs.com/docs/ai-naver-clovavoice-ttspremium.)
    static let speakers = ["nara": "ko", "jinho": "ko", "mijin": "ko", "nbora": "ko", "ndaeseong": "ko", "ndonghyun": "ko", "neunseo": "ko",
                           "neunwoo": "ko", "neunyoung": "ko", "ngoeun": "ko", "ngyeongjun": "ko", "nheera": "ko", "nian": "ko",
                           "nes_c_kihyo": "ko", "nes_c_mikyung": "ko", "vara": "ko", "vmikyung": "ko", "vyuna": "ko", "vgoeun": "ko",
                           "vdaeseong": "ko", "clara": "en", "matt": "en", "ntomoko": "ja", "shinji": "ja",
                           "meimei": "zh", "liangliang": "zh", "carmen": "es", "jose": "es"]
    /// Papago's languages.
    static let papagoLanguages: Set<String> = ["ko", "en", "ja", "zh-CN", "zh-TW", "vi", "id", "th", "de", "ru", "es", "it", "fr"]

    static func register(on router: Router<BasicRequestContext>, control: FakeControl) {
        router.post("naver/tts-premium/v1/tts") { request, context -> Response in
            let quirk = control.nextQuirk(for: request.uri.path)
            if let early = try await gateway(request, control, quirk: quirk) { return early }
            let form = formFields(try await request.body.collect(upTo: 1 << 20))
            if let emotion = form["emotion"] { control.keep("clova-voice-emotion", "\(form["speaker"] ?? "")\t\(emotion)") }
            return tts(form, voices: control.voices)
        }
        router.post("naver/nmt/v1/translation") { request, context -> Response in
            let quirk = control.nextQuirk(for: request.uri.path)
            if let early = try await gateway(request, control, quirk: quirk) { return early }
            return translation(formFields(try await request.body.collect(upTo: 1 << 20)), empty: quirk == "empty")
        }
        ClovaSpeechFake.register(on: router, control: control)
    }

    /// CLOVA Voice: validates the form as the service does and answers speech-like audio. Rules and error codes from
    /// NAVER Cloud's current CLOVA Voice Premium page (api.ncloud-docs.com/docs/en/ai-naver-clovavoice-ttspremium):
    /// `speed` −5…5 ("−5: 2x faster", "5: 0.5x slower"), `text` up to 2,000 characters, `volume` and `pitch` −5…5;
    /// VS01 speaker needed, VS02 unsupported speaker, VS03 speed needed, VS04 unsupported speed, VS05 text needed,
    /// VS06 text too long, VS07 unsupported volume (VS08: pitch, UNVERIFIED: the table was cut off).
    static func tts(_ form: [String: String], voices: FakeVoices) -> Response {
        guard let speaker = form["speaker"], !speaker.isEmpty else { return voiceError("VS01", "Speaker parameter is needed.") }
        guard speakers[speaker] != nil else { return voiceError("VS02", "Unsupported speaker.") }
        guard let speedText = form["speed"] ?? Optional("0"), !speedText.isEmpty else { return voiceError("VS03", "Speed parameter is needed.") }
        guard let speed = Int(speedText), (-5...5).contains(speed) else { return voiceError("VS04", "Unsupported speed.") }
        guard let text = form["text"], !text.isEmpty else { return voiceError("VS05", "Text parameter is needed.") }
        guard text.count <= 2_000 else { return voiceError("VS06", "Text exceeds max length.") }
        guard let volume = Int(form["volume"] ?? "0"), (-5...5).contains(volume) else { return voiceError("VS07", "Unsupported volume.") }
        guard let pitch = Int(form["pitch"] ?? "0"), (-5...5).contains(pitch) else { return voiceError("VS08", "Unsupported pitch.") }
        // `emotion` 0–3 (0 neutral, 1 sad, 2 happy, 3 angry) for nara, vara, vmikyung, vdain, vyuna, vgoeun and vdaeseong;
        // nara has no 3 (the same page). The error code for a bad value is not documented: answered as VS08's shape.
        if let emotion = form["emotion"] {
            let speakers: Set<String> = ["nara", "vara", "vmikyung", "vdain", "vyuna", "vgoeun", "vdaeseong"]
            guard let value = Int(emotion), (0...3).contains(value), speakers.contains(speaker), !(speaker == "nara" && value == 3) else {
                return voiceError("VS08", "Unsupported emotion.")
            }
        }
        let format = form["format"] ?? "mp3"
        guard let rate = Int(form["sampling-rate"] ?? "24000"), [8_000, 16_000, 24_000, 48_000].contains(rate), ["mp3", "wav"].contains(format) else {
            return voiceError("VS08", "Unsupported format or sampling-rate.")
        }
        // Speed s: 2× at −5, 0.5× at 5, linear on each side of 0 (the page gives only the ends).
        let playback = speed <= 0 ? 1 - Double(speed) / 5 : 1 - Double(speed) / 10
        let samples = FakeAudio.speech(text, speed: playback, sampleRate: format == "wav" ? rate : 24_000, voices: voices)
        let trace = [("x-ncp-trace-id", FakeReply.requestID())]
        if format == "mp3" {
            guard let mp3 = FakeMP3.encode(samples, sampleRate: 24_000) else { return gatewayError(503, "500", "Endpoint error") }
            return FakeReply.bytes(mp3, contentType: "audio/mpeg", headers: trace)
        }
        return FakeReply.bytes(FakeAudio.wav(samples, sampleRate: rate), contentType: "audio/wav", headers: trace)
    }

    /// Papago: validates `source`, `target`, `text` with the N2MT codes and answers `[src→tgt] text`.
    static func translation(_ form: [String: String], empty: Bool) -> Response {
        guard let source = form["source"], !source.isEmpty else { return papagoError("N2MT01", "source parameter is needed") }
        guard source == "auto" || papagoLanguages.contains(source) else { return papagoError("N2MT02", "unsupported source language: \(source)") }
        guard let target = form["target"], !target.isEmpty else { return papagoError("N2MT03", "target parameter is needed") }
        guard papagoLanguages.contains(target) else { return papagoError("N2MT04", "unsupported target language: \(target)") }
        guard source != target else { return papagoError("N2MT05", "source and target must be different") }
        guard let text = form["text"], !text.isEmpty else { return papagoError("N2MT07", "text parameter is needed") }
        guard text.count <= 5_000 else { return papagoError("N2MT08", "text parameter exceeds max length") }
        let src = source == "auto" ? (text.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) } ? "ko" : "en") : source
        let translated = empty ? "" : "[\(src)→\(target)] \(text)"
        return FakeReply.json(200, ["message": ["@type": "response", "@service": "naverservice.nmt.proxy", "@version": "1.0.0",
                                                "result": ["srcLangType": src, "tarLangType": target, "translatedText": translated]]],
                              headers: [("x-ncp-trace-id", FakeReply.requestID())])
    }

    /// Records, checks the gateway keys and applies a fault (or the `throttle` quirk), as the API gateway does.
    static func gateway(_ request: Request, _ control: FakeControl, quirk: String?) async throws -> Response? {
        control.record(RecordedRequest(path: request.uri.path, headers: FakeReply.headers(request), at: .now))
        guard let idName = HTTPField.Name("X-NCP-APIGW-API-KEY-ID"), let keyName = HTTPField.Name("X-NCP-APIGW-API-KEY"),
              request.headers[idName] == FakeProviderServer.naverClientID, request.headers[keyName] == FakeProviderServer.naverClientSecret else {
            return gatewayError(401, "200", "Authentication Failed")
        }
        if quirk == "throttle" { return gatewayError(429, "410", "Throttle Limited") }
        return try await fault(request.uri.path, control)
    }

    /// The fault queued for `path`, worded as the gateway words it; nil to answer normally.
    static func fault(_ path: String, _ control: FakeControl) async throws -> Response? {
        guard let fault = control.nextFault(for: path) else { return nil }
        switch fault {
        case .rateLimited(let retryAfter, let retryAfterMs):
            var response = gatewayError(429, "420", "Rate Limited")
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            if let retryAfterMs, let name = HTTPField.Name("retry-after-ms") { response.headers[name] = retryAfterMs }
            return response
        case .quota: return gatewayError(429, "400", "Quota Exceeded")
        case .serverError(let status): return gatewayError(status, "500", "Endpoint error")
        default: return try await FakeReply.transport(fault)
        }
    }

    static func gatewayError(_ status: Int, _ code: String, _ message: String) -> Response {
        FakeReply.json(status, ["error": ["errorCode": code, "message": message, "details": message]], headers: [("x-ncp-trace-id", FakeReply.requestID())])
    }

    static func voiceError(_ code: String, _ message: String) -> Response {
        FakeReply.json(400, ["error": ["errorCode": code, "message": message]], headers: [("x-ncp-trace-id", FakeReply.requestID())])
    }

    static func papagoError(_ code: String, _ message: String) -> Response {
        FakeReply.json(400, ["errorCode": code, "errorMessage": message], headers: [("x-ncp-trace-id", FakeReply.requestID())])
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
