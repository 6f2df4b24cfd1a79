import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation
import Logging

/// Sends provider requests over libcurl, each on its own thread off the cooperative pool, with a per-client
/// concurrency limit, the shared retry rules and one log line per attempt (never a secret).
public final class HTTPClient: Sendable {
    /// The provider's name, used in errors and logs.
    public let provider: String
    public let retry: RetryPolicy
    private let gate: ConcurrencyGate
    private let rate: RateLimiter?
    private let logger: Logger
    /// Tells a quota error from a throttle in an error body (provider-specific).
    private let isQuotaError: @Sendable (HTTPResponse) -> Bool

    /// `maxRequestsPerSecond` spaces request starts (every attempt counts); nil for no rate limit.
    public init(provider: String, maxConcurrent: Int = 8, maxRequestsPerSecond: Double? = nil, retry: RetryPolicy = RetryPolicy(),
                logger: Logger = Logger(label: "dub.providers"), isQuotaError: @escaping @Sendable (HTTPResponse) -> Bool = { _ in false }) {
        self.provider = provider
        self.retry = retry
        self.gate = ConcurrencyGate(limit: maxConcurrent)
        self.rate = RateLimiter(perSecond: maxRequestsPerSecond)
        self.logger = logger
        self.isQuotaError = isQuotaError
    }

    /// Sends `request` until it succeeds (2xx) or the retry rules give up; throws `ProviderError`.
    /// `errorMessage` pulls the provider's message out of an error body.
    public func send(_ request: HTTPRequest, errorMessage: @escaping @Sendable (HTTPResponse) -> String? = { _ in nil }) async throws -> HTTPResponse {
        try Self.checkTransportSecurity(request, provider: provider)
        var attempt = 0
        while true {
            attempt += 1
            try Task.checkCancellation()
            let started = ContinuousClock.now
            let result: Result<HTTPResponse, ProviderError>
            do {
                let response = try await gate.run { [provider, rate] in
                    try await rate?.wait()
                    return try await Self.performCancellable(request, provider: provider)
                }
                result = .success(response)
            } catch let error as ProviderError {
                if error.code == .cancelled { throw CancellationError() }
                if error.code == .tooLarge || error.code == .addressNotAllowed {
                    throw ProviderError(code: error.code, provider: provider, message: error.message, attempts: attempt)
                }
                result = .failure(error)
            }
            let elapsed = ContinuousClock.now - started
            let outcome: RetryPolicy.Outcome
            switch result {
            case .success(let response) where (200..<300).contains(response.status):
                logger.debug("provider request", metadata: ["provider": "\(provider)", "url": "\(Self.redacted(request.url))",
                    "attempt": "\(attempt)", "status": "\(response.status)", "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)"])
                return response
            case .success(let response):
                outcome = .response(status: response.status, headers: response.headers, isQuotaError: isQuotaError(response))
                var decision = retry.decide(after: outcome, attempt: attempt)
                if !request.isIdempotent, response.status != 429 { decision = .fail(reason: "not retried: the request is not idempotent") }
                log(request, attempt: attempt, status: response.status, decision: decision, requestID: Self.requestID(response.headers))
                guard case .retry(let wait) = decision else {
                    throw makeError(response, attempt: attempt, message: errorMessage(response))
                }
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            case .failure(let error):
                outcome = .transport
                var decision = retry.decide(after: outcome, attempt: attempt)
                if !request.isIdempotent { decision = .fail(reason: "not retried: the request is not idempotent") }
                log(request, attempt: attempt, status: 0, decision: decision, requestID: nil)
                guard case .retry(let wait) = decision else {
                    throw ProviderError(code: error.code, provider: provider, message: error.message, attempts: attempt)
                }
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            }
        }
    }

    /// Sends `request` and decodes its JSON answer; a 2xx whose body is not the expected JSON is asked once more
    /// (a proxy or the service can cut a body short), then reported as a bad response.
    public func send<T: Decodable>(_ request: HTTPRequest, decoding type: T.Type,
                                   errorMessage: @escaping @Sendable (HTTPResponse) -> String? = { _ in nil }) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let response = try await send(request, errorMessage: errorMessage)
            if let value = try? JSONDecoder().decode(T.self, from: Data(response.body)) { return value }
            guard attempt < 2, request.isIdempotent else {
                throw ProviderError(code: .badResponse, provider: provider, status: response.status, requestID: Self.requestID(response.headers),
                                    message: "the answer is not the expected JSON (\(response.body.count) bytes)", attempts: attempt)
            }
            logger.warning("provider answer is not the expected JSON; asking again", metadata: ["provider": "\(provider)", "url": "\(Self.redacted(request.url))"])
        }
    }

    private func makeError(_ response: HTTPResponse, attempt: Int, message: String?) -> ProviderError {
        let code: ProviderError.Code = isQuotaError(response) ? .quota
            : (response.status == 401 || response.status == 403) ? .authentication : .http
        return ProviderError(code: code, provider: provider, status: response.status, requestID: Self.requestID(response.headers),
                             message: message ?? "request failed", attempts: attempt)
    }

    private func log(_ request: HTTPRequest, attempt: Int, status: Int, decision: RetryPolicy.Decision, requestID: String?) {
        var metadata: Logger.Metadata = ["provider": "\(provider)", "url": "\(Self.redacted(request.url))", "attempt": "\(attempt)", "status": "\(status)"]
        if let requestID { metadata["request_id"] = "\(requestID)" }
        switch decision {
        case .retry(let wait): metadata["retry_in_s"] = "\(wait)"
        case .fail(let reason): metadata["gave_up"] = "\(reason)"
        }
        logger.warning("provider request failed", metadata: metadata)
    }

    /// The request id under any of the providers' header names.
    public static func requestID(_ headers: HTTPHeaders) -> String? {
        headers["x-request-id"] ?? headers["request-id"] ?? headers["x-ncp-trace-id"]
    }

    static func redacted(_ url: String) -> String { URLRedaction.redacted(url) }

    /// Refuses to send a secret over plain http except to a loopback host.
    static func checkTransportSecurity(_ request: HTTPRequest, provider: String) throws {
        guard !request.secretHeaders.fields.isEmpty, let url = URL(string: request.url) else { return }
        let scheme = url.scheme?.lowercased() ?? ""
        if scheme == "https" { return }
        let host = url.host?.lowercased() ?? ""
        if scheme == "http", host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.") { return }
        throw ProviderError(code: .insecureURL, provider: provider, message: "refusing to send the API key to \(redacted(request.url))")
    }

    private static func performCancellable(_ request: HTTPRequest, provider: String) async throws -> HTTPResponse {
        let flag = CancelFlag()
        return try await withTaskCancellationHandler {
            try await BlockingWork.run {
                let easy = try CurlEasy()
                return try easy.perform(request, provider: provider, cancelled: { flag.isSet })
            }
        } onCancel: {
            flag.set()
        }
    }
}
