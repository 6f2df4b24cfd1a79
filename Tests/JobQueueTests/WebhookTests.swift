import Foundation
import Logging
import Pipeline
import ProviderFakes
import TestSupport
import Testing

@Suite("Signed job webhooks")
struct WebhookTests {
    static let secret = "whsec-test-0123456789"

    private func worker(_ f: QueueFixture, secret: String?, _ body: @escaping @Sendable (JobContext) async throws -> JobOutput) -> JobWorker {
        var settings = JobWorker.Settings(owner: "webhook-worker")
        settings.heartbeat = 0.2
        settings.poll = 0.1
        let notifier = WebhookNotifier(secret: secret, retry: RetryPolicy(maxAttempts: 4, initialBackoff: 0.05, maxBackoff: 0.2))
        return JobWorker(queue: f.queue, handler: ScriptedHandler(body: body), settings: settings, logger: Logger(label: "test"), webhooks: notifier)
    }

    private func submit(_ f: QueueFixture, webhook: String) async throws -> Int {
        var job = JobSubmission(payload: "{}")
        job.runAt = f.clock.now
        job.webhookURL = webhook
        job.maxAttempts = 1
        return try await f.queue.submit(job).id
    }

    private func waitFor(_ condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0..<1200 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition not met in time")
    }

    @Test func theSignatureIsHMACSHA256OfTimestampDotBody() throws {
        let body = Array(#"{"job":1}"#.utf8)
        let signature = WebhookSignature.sign(body: body, timestamp: 1_700_000_000, secret: "key")
        let reference = try Tool.run("python3", ["-c", """
            import hmac, hashlib; print(hmac.new(b"key", b'1700000000.{"job":1}', hashlib.sha256).hexdigest())
            """]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(signature == "sha256=" + reference)
    }

    @Test func aFinishedJobIsReportedSignedAfterTheReceiverRecovers() async throws {
        let receiver = try await WebhookReceiver.start(statuses: [503])
        defer { receiver.stop() }
        let f = try await QueueFixture()
        let ok = try await submit(f, webhook: receiver.url)
        let bad = try await submit(f, webhook: receiver.url)
        let w = worker(f, secret: Self.secret) { job in
            if job.lease.jobId == bad { throw JobFailure(code: "bad_input", message: "no audio stream", permanent: true) }
            return JobOutput(result: #"{"output":"/data/out.mp4"}"#)
        }
        let loop = Task { await w.run() }
        try await waitFor { receiver.received.count >= 3 }
        await w.shutdown()
        await loop.value
        // The first delivery met a 503 and was retried; the job itself was never touched by it.
        #expect(try await f.queue.job(ok)?.state == .succeeded)
        #expect(try await f.queue.job(bad)?.state == .failed)
        var states: [Int: String] = [:]
        for delivery in receiver.received.dropFirst() {
            let timestamp = try #require(delivery.headers["x-dub-timestamp"].flatMap { Int($0) })
            #expect(delivery.headers["x-dub-signature"] == WebhookSignature.sign(body: delivery.body, timestamp: timestamp, secret: Self.secret))
            #expect(abs(Double(timestamp) - JobClock.systemNow()) < 300)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
            states[object["job"] as? Int ?? 0] = object["state"] as? String
            if object["job"] as? Int == ok { #expect((object["output"] as? [String: Any])?["output"] as? String == "/data/out.mp4") }
            if object["job"] as? Int == bad { #expect((object["error"] as? [String: Any])?["message"] as? String == "no audio stream") }
        }
        #expect(states == [ok: "succeeded", bad: "failed"])
    }

    @Test func withoutASecretNothingIsSentAndTheJobStillSucceeds() async throws {
        let receiver = try await WebhookReceiver.start()
        defer { receiver.stop() }
        let f = try await QueueFixture()
        let id = try await submit(f, webhook: receiver.url)
        let w = worker(f, secret: nil) { _ in JobOutput(result: "{}") }
        let loop = Task { await w.run() }
        try await waitFor { try await f.queue.job(id)?.state == .succeeded }
        try await Task.sleep(for: .milliseconds(300))
        await w.shutdown()
        await loop.value
        #expect(receiver.received.isEmpty)
    }
}
