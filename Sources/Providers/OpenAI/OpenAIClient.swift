import DubSupport
import ProviderAPI
import Foundation
import Logging

/// Connection settings and the HTTP client for the OpenAI API (`OPENAI_API_KEY`, `OPENAI_BASE_URL`).
public struct OpenAIClient: Sendable {
    public static let defaultBaseURL = "https://api.openai.com/v1"

    public let baseURL: String
    let apiKey: String
    let http: HTTPClient
    /// Where every call's usage is recorded (under "openai").
    public let meter: UsageMeter
    /// Connect, stall and deadline limits (`OPENAI_TIMEOUT`, ...; 600 s like OpenAI's SDK).
    public let timeouts: HTTPTimeouts

    public init(apiKey: String, baseURL: String = OpenAIClient.defaultBaseURL, maxConcurrent: Int = 8, maxRequestsPerSecond: Double? = nil,
                retry: RetryPolicy = RetryPolicy(), timeouts: HTTPTimeouts = HTTPTimeouts(deadline: 600), meter: UsageMeter = UsageMeter(),
                logger: Logger = Logger(label: "dub.providers.openai")) {
        self.apiKey = apiKey
        self.timeouts = timeouts
        self.meter = meter
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = HTTPClient(provider: "OpenAI", maxConcurrent: maxConcurrent, maxRequestsPerSecond: maxRequestsPerSecond, retry: retry, logger: logger,
                               isQuotaError: { Self.errorCode($0) == "insufficient_quota" })
    }

    /// From the environment; nil when `OPENAI_API_KEY` is unset.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment, maxConcurrent: Int = 8) {
        guard let key = environment["OPENAI_API_KEY"], !key.isEmpty else { return nil }
        self.init(apiKey: key, baseURL: environment["OPENAI_BASE_URL"] ?? Self.defaultBaseURL, maxConcurrent: maxConcurrent,
                  timeouts: .forProvider("OPENAI", settings: ProviderSettings(values: environment)))
    }

    var authHeaders: HTTPHeaders { ["Authorization": "Bearer \(apiKey)"] }

    /// A JSON POST to `path` with the key and the client's limits.
    func jsonRequest(_ path: String, _ object: [String: Any]) throws -> HTTPRequest {
        let data = try JSONSerialization.data(withJSONObject: object)
        var request = HTTPRequest(url: baseURL + path, secretHeaders: authHeaders, body: .bytes(Array(data), contentType: "application/json"))
        timeouts.apply(to: &request)
        return request
    }

    /// POSTs JSON to `path` and returns the 2xx response (its body in `responseFile` when one is given).
    func postJSON(_ path: String, _ object: [String: Any], responseFile: String? = nil) async throws -> HTTPResponse {
        var request = try jsonRequest(path, object)
        request.responseFile = responseFile
        return try await http.send(request, errorMessage: Self.errorMessage)
    }

    /// Sends `request` and decodes its JSON answer (asked once more if the body is not that JSON).
    func send<T: Decodable>(_ request: HTTPRequest, decoding type: T.Type) async throws -> T {
        try await http.send(request, decoding: type, errorMessage: Self.errorMessage)
    }

    /// `error.message` of an OpenAI error body.
    static func errorMessage(_ response: HTTPResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return error["message"] as? String
    }

    /// `error.code` (or `error.type`) of an OpenAI error body.
    static func errorCode(_ response: HTTPResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return (error["code"] as? String) ?? (error["type"] as? String)
    }
}
