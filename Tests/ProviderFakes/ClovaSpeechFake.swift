import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A CLOVA Speech invoke URL under `/clova`, as `providers.md` describes it: `X-CLOVASPEECH-API-KEY` checked (401,
/// errorCode "200"), `POST /recognizer/upload` multipart with parts `media` and `params` (JSON: `language`,
/// `completion`, `wordAlignment`, `fullText`, `diarization{enable, speakerCountMin, speakerCountMax}`) validated, and
/// segments and `[startMs, endMs, "text"]` words in integer milliseconds inside the voiced regions of the upload
/// (decoded and analysed with AudioKitCore's voice activity detector), speakers alternating per region when
/// diarization is on. `completion: async` (or the quirk `async` on a sync request) answers only a token; `GET
/// /recognizer/{token}` then answers RUNNING once and COMPLETED after. Quirk `failed`: 200 with `result: FAILED`.
/// Quirk `speaker-off`: this request's domain has speaker recognition turned off in the console, so diarization
/// enabled (or, reportedly, an omitted `diarization` object) gets 400 "speaker detect is off" (providers.md).
/// Languages per NAVER Cloud's CLOVA Speech long-sentence page: ko-KR, en-US, enko, ja, zh-cn, zh-tw.
/// Faults as the NAVER gateway words them (`NaverFake.fault`); faults for polls are queued on `/recognizer/poll`.
enum ClovaSpeechFake {
    static let languages: Set<String> = ["ko-KR", "en-US", "enko", "ja", "zh-cn", "zh-tw"]

    static func register(on router: Router<BasicRequestContext>, control: FakeControl) {
        /// token → (polls so far, the finished result).
        let pending = Mutex<[String: (polls: Int, result: Data)]>([:])
        router.post("clova/recognizer/upload") { request, context -> Response in
            let quirk = control.nextQuirk(for: request.uri.path)
            if let early = try await gate(request, control, faultPath: request.uri.path) { return early }
            let body = Array(buffer: try await request.body.collect(upTo: 64 << 20))
            guard let form = await MultipartBody.parse(contentType: request.headers[.contentType], body: body),
                  let media = form["media"], let filename = media.filename, !media.data.isEmpty else {
                return failure(400, "media is required")
            }
            guard let paramsText = form["params"]?.text,
                  let params = try? JSONSerialization.jsonObject(with: Data(paramsText.utf8)) as? [String: Any] else {
                return failure(400, "params must be a JSON object")
            }
            control.keep("clova-params", paramsText)
            if let problem = invalid(params) { return failure(400, problem) }
            if quirk == "failed" { return failure(200, "Recognition failed: internal engine error") }
            if quirk == "speaker-off", (params["diarization"] as? [String: Any])?["enable"] as? Bool ?? true {
                return failure(400, "speaker detect is off: this domain does not allow speaker recognition")
            }
            guard let heard = await FakeSpeechTiming.analyzeOffPool(media.data, filename: filename, voices: control.voices) else {
                return failure(200, "Unsupported media")
            }
            let result = recognition(heard.regions, params: params)
            if params["completion"] as? String == "async" || quirk == "async" {
                let token = "tok-" + FakeReply.requestID()
                pending.withLock { $0[token] = (0, (try? JSONSerialization.data(withJSONObject: result)) ?? Data()) }
                return FakeReply.json(200, ["result": "WAITING", "message": "Accepted", "token": token])
            }
            return FakeReply.json(200, result)
        }
        router.get("clova/recognizer/:token") { request, context -> Response in
            if let early = try await gate(request, control, faultPath: "/clova/recognizer/poll") { return early }
            let token = context.parameters.get("token") ?? ""
            let entry: (polls: Int, result: Data)? = pending.withLock { table in
                guard var entry = table[token] else { return nil }
                entry.polls += 1
                table[token] = entry
                return entry
            }
            guard let entry, let object = try? JSONSerialization.jsonObject(with: entry.result) else {
                return failure(404, "no such token")
            }
            if entry.polls == 1 { return FakeReply.json(200, ["result": "RUNNING", "message": "Processing", "token": token]) }
            return FakeReply.json(200, object)
        }
    }

    /// What is wrong with `params`, or nil.
    static func invalid(_ params: [String: Any]) -> String? {
        guard let language = params["language"] as? String, languages.contains(language) else { return "params.language is invalid" }
        guard ["sync", "async"].contains(params["completion"] as? String ?? "") else { return "params.completion must be sync or async" }
        for key in ["wordAlignment", "fullText"] where params[key] != nil && !(params[key] is Bool) {
            return "params.\(key) must be a boolean"
        }
        if let diarization = params["diarization"] {
            guard let object = diarization as? [String: Any], object["enable"] is Bool else { return "params.diarization.enable is required" }
            let low = object["speakerCountMin"] as? Int ?? -1, high = object["speakerCountMax"] as? Int ?? -1
            if low > 0 && high > 0 && low > high { return "params.diarization.speakerCountMin is over speakerCountMax" }
        }
        return nil
    }

    /// The sync result: a segment per voiced region, words when `wordAlignment`, full text when `fullText`,
    /// speaker labels "1", "2" alternating by region when diarization is on (one speaker when at most one is allowed).
    static func recognition(_ regions: [FakeSpeechTiming.Region], params: [String: Any]) -> [String: Any] {
        func ms(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }
        let diarization = params["diarization"] as? [String: Any]
        let diarize = diarization?["enable"] as? Bool ?? false
        let speakerCount = (diarization?["speakerCountMax"] as? Int).map { max(1, $0) } ?? 2
        let words = params["wordAlignment"] as? Bool ?? false
        let segments: [[String: Any]] = regions.map { region in
            var segment: [String: Any] = ["start": ms(region.start), "end": ms(region.end), "confidence": 0.93,
                                          "text": region.words.map(\.text).joined(separator: " ")]
            segment["words"] = words ? region.words.map { [ms($0.start), ms($0.end), $0.text] as [Any] } : []
            if diarize {
                let label = region.speaker % speakerCount + 1
                segment["speaker"] = ["label": "\(label)", "name": label == 1 ? "A" : "B"]
            }
            return segment
        }
        var result: [String: Any] = ["result": "COMPLETED", "message": "Succeeded", "token": FakeReply.requestID(), "segments": segments]
        if params["fullText"] as? Bool ?? false { result["text"] = regions.flatMap { $0.words.map(\.text) }.joined(separator: " ") }
        if diarize { result["speakers"] = (1...min(2, speakerCount)).map { ["label": "\($0)", "name": $0 == 1 ? "A" : "B"] } }
        return result
    }

    /// Records, checks the CLOVA Speech secret and applies a fault.
    static func gate(_ request: Request, _ control: FakeControl, faultPath: String) async throws -> Response? {
        control.record(RecordedRequest(path: request.uri.path, headers: FakeReply.headers(request), at: .now))
        guard let name = HTTPField.Name("X-CLOVASPEECH-API-KEY"), request.headers[name] == FakeProviderServer.clovaSpeechSecret else {
            return NaverFake.gatewayError(401, "200", "Authentication Failed")
        }
        return try await NaverFake.fault(faultPath, control)
    }

    static func failure(_ status: Int, _ message: String) -> Response {
        FakeReply.json(status, ["result": "FAILED", "message": message], headers: [("x-ncp-trace-id", FakeReply.requestID())])
    }
}
