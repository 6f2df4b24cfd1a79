import Foundation
import Logging
import DubSupport
import Providers
import JobQueue
import ProviderFakes
import TestSupport
import Testing

@Suite("Signed job webhooks", .tags(.database))
struct WebhookTests {
    static let secret = "whsec-test-0123456789"

    private func notifier(secret: String? = Self.secret, attempts: Int = 4, backoff: Double = 0.05) -> WebhookNotifier {
        // The receivers listen on loopback, which webhooks may only reach when the operator allows it.
        WebhookNotifier(secret: secret, transport: WebhookHTTPTransport(retry: RetryPolicy(maxAttempts: attempts, initialBackoff: backoff, maxBackoff: backoff * 4)),
                        requestTimeout: 30, allow: WebhookURL.AllowList("127.0.0.1"))
    }

    private func worker(_ f: QueueFixture, _ notifier: WebhookNotifier, _ body: @escaping @Sendable (JobContext<TestJob>) async throws -> JobOutput<TestJob>) -> JobWorker<ScriptedHandler> {
        var settings = JobWorker<ScriptedHandler>.Settings(owner: "webhook-worker")
        settings.heartbeat = 0.2
        settings.poll = 0.1
        return JobWorker(queue: f.queue, handler: ScriptedHandler(body: body), settings: settings, logger: Logger(label: "test"), webhooks: notifier)
    }

    private func submit(_ f: QueueFixture, webhook: String, runAt: Double? = nil) async throws -> Int {
        var job = JobSubmission<TestJob>(payload: .init())
        job.runAt = runAt ?? f.clock.now
        job.webhookURL = webhook
        job.maxAttempts = 1
        return try await f.queue.submit(job).id
    }

    /// The deliveries' bodies, each checked against its signature and timestamp.
    private func verified(_ deliveries: [WebhookReceiver.Delivery]) throws -> [[String: Any]] {
        try deliveries.map { delivery in
            let timestamp = try #require(delivery.headers["x-dub-timestamp"].flatMap { Int($0) })
            #expect(delivery.headers["x-dub-signature"] == WebhookSignature.sign(body: delivery.body, timestamp: timestamp, secret: Self.secret))
            #expect(abs(Double(timestamp) - JobClock.systemNow()) < 300)
            #expect(delivery.headers["content-type"]?.hasPrefix("application/json") == true)
            return try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
        }
    }

