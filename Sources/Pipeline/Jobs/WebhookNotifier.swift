import Foundation
import Logging

/// Posts a signed JSON report to a job's webhook when the job ends (succeeded, failed for good, or cancelled):
/// `{"job","state","attempt","error","output","finished_at"}` with `X-Dub-Timestamp` and `X-Dub-Signature`
/// (`WebhookSignature`). Delivery runs in its own task, off the job's path, retried with backoff; a failed delivery is
/// logged and never changes the job. Without a secret (`DUB_WEBHOOK_SECRET`) nothing is sent unsigned: a warning
/// says why.
public final class WebhookNotifier: Sendable {
    private let secret: String?
    private let http: HTTPClient
    private let logger: Logger

    public init(secret: String?, retry: RetryPolicy = RetryPolicy(maxAttempts: 6, initialBackoff: 1, maxBackoff: 30),
                logger: Logger = Logger(label: "dub.webhooks")) {
        self.secret = secret.flatMap { $0.isEmpty ? nil : $0 }
        self.http = HTTPClient(provider: "webhook", maxConcurrent: 4, retry: retry, logger: logger)
        self.logger = logger
    }

    /// The body sent for `job`.
    public static func body(for job: Job, at time: Double) throws -> [UInt8] {
        var object: [String: Any] = ["job": job.id, "state": job.state.rawValue, "attempt": job.attempt, "finished_at": job.finishedAt ?? time]
        object["error"] = job.errors.last.map { ["code": $0.code, "message": $0.message] as [String: Any] } ?? NSNull()
        if let result = job.result, let parsed = try? JSONSerialization.jsonObject(with: Data(result.utf8)) {
            object["output"] = parsed
        } else {
            object["output"] = NSNull()
        }
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// Starts delivery for `job` if it has a webhook; returns the delivery task (tests await it).
    @discardableResult
    public func jobEnded(_ job: Job) -> Task<Bool, Never>? {
        guard let url = job.webhookURL else { return nil }
        let log = logger.with(["job": "\(job.id)", "url": "\(HTTPClient.redacted(url))"])
        guard let secret else {
            log.warning("webhook not sent: DUB_WEBHOOK_SECRET is not set (dub never sends unsigned webhooks)")
            return nil
        }
        let http = http
        return Task {
            do {
                let now = JobClock.systemNow()
                let body = try Self.body(for: job, at: now)
                let timestamp = Int(now)
                // The signature proves the sender without revealing the secret, so plain http receivers work too.
                var request = HTTPRequest(url: url, headers: ["X-Dub-Timestamp": "\(timestamp)",
                                                              "X-Dub-Signature": WebhookSignature.sign(body: body, timestamp: timestamp, secret: secret)],
                                          body: .bytes(body, contentType: "application/json"))
                request.totalTimeout = 15
                _ = try await http.send(request)
                log.info("webhook delivered", metadata: ["state": "\(job.state.rawValue)"])
                return true
            } catch {
                log.warning("webhook not delivered; the job is unaffected", metadata: ["error": "\(error)"])
                return false
            }
        }
    }
}

extension Logger {
    func with(_ metadata: [String: String]) -> Logger {
        var copy = self
        for (key, value) in metadata { copy[metadataKey: key] = "\(value)" }
        return copy
    }
}
