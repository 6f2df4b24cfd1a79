import DubSupport
import ProviderAPI
import Foundation
import Logging

/// NAVER Cloud's API gateway (CLOVA Voice, Papago): `X-NCP-APIGW-API-KEY-ID` and `X-NCP-APIGW-API-KEY` from
/// `NCP_CLIENT_ID` and `NCP_CLIENT_SECRET`; endpoints from `CLOVA_VOICE_URL` and `PAPAGO_URL`.
public struct NaverGatewayClient: Sendable {
    public static let defaultVoiceURL = "https://naveropenapi.apigw.ntruss.com/tts-premium/v1/tts"
    public static let defaultPapagoURL = "https://papago.apigw.ntruss.com/nmt/v1/translation"

    public let voiceURL: String
    public let papagoURL: String
    let clientID: String
    let clientSecret: String
    let http: HTTPClient
    /// Usage is recorded under "clova-voice" and "papago".
    public let meter: UsageMeter
    /// Connect, stall and deadline limits (`NCP_TIMEOUT`, ...; 120 s by default).
    public var timeouts: HTTPTimeouts

    public init(clientID: String, clientSecret: String, voiceURL: String = NaverGatewayClient.defaultVoiceURL,
                papagoURL: String = NaverGatewayClient.defaultPapagoURL, maxConcurrent: Int = 4, maxRequestsPerSecond: Double? = nil, retry: RetryPolicy = RetryPolicy(),
                timeouts: HTTPTimeouts = HTTPTimeouts(deadline: 120), meter: UsageMeter = UsageMeter(), logger: Logger = Logger(label: "dub.providers.naver")) {
        self.timeouts = timeouts
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.voiceURL = voiceURL
        self.papagoURL = papagoURL
        self.meter = meter
        // Gateway errorCode "400" on a 429 is the quota: not retried. 410/420 (throttle, rate) are.
        self.http = HTTPClient(provider: "NAVER", maxConcurrent: maxConcurrent, maxRequestsPerSecond: maxRequestsPerSecond, retry: retry, logger: logger,
                               isQuotaError: { $0.status == 429 && Self.errorCode($0) == "400" })
    }

    /// From the environment; nil when `NCP_CLIENT_ID` or `NCP_CLIENT_SECRET` is unset.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment, maxConcurrent: Int = 4) {
        guard let id = environment["NCP_CLIENT_ID"], !id.isEmpty, let secret = environment["NCP_CLIENT_SECRET"], !secret.isEmpty else { return nil }
        self.init(clientID: id, clientSecret: secret, voiceURL: environment["CLOVA_VOICE_URL"] ?? Self.defaultVoiceURL,
                  papagoURL: environment["PAPAGO_URL"] ?? Self.defaultPapagoURL, maxConcurrent: maxConcurrent,
                  timeouts: .forProvider("NCP", settings: ProviderSettings(values: environment)))
    }

    func form(_ url: String, _ fields: [(String, String)]) -> HTTPRequest {
        var request = HTTPRequest.form(url, fields, secretHeaders: ["X-NCP-APIGW-API-KEY-ID": clientID, "X-NCP-APIGW-API-KEY": clientSecret])
        timeouts.apply(to: &request)
        return request
    }

    /// Sends a form to `url` with the gateway keys.
    /// A 2xx body goes to `responseFile` when one is given (audio), else into the response.
    func postForm(_ url: String, _ fields: [(String, String)], responseFile: String? = nil) async throws -> HTTPResponse {
        var request = form(url, fields)
        request.responseFile = responseFile
        return try await http.send(request, errorMessage: Self.errorMessage)
    }

    /// Sends a form and decodes the JSON answer (asked once more if the body is not that JSON).
    func postForm<T: Decodable>(_ url: String, _ fields: [(String, String)], decoding type: T.Type) async throws -> T {
        try await http.send(form(url, fields), decoding: type, errorMessage: Self.errorMessage)
    }

    /// `{"error":{"errorCode","message","details"}}` from the gateway, or a service's own
    /// `{"errorCode","errorMessage"}` / `{"errorCode","message"}` (shapes UNVERIFIED: both accepted).
    static func errorMessage(_ response: HTTPResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else { return nil }
        let body = (object["error"] as? [String: Any]) ?? object
        let code = body["errorCode"].map { "\($0)" }
        let message = (body["message"] as? String) ?? (body["errorMessage"] as? String) ?? (body["details"] as? String)
        switch (code, message) {
        case let (code?, message?): return "\(code) \(message)"
        case let (nil, message?): return message
        case let (code?, nil): return code
        default: return nil
        }
    }

    /// The gateway's or the service's `errorCode` (a string; a number is accepted too).
    static func errorCode(_ response: HTTPResponse) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else { return nil }
        let body = (object["error"] as? [String: Any]) ?? object
        return body["errorCode"].map { "\($0)" }
    }
}