    @Test("the signature is HMAC-SHA256 of timestamp.body, as Python's hmac computes it")
    func signature() throws {
        let body = Array(#"{"job":1}"#.utf8)
        let signature = WebhookSignature.sign(body: body, timestamp: 1_700_000_000, secret: "key")
        let reference = try Tool.run("python3", ["-c", """
            import hmac, hashlib; print(hmac.new(b"key", b'1700000000.{"job":1}', hashlib.sha256).hexdigest())
            """]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(signature == "sha256=" + reference)
    }

    @Test("webhook URLs: http(s) with a host, no credentials, no control characters")
    func urls() {
        #expect(throws: Never.self) { try WebhookURL.validate("https://hooks.example.com/dub?token=abc", allow: .init("")) }
        #expect(throws: Never.self) { try WebhookURL.validate("http://93.184.216.34:8080/hook", allow: .init("")) }
        for bad in ["ftp://example.com/x", "/relative/path", "https://user:pass@example.com/hook", "https:///nohost",
                    "https://example.com/a\r\nX-Injected: 1", "https://example.com/a b", "https://example.com/\u{0}"] {
            #expect(throws: WebhookURL.Invalid.self, "\(bad)") { try WebhookURL.validate(bad, allow: .init("")) }
        }
    }

    @Test("webhooks to this machine, private networks, link-local (cloud metadata) and reserved addresses are refused unless allowed")
    func privateAddresses() throws {
        let none = WebhookURL.AllowList("")
        for url in ["http://127.0.0.1:8080/hook", "http://localhost/x", "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/",
                    "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0:9464/metrics", "http://[::1]/",
                    "http://[fe80::1]/", "http://[fd00:ec2::254]/", "http://[::ffff:10.0.0.1]/", "http://224.0.0.1/"] {
            let error = #expect(throws: WebhookURL.Invalid.self, "\(url)") { try WebhookURL.validate(url, allow: none) }
            #expect(error?.reason.contains("DUB_WEBHOOK_ALLOW") == true, "\(url): \(String(describing: error))")
        }
        // Names are judged by what they resolve to, and the connection is pinned to those addresses.
        #expect(throws: WebhookURL.Invalid.self) { try WebhookURL.resolve("http://localhost.:8080/x", allow: none) }
        let allowed = WebhookURL.AllowList("127.0.0.1, 10.0.0.0/8, hooks.internal")
        #expect(try WebhookURL.resolve("http://127.0.0.1:8080/hook", allow: allowed) == "127.0.0.1:8080:127.0.0.1")
        #expect(throws: Never.self) { try WebhookURL.validate("http://10.20.30.40/x", allow: allowed) }
        #expect(throws: Never.self) { try WebhookURL.validate("http://hooks.internal/x", allow: allowed) }
        #expect(throws: WebhookURL.Invalid.self) { try WebhookURL.validate("http://192.168.1.1/x", allow: allowed) }
        #expect(IPAddress("8.8.8.8")?.isPublic == true && IPAddress("2606:4700::1111")?.isPublic == true)
    }

    @Test("a webhook to a metadata address is not sent and the outcome says why; a receiver's huge answer is cut off")
    func refusedAndBounded() async throws {
        let f = try await QueueFixture()
        let big = try await WebhookReceiver.start(replyBytes: 8 << 20)
        defer { big.stop() }
        let strict = WebhookNotifier(secret: Self.secret, transport: WebhookHTTPTransport(retry: RetryPolicy(maxAttempts: 2, initialBackoff: 0.05, maxBackoff: 0.1)),
                                     requestTimeout: 30, allow: .init(""))
        let metadata = try await submit(f, webhook: "http://169.254.169.254/latest/meta-data/iam")
        let strictWorker = worker(f, strict) { _ in JobOutput(result: .init()) }
        var loop = Task { try await strictWorker.run() }
        try await eventually(within: 180) { try await f.queue.job(metadata)?.webhookOutcome != nil }
        await strictWorker.shutdown()
        try await loop.value
        let outcome = try await f.queue.job(metadata)?.webhookOutcome ?? ""
        #expect(outcome.contains("address not allowed") && outcome.contains("169.254.169.254"), "\(outcome)")
        #expect(try await f.queue.job(metadata)?.state == .succeeded)

        // The loopback receiver (allowed) answers 200 with 8 MiB: the answer is not read past 1 MiB.
        let huge = try await submit(f, webhook: big.url)
        let allowing = worker(f, notifier(attempts: 1)) { _ in JobOutput(result: .init()) }
        loop = Task { try await allowing.run() }
        try await eventually(within: 180) { try await f.queue.job(huge)?.webhookOutcome != nil }
        await allowing.shutdown()
        try await loop.value
        let bounded = try await f.queue.job(huge)?.webhookOutcome ?? ""
        #expect(bounded.contains("larger than"), "\(bounded)")
        #expect(big.received.count == 1)
    }

    @Test("a finished job is reported signed after the receiver recovers from a 503; the jobs are untouched")
    func recovers() async throws {
        let receiver = try await WebhookReceiver.start(statuses: [503])
        defer { receiver.stop() }
        let f = try await QueueFixture()
        let ok = try await submit(f, webhook: receiver.url)
        let bad = try await submit(f, webhook: receiver.url)
        let w = worker(f, notifier()) { job in
            if job.lease.jobId == bad { throw JobFailure(code: "bad_input", message: "no audio stream", permanent: true) }
            return JobOutput(result: .init(output: "/data/out.mp4"))
        }
        let loop = Task { try await w.run() }
        try await eventually(within: 180) { receiver.received.count >= 3 }
        for id in [ok, bad] { try await eventually(within: 180) { try await f.queue.job(id)?.webhookOutcome != nil } }
        await w.shutdown()
        try await loop.value
        // The first delivery met a 503 and was retried; the jobs themselves were never touched by it.
        #expect(receiver.received.count >= 3 && receiver.reports.count == 2)
        #expect(try await f.queue.job(ok)?.state == .succeeded)
        #expect(try await f.queue.job(bad)?.state == .failed)
        #expect(try await f.queue.job(ok)?.webhookOutcome == "delivered (HTTP 200)")
        var states: [Int: String] = [:]
        for object in try verified(receiver.reports) {
            let id = object["job"] as? Int ?? 0
            states[id] = object["state"] as? String
            #expect(object["attempt"] as? Int == 1)
            #expect(object["finished_at"] as? Double != nil)
            if id == ok {
                #expect((object["output"] as? [String: Any])?["output"] as? String == "/data/out.mp4")
                #expect(object["error"] is NSNull)
            }
            if id == bad {
                #expect((object["error"] as? [String: Any])?["message"] as? String == "no audio stream")
                #expect((object["error"] as? [String: Any])?["code"] as? String == "bad_input")
                #expect(object["output"] is NSNull)
            }
        }
        #expect(states == [ok: "succeeded", bad: "failed"])
    }

    @Test("jobs ended without a worker (cancelled while queued, failed by the reaper) are reported once by the sweep")
    func sweep() async throws {
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        let f = try await QueueFixture()
        let n = notifier()
        let cancelled = try await submit(f, webhook: receiver.url, runAt: f.clock.now + 3600)
        #expect(try await f.queue.cancel(cancelled) == .cancelled)
        let reaped = try await submit(f, webhook: receiver.url)
        let leases = try await f.queue.claim(queues: ["default"], limit: 1, owner: "gone")
        #expect(leases.map(\.jobId) == [reaped])
        f.clock.advance(f.queue.leaseSeconds + 1)
        #expect(try await f.queue.reap().map(\.state) == [.failed])
        // Another daemon's sweep runs at the same time: each report is claimed by one of them.
        let other = notifier()
        async let first = n.deliverDue(queue: f.queue)
        async let second = other.deliverDue(queue: f.peer())
        #expect(try await first + second == 2)
        await n.drain(seconds: 120)
        await other.drain(seconds: 120)
        #expect(try await n.deliverDue(queue: f.queue) == 0)
        let objects = try verified(receiver.reports)
        #expect(objects.count == 2)
        let states = Dictionary(objects.map { ($0["job"] as? Int ?? 0, $0["state"] as? String ?? "") }) { first, _ in first }
        #expect(states == [cancelled: "cancelled", reaped: "failed"])
        let lost = try #require(objects.first { $0["job"] as? Int == reaped }?["error"] as? [String: Any])
        #expect(lost["code"] as? String == "lease_expired")
        #expect(try await f.queue.job(reaped)?.webhookOutcome == "delivered (HTTP 200)")
        // A retried job reports its next end again.
        try await f.queue.retry(reaped)
        #expect(try await f.queue.job(reaped)?.webhookOutcome == nil)
    }

    @Test("an unreachable receiver never holds up the worker; the outcome is recorded and the job stays succeeded")
    func unreachable() async throws {
        // Port 1: refused at once, and never handed out to another test's server (a free port could be, meanwhile).
        let url = "http://127.0.0.1:1/hook?token=do-not-log"
        let f = try await QueueFixture()
        let first = try await submit(f, webhook: url)
        let second = try await submit(f, webhook: url)
        // Three attempts 4 s apart: the first report is still being retried when both jobs have run.
        let w = worker(f, notifier(attempts: 3, backoff: 4)) { _ in JobOutput(result: .init()) }
        let loop = Task { try await w.run() }
        try await eventually(within: 180) { try await f.queue.job(second)?.state == .succeeded }
        #expect(try await f.queue.job(first)?.webhookOutcome == nil, "the worker waited for the webhook")
        try await eventually(within: 180) { try await f.queue.job(first)?.webhookOutcome != nil }
        let outcome = try #require(try await f.queue.job(first)?.webhookOutcome)
        #expect(outcome.hasPrefix("not delivered") && outcome.contains("after 3 attempts"), "\(outcome)")
        #expect(!outcome.contains("do-not-log"))
        #expect(try await f.queue.job(first)?.state == .succeeded)
        await w.shutdown()
        try await loop.value
    }

    @Test("without a secret nothing is sent, the job still succeeds, and its report stays due")
    func noSecret() async throws {
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        let f = try await QueueFixture()
        let id = try await submit(f, webhook: receiver.url)
        let n = notifier(secret: nil)
        let w = worker(f, n) { _ in JobOutput(result: .init()) }
        let loop = Task { try await w.run() }
        try await eventually(within: 180) { try await f.queue.job(id)?.state == .succeeded }
        // The worker's run ends once its webhook work has drained: whatever it was going to send is sent by then.
        await w.shutdown()
        try await loop.value
        #expect(try await n.deliverDue(queue: f.queue) == 0)
        #expect(receiver.received.isEmpty)
        #expect(try await f.queue.job(id)?.webhookOutcome == nil)
        // A daemon that has the secret sends it.
        #expect(try await notifier().deliverDue(queue: f.queue) == 1)
        try await eventually(within: 180) { receiver.reports.count == 1 }
    }
}
