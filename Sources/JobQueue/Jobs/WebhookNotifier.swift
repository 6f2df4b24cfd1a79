import DubSupport
import Foundation
import Logging
import Synchronization

/// Posts a signed JSON report to a job's webhook when the job ends (succeeded, failed for good, or cancelled):
/// `{"job","state","attempt","error","output","finished_at"}` with `X-Dub-Timestamp` and `X-Dub-Signature`
/// (`WebhookSignature`).
///
/// Delivery runs in its own task, off the job's path and after its lease is gone, retried with backoff; the outcome
/// is logged and kept on the job (`webhook_outcome`) and never changes the job itself. The database is the outbox:
/// the worker that ends a job claims its webhook at once, and every daemon's maintenance sweep (`deliverDue`) sends
/// the others (jobs ended by the reaper or by `dubctl jobs cancel`, and claims whose sender died). Without a secret
/// (`DUB_WEBHOOK_SECRET`) nothing is sent unsigned: a warning says why and the report stays due.
public final class WebhookNotifier: Sendable {
    private let secret: String?
    private let transport: any WebhookTransport
    private let logger: Logger
    private let claimSeconds: Double
    private let requestTimeout: Double
    private let allow: WebhookURL.AllowList
    private let deliveries = Mutex<(next: Int, running: [Int: Task<Void, Never>])>((0, [:]))
    private let idle = IdleSignal()
    private let clock: any Clock<Duration>

    /// - Parameters:
    ///   - transport: the HTTP client with its retry rules (attempts and backoff for one report).
    ///   - requestTimeout: seconds one attempt may take, connecting included.
    ///   - claimSeconds: how long a claimed report is this process's to send; must outlast every retry.
    ///   - allow: private addresses the operator allows (`DUB_WEBHOOK_ALLOW`); all others are refused.
    public init(secret: String?, transport: any WebhookTransport, requestTimeout: Double = 10, claimSeconds: Double = 180,
                logger: Logger = Logger(label: "dub.webhooks"), allow: WebhookURL.AllowList = .fromEnvironment(),
                clock: any Clock<Duration> = ContinuousClock()) {
        self.allow = allow
        self.clock = clock
        self.secret = secret.flatMap { $0.isEmpty ? nil : $0 }
        self.transport = transport
        self.logger = logger
        self.claimSeconds = claimSeconds
        self.requestTimeout = requestTimeout
    }

    /// Whether reports can be sent (a secret is set).
    public var isEnabled: Bool { secret != nil }

    /// Reports deliveries still under way.
    public var inFlight: Int { deliveries.withLock { $0.running.count } }

    /// The body sent for `job`: its error only when the job's last attempt ended with one.
    static func body(for job: WebhookReport, at time: Double) throws -> [UInt8] {
        var object: [String: Any] = ["job": job.id, "state": job.state.rawValue, "attempt": job.attempt, "finished_at": job.finishedAt ?? time]
        let error = job.state == .succeeded ? nil : job.errors.last.flatMap { $0.attempt == job.attempt ? $0 : nil }
        object["error"] = error.map { ["code": $0.code, "message": $0.message] as [String: Any] } ?? NSNull()
        if let result = job.result, let parsed = try? JSONSerialization.jsonObject(with: Data(result.utf8), options: .fragmentsAllowed) {
            object["output"] = parsed
        } else {
            object["output"] = NSNull()
        }
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// Job `id` has just been ended by this process: claims its webhook, if it has one, and sends it in the
    /// background. Returns at once.
    public func jobEnded<Kind>(_ id: Int, queue: JobQueue<Kind>) {
        track { [self] in
            do {
                guard secret != nil else {
                    if let job = try await queue.job(id), job.state.isTerminal, let url = job.webhookURL {
                        logger.with(["job": "\(id)", "url": URLRedaction.redacted(url)])
                            .warning("webhook not sent: DUB_WEBHOOK_SECRET is not set (dub never sends unsigned webhooks)")
                    }
                    return
                }
                guard let job = try await queue.claimWebhook(id, for: claimSeconds) else { return }
                await send(job, queue: queue)
            } catch {
                logger.warning("webhook not claimed; the maintenance sweep will send it", metadata: ["job": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// Claims up to `limit` reports that are due and sends them in the background; returns how many.
    @discardableResult
    public func deliverDue<Kind>(queue: JobQueue<Kind>, limit: Int = 20) async throws -> Int {
        guard secret != nil else { return 0 }
        let jobs = try await queue.claimDueWebhooks(limit: limit, for: claimSeconds)
        for job in jobs { track { [self] in await send(job, queue: queue) } }
        return jobs.count
    }

    /// Waits up to `seconds` for deliveries under way (at shutdown); those cut short are sent again by another
    /// daemon once their claim expires.
    public func drain(seconds: Double) async {
        let (clock, idle) = (clock, idle)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await idle.wait() }
            group.addTask { try? await clock.sleep(for: .seconds(seconds)) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Signs and posts the report for `job` (retrying), then records and logs the outcome.
    private func send<Kind>(_ job: WebhookReport, queue: JobQueue<Kind>) async {
        guard let secret, let url = job.webhookURL else { return }
        let log = logger.with(["job": "\(job.id)", "url": URLRedaction.redacted(url), "state": job.state.rawValue])
        var outcome: String
        do {
            let pin: String
            do throws(WebhookURL.Invalid) { pin = try WebhookURL.resolve(url, allow: allow) } catch {
                throw WebhookDeliveryError(status: 0, attempts: 0, message: error.reason, addressRefused: true)
            }
            let now = JobClock.systemNow()
            let body = try Self.body(for: job, at: now)
            let timestamp = Int(now)
            // The signature proves the sender without revealing the secret, so plain http receivers work too.
            let status = try await transport.post(WebhookDelivery(
                url: url, pin: pin, headers: ["X-Dub-Timestamp": "\(timestamp)", "User-Agent": "dubd-webhook/1",
                                              "X-Dub-Signature": WebhookSignature.sign(body: body, timestamp: timestamp, secret: secret)],
                body: body, timeout: requestTimeout))
            outcome = "delivered (HTTP \(status))"
            log.info("webhook delivered", metadata: ["status": "\(status)"])
        } catch {
            outcome = "not delivered: " + Self.reason(error)
            log.warning("webhook not delivered; the job is unaffected", metadata: ["error": "\(Self.reason(error))"])
        }
        do {
            try await queue.recordWebhook(job.id, outcome: outcome)
        } catch {
            log.warning("could not record the webhook's outcome", metadata: ["error": "\(error)"])
        }
    }

    private func track(_ body: @escaping @Sendable () async -> Void) {
        deliveries.withLock { state in
            let key = state.next
            state.next += 1
            // Registered under the lock, so the task cannot remove itself before it is added.
            idle.set(idle: false)
            state.running[key] = Task { [self] in
                await body()
                let nothingLeft = deliveries.withLock { state -> Bool in
                    state.running.removeValue(forKey: key)
                    return state.running.isEmpty
                }
                if nothingLeft { idle.set(idle: true) }
            }
        }
    }

    /// One line on why a delivery failed (status or transport error, attempts); no URL, no secret.
    static func reason(_ error: any Error) -> String { "\(error)" }
}

extension Logger {
    func with(_ metadata: [String: String]) -> Logger {
        var copy = self
        for (key, value) in metadata { copy[metadataKey: key] = "\(value)" }
        return copy
    }
}
