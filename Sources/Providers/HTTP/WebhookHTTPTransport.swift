import ProviderAPI
import JobQueue
import Logging

/// Job webhooks over the curl HTTP client: 5 attempts with backoff by default (408, 429, 5xx and transport errors
/// retried), the connection pinned to the checked addresses, a 2xx answer discarded (read to 1 MiB), an error body
/// kept to 64 KiB.
public struct WebhookHTTPTransport: WebhookTransport {
    private let http: HTTPClient

    public init(retry: RetryPolicy = RetryPolicy(maxAttempts: 5, initialBackoff: 1, maxBackoff: 15)) {
        var quiet = Logger(label: "dub.webhooks.http")
        quiet.logLevel = .error // the notifier logs one line per delivery, with the URL redacted
        http = HTTPClient(provider: "webhook", maxConcurrent: 4, retry: retry, logger: quiet)
    }

    public func post(_ delivery: WebhookDelivery) async throws -> Int {
        var request = HTTPRequest(url: delivery.url, headers: HTTPHeaders(delivery.headers), body: .bytes(delivery.body, contentType: "application/json"))
        request.connectTimeout = min(5, delivery.timeout)
        request.totalTimeout = delivery.timeout
        request.stallTimeout = delivery.timeout
        request.pinnedAddresses = [delivery.pin]
        request.responseFile = "/dev/null"
        request.maxFileBytes = 1 << 20
        request.maxResponseBytes = 64 << 10
        do {
            return try await http.send(request).status
        } catch let error as ProviderError {
            throw WebhookDeliveryError(status: error.status, attempts: error.attempts, message: error.status != 0 ? "HTTP \(error.status)" : error.message)
        }
    }
}
