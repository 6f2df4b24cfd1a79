import DubSupport
import ProviderAPI
import Foundation
import Logging

/// CLOVA Speech long-sentence recognition: a per-domain invoke URL (`CLOVA_SPEECH_INVOKE_URL`) and its secret
/// (`CLOVA_SPEECH_SECRET`, sent as `X-CLOVASPEECH-API-KEY`).
public struct ClovaSpeechClient: Sendable {
    public let invokeURL: String
    let secret: String
    let http: HTTPClient
    /// Usage is recorded under "clova-speech".
    public let meter: UsageMeter
    let logger: Logger

    /// Connect, stall and deadline limits (`CLOVA_SPEECH_TIMEOUT`, ...; 600 s plus a second per second of audio).
    public let timeouts: HTTPTimeouts

    public init(invokeURL: String, secret: String, maxConcurrent: Int = 2, maxRequestsPerSecond: Double? = nil, retry: RetryPolicy = RetryPolicy(),
                timeouts: HTTPTimeouts = HTTPTimeouts(deadline: 600, perAudioSecond: 1), meter: UsageMeter = UsageMeter(),
                logger: Logger = Logger(label: "dub.providers.clova-speech")) {
        self.timeouts = timeouts
        self.logger = logger
        self.invokeURL = invokeURL.hasSuffix("/") ? String(invokeURL.dropLast()) : invokeURL
        self.secret = secret
        self.meter = meter
        self.http = HTTPClient(provider: "CLOVA Speech", maxConcurrent: maxConcurrent, maxRequestsPerSecond: maxRequestsPerSecond, retry: retry, logger: logger,
                               isQuotaError: { $0.status == 429 && NaverGatewayClient.errorCode($0) == "400" })
    }

    /// From the environment; nil when `CLOVA_SPEECH_INVOKE_URL` or `CLOVA_SPEECH_SECRET` is unset.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment, maxConcurrent: Int = 2) {
        guard let url = environment["CLOVA_SPEECH_INVOKE_URL"], !url.isEmpty,
              let secret = environment["CLOVA_SPEECH_SECRET"], !secret.isEmpty else { return nil }
        self.init(invokeURL: url, secret: secret, maxConcurrent: maxConcurrent,
                  timeouts: .forProvider("CLOVA_SPEECH", settings: ProviderSettings(values: environment)))
    }

    var authHeaders: HTTPHeaders { ["X-CLOVASPEECH-API-KEY": secret] }

    func send<T: Decodable>(_ request: HTTPRequest, decoding type: T.Type) async throws -> T {
        var request = request
        request.secretHeaders = authHeaders
        return try await http.send(request, decoding: type, errorMessage: NaverGatewayClient.errorMessage)
    }
}
