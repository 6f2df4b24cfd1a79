import DubSupport
import ProviderAPI
import Foundation
import Logging

/// Connection settings and the HTTP client for ElevenLabs (`ELEVENLABS_API_KEY`, `ELEVENLABS_BASE_URL`).
public struct ElevenLabsClient: Sendable {
    /// The public API host.
    public static let defaultBaseURL = "https://api.elevenlabs.io"

    /// Where requests go, without a trailing slash.
    public let baseURL: String
    let apiKey: String
    let http: HTTPClient
    /// Where every call's usage is recorded (under "elevenlabs").
    public let meter: UsageMeter
    /// Connect, stall and deadline limits (`ELEVENLABS_TIMEOUT`, ...; 240 s like ElevenLabs' SDK).
    public let timeouts: HTTPTimeouts

    /// A client for `apiKey` (sent as the secret `xi-api-key` header, never logged); quota errors are not retried.
    public init(apiKey: String, baseURL: String = ElevenLabsClient.defaultBaseURL, maxConcurrent: Int = 4, maxRequestsPerSecond: Double? = nil,
                retry: RetryPolicy = RetryPolicy(), timeouts: HTTPTimeouts = HTTPTimeouts(deadline: 240), meter: UsageMeter = UsageMeter(),
                logger: Logger = Logger(label: "dub.providers.elevenlabs")) {
        self.apiKey = apiKey
        self.timeouts = timeouts
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.meter = meter
        self.http = HTTPClient(provider: "ElevenLabs", maxConcurrent: maxConcurrent, maxRequestsPerSecond: maxRequestsPerSecond, retry: retry, logger: logger,
                               isQuotaError: { Self.quotaCodes.contains(Self.errorCode($0) ?? "") })
    }

    /// From the environment; nil when `ELEVENLABS_API_KEY` is unset.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment, maxConcurrent: Int = 4) {
        guard let key = environment["ELEVENLABS_API_KEY"], !key.isEmpty else { return nil }
        self.init(apiKey: key, baseURL: environment["ELEVENLABS_BASE_URL"] ?? Self.defaultBaseURL, maxConcurrent: maxConcurrent,
                  timeouts: .forProvider("ELEVENLABS", settings: ProviderSettings(values: environment)))
    }

    var authHeaders: HTTPHeaders { ["xi-api-key": apiKey] }

    /// Sends `request` with the key and ElevenLabs' error parsing.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var request = request
        request.secretHeaders = authHeaders
        return try await http.send(request, errorMessage: Self.errorMessage)
    }

    /// Sends `request` with the key and decodes its JSON answer (asked once more if the body is not that JSON).
    func send<T: Decodable>(_ request: HTTPRequest, decoding type: T.Type) async throws -> T {
        var request = request
        request.secretHeaders = authHeaders
        return try await http.send(request, decoding: type, errorMessage: Self.errorMessage)
    }

    /// Error codes that mean the account cannot pay for the request (never retried). The current error body carries
    /// `detail.code`; `detail.status` is legacy and read too (elevenlabs.io/docs/eleven-api/resources/errors).
    static let quotaCodes: Set<String> = ["quota_exceeded", "insufficient_credits", "payment_required"]

    /// The error body's `detail`: `{"type","code","message","request_id","param","status"}` (the message, with the code
    /// and what to do for quota and rate errors), or the 422 list of `{"loc","msg","type"}`.
    static func errorMessage(_ response: HTTPResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else { return nil }
        if let detail = object["detail"] as? [String: Any] {
            let code = errorCode(response)
            let message = (detail["message"] as? String) ?? code.map { Self.codeMeanings[$0] ?? $0 } ?? "request failed"
            guard let code else { return message }
            let meaning = Self.codeMeanings[code].map { message.lowercased().contains($0.lowercased()) ? "" : " (\($0))" } ?? ""
            return "\(code): \(message)\(meaning)"
        }
        if let list = object["detail"] as? [[String: Any]] {
            return list.map { item in
                let location = (item["loc"] as? [Any])?.map { "\($0)" }.joined(separator: ".") ?? ""
                return location.isEmpty ? "\(item["msg"] ?? "")" : "\(location): \(item["msg"] ?? "")"
            }.joined(separator: "; ")
        }
        return object["detail"] as? String
    }

    /// What the codes of the current errors page mean, for messages that carry only the code.
    static let codeMeanings = [
        "quota_exceeded": "out of quota: the account has no credits left for this request",
        "insufficient_credits": "out of quota: the account has no credits left for this request",
        "rate_limit_exceeded": "rate limited: too many requests, back off",
        "concurrent_limit_exceeded": "too many requests at once for this plan: wait for others to finish",
        "too_many_concurrent_requests": "too many requests at once for this plan: wait for others to finish",
        "system_busy": "the service is busy: try again",
        "invalid_api_key": "the API key is not valid",
        "voice_not_found": "no such voice",
        "max_character_limit_exceeded": "the text is over the model's character limit",
    ]

    /// The error code of an error body: `detail.code` (current), else the legacy `detail.status`.
    static func errorCode(_ response: HTTPResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let detail = object["detail"] as? [String: Any] else { return nil }
        return (detail["code"] as? String) ?? (detail["status"] as? String)
    }
}
