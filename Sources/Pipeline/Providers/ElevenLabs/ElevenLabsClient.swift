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

    /// A client for `apiKey` (sent as the secret `xi-api-key` header, never logged); quota errors are not retried.
    public init(apiKey: String, baseURL: String = ElevenLabsClient.defaultBaseURL, maxConcurrent: Int = 4, maxRequestsPerSecond: Double? = nil,
                retry: RetryPolicy = RetryPolicy(), meter: UsageMeter = UsageMeter(),
                logger: Logger = Logger(label: "dub.providers.elevenlabs")) {
        self.apiKey = apiKey
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.meter = meter
        self.http = HTTPClient(provider: "ElevenLabs", maxConcurrent: maxConcurrent, maxRequestsPerSecond: maxRequestsPerSecond, retry: retry, logger: logger,
                               isQuotaError: { Self.errorStatus($0) == "quota_exceeded" })
    }

    /// From the environment; nil when `ELEVENLABS_API_KEY` is unset.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment, maxConcurrent: Int = 4) {
        guard let key = environment["ELEVENLABS_API_KEY"], !key.isEmpty else { return nil }
        self.init(apiKey: key, baseURL: environment["ELEVENLABS_BASE_URL"] ?? Self.defaultBaseURL, maxConcurrent: maxConcurrent)
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

    /// The error body's `detail`: `{"status","message"}`, or the 422 list of `{"loc","msg","type"}`.
    static func errorMessage(_ response: HTTPResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else { return nil }
        if let detail = object["detail"] as? [String: Any] {
            return (detail["message"] as? String).map { message in (detail["status"] as? String).map { "\($0): \(message)" } ?? message }
        }
        if let list = object["detail"] as? [[String: Any]] {
            return list.map { item in
                let location = (item["loc"] as? [Any])?.map { "\($0)" }.joined(separator: ".") ?? ""
                return location.isEmpty ? "\(item["msg"] ?? "")" : "\(location): \(item["msg"] ?? "")"
            }.joined(separator: "; ")
        }
        return object["detail"] as? String
    }

    /// `detail.status` of an error body (`quota_exceeded`, `voice_not_found`, ...).
    static func errorStatus(_ response: HTTPResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let detail = object["detail"] as? [String: Any] else { return nil }
        return detail["status"] as? String
    }

    /// ISO 639-1 for the codes Scribe answers with (2 or 3 letters).
    static func isoCode(_ code: String) -> String {
        let lower = code.lowercased()
        if lower.count == 2 { return lower }
        let table = ["eng": "en", "spa": "es", "kor": "ko", "jpn": "ja", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de",
                     "zho": "zh", "chi": "zh", "cmn": "zh", "ita": "it", "por": "pt", "rus": "ru", "ara": "ar", "hin": "hi",
                     "nld": "nl", "pol": "pl", "tur": "tr", "vie": "vi", "tha": "th", "ind": "id", "ukr": "uk", "swe": "sv"]
        return table[lower] ?? lower
    }
}
