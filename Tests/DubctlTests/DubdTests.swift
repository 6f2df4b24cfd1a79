import Foundation
import Pipeline
import ProviderFakes
import TestSupport
import Testing

/// A `dubd` process under test.
final class Daemon: @unchecked Sendable {
    let process = Process()
    let log: String

    init(url: String, dataRoot: String, extra: [String] = [], environment: [String: String] = [:], log: String) throws {
        self.log = log
        process.executableURL = CommandRunner.binDirectory.appendingPathComponent("dubd")
        process.arguments = ["--database-url", url, "--data-root", dataRoot, "--log-format", "json"] + extra
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }
}

@Suite("dubd with a real PostgreSQL", .serialized)
struct DubdTests {
    struct Setup {
        let url: String
        let scratch: Scratch

        init() async throws {
            url = try PostgresServer.shared.get().createDatabase()
            scratch = try Scratch()
            let migrate = try await CommandRunner.run("dubctl", ["db", "migrate", "--database-url", url])
            #expect(migrate.status == 0, "\(migrate.stderr)")
        }

        func submit(_ input: String, output: String, separation: String = "none", extra: [String] = []) async throws -> Int {
            let run = try await CommandRunner.run("dubctl", ["jobs", "submit", input, "--to", "es", "-o", output, "--subtitles",
                                                       Repository.sample("english.es.srt"), "--separation", separation, "--json",
                                                       "--database-url", url] + extra)
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            return try #require(json?["id"] as? Int, "\(run.stderr)")
        }

        func job(_ id: Int) async throws -> [String: Any] {
            let run = try await CommandRunner.run("dubctl", ["jobs", "show", "\(id)", "--json", "--database-url", url])
            return (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]) ?? [:]
        }

        /// Waits until the job runs a stage after `after` (so its checkpoint is past the start).
        func waitRunning(_ id: Int, pastStages after: Set<String> = ["probe", "extract"]) async throws -> [String: Any] {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                let job = try await job(id)
                if job["state"] as? String == "running", let stage = job["stage"] as? String, !after.contains(stage) { return job }
                try await Task.sleep(for: .milliseconds(50))
            }
            let last = try await job(id)
            Issue.record("job \(id) did not get past \(after): \(last)")
            return last
        }

        func wait(_ id: Int, for states: Set<String>, seconds: Double = 180) async throws -> [String: Any] {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let job = try await job(id)
                if let state = job["state"] as? String, states.contains(state) { return job }
                try await Task.sleep(for: .milliseconds(200))
            }
            let last = try await job(id)
            Issue.record("job \(id) did not reach \(states) in time: \(last)")
            return last
        }
    }

    @Test("runs a job to success, serves /healthz and /metrics, fails bad input with a reason, stops on SIGTERM")
    func runs() async throws {
        let s = try await Setup()
        let good = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/english.es.mp4"))
        let bad = try await s.submit(s.scratch.path("missing.mp4"), output: s.scratch.path("out/missing.es.mp4"))
        let port = try PostgresServer.freePort()
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--metrics-port", "\(port)", "--concurrency", "2"],
                                log: s.scratch.path("dubd.log"))
        let failed = try await s.wait(bad, for: ["failed", "retrying"])
        #expect(failed["state"] as? String == "failed")
        let errors = failed["errors"] as? [[String: Any]]
        #expect((errors?.first?["message"] as? String)?.contains("no such file") == true)
        let done = try await s.wait(good, for: ["succeeded", "failed"])
        #expect(done["state"] as? String == "succeeded", "\(done)")
        #expect(FileManager.default.fileExists(atPath: s.scratch.path("out/english.es.mp4")))
        let health = try await OffPool.run { try Tool.run("curl", ["-sf", "http://127.0.0.1:\(port)/healthz"]) }
        #expect(health.contains("ok"))
        let metrics = try await OffPool.run { try Tool.run("curl", ["-sf", "http://127.0.0.1:\(port)/metrics"]) }
        #expect(metrics.contains("dub_jobs{queue=\"default\",state=\"succeeded\"} 1"))
        #expect(metrics.contains("dub_jobs_claimed_total"))
        daemon.signal(SIGTERM)
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
        let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
        #expect(log.contains("\"job\":\"\(good)\""))
        #expect(!log.contains("postgresql://"))
    }

    @Test("SIGKILL mid-job: another daemon takes it over after the lease and resumes from the checkpoint")
    func takeover() async throws {
        let s = try await Setup()
        let id = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/english.es.mp4"))
        let fast = ["--lease", "4", "--heartbeat", "1"]
        let first = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: fast, log: s.scratch.path("first.log"))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try await s.job(id)["stage"] as? String).map({ ["extract", "probe"].contains($0) }) ?? true {
            try await Task.sleep(for: .milliseconds(50))
        }
        first.signal(SIGKILL)
        first.process.waitUntilExit()
        let stage = try await s.job(id)["stage"] as? String
        let second = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: fast, log: s.scratch.path("second.log"))
        let done = try await s.wait(id, for: ["succeeded", "failed"])
        second.signal(SIGTERM)
        second.process.waitUntilExit()
        #expect(done["state"] as? String == "succeeded", "\(done)")
        #expect(done["attempt"] as? Int == 2)
        let errors = done["errors"] as? [[String: Any]]
        #expect(errors?.first?["code"] as? String == "lease_expired")
        #expect(stage != nil)
    }

    @Test("SIGSTOP past the lease, then SIGCONT: the stopped daemon's writes touch nothing; the job succeeds once")
    func stoppedDaemon() async throws {
        let s = try await Setup()
        let id = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/english.es.mp4"), separation: "local")
        let fast = ["--lease", "4", "--heartbeat", "1"]
        let first = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: fast + ["--name", "first"], log: s.scratch.path("first.log"))
        _ = try await s.waitRunning(id)
        first.signal(SIGSTOP)
        let second = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: fast + ["--name", "second"], log: s.scratch.path("second.log"))
        let done = try await s.wait(id, for: ["succeeded", "failed"])
        #expect(done["state"] as? String == "succeeded", "\(done)")
        #expect(done["attempt"] as? Int == 2)
        let database = Database(Database.Configuration(url: s.url))
        let touched = { @Sendable in
            try await database.query("SELECT extract(epoch from updated_at)::float8 AS at FROM dub_jobs WHERE id = $1", ["\(id)"]).first?.double("at")
        }
        let before = try await touched()
        // The stopped daemon wakes up long after its lease: every write it tries is refused by the lease token.
        first.signal(SIGCONT)
        try await Task.sleep(for: .seconds(5))
        #expect(try await touched() == before, "a write from the stopped daemon touched the row")
        let after = try await s.job(id)
        #expect(after["state"] as? String == "succeeded")
        #expect(after["attempt"] as? Int == 2)
        #expect(after["finished_at"] as? Double == done["finished_at"] as? Double)
        #expect(String(describing: after["result"] ?? "") == String(describing: done["result"] ?? ""))
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        first.process.waitUntilExit()
        second.process.waitUntilExit()
        let log = try String(contentsOfFile: first.log, encoding: .utf8)
        #expect(log.contains("lease lost"), "\(log.suffix(2000))")
        #expect(!log.contains("job succeeded"))
    }

    @Test("soft then hard shutdown: the first signal releases the job with its checkpoint; a second one exits at once")
    func softThenHard() async throws {
        let s = try await Setup()
        // Soft: a 1 s window, then the running job goes back to the queue with its checkpoint, its attempt not counted.
        let soft = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/soft.mp4"), separation: "local")
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--shutdown-grace", "1", "--heartbeat", "1"],
                                log: s.scratch.path("soft.log"))
        _ = try await s.waitRunning(soft)
        daemon.signal(SIGTERM)
        // Submitted during the soft window: a stopping daemon claims nothing new.
        let late = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/late.mp4"), extra: ["--priority", "5"])
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
        let released = try await s.job(soft)
        #expect(["queued", "succeeded"].contains(released["state"] as? String ?? ""), "\(released)")
        if released["state"] as? String == "queued" {
            #expect(released["attempt"] as? Int == 0)
            #expect(released["stage"] as? String != nil)
            #expect((released["errors"] as? [Any])?.isEmpty == true)
        }
        let untouched = try await s.job(late)
        #expect(untouched["state"] as? String == "queued" && untouched["attempt"] as? Int == 0, "\(untouched)")
        _ = try await CommandRunner.run("dubctl", ["jobs", "cancel", "\(late)", "--database-url", s.url])

        // Hard: a long window, and a second signal inside it: the daemon exits at once, the job stays leased to it.
        let hard = try Daemon(url: s.url, dataRoot: s.scratch.path("data"),
                              extra: ["--shutdown-grace", "120", "--lease", "5", "--heartbeat", "1", "--name", "hard"], log: s.scratch.path("hard.log"))
        _ = try await s.waitRunning(soft)
        let started = Date()
        hard.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(500))
        hard.signal(SIGTERM)
        hard.process.waitUntilExit()
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(hard.process.terminationStatus != 0)
        let leased = try await s.job(soft)
        #expect(["running", "succeeded"].contains(leased["state"] as? String ?? ""), "\(leased)")
        // Another daemon takes it over once the lease has expired, and finishes it.
        let next = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--lease", "5", "--heartbeat", "1"], log: s.scratch.path("next.log"))
        let done = try await s.wait(soft, for: ["succeeded", "failed"])
        next.signal(SIGTERM)
        next.process.waitUntilExit()
        #expect(done["state"] as? String == "succeeded", "\(done)")
        #expect(FileManager.default.fileExists(atPath: s.scratch.path("out/soft.mp4")))
        if leased["state"] as? String == "running" {
            // The hard-stopped attempt was counted and reaped (a crash), unlike the soft release.
            #expect(leased["owner"] as? String == "hard")
            let errors = done["errors"] as? [[String: Any]] ?? []
            #expect(errors.contains { $0["code"] as? String == "lease_expired" && $0["owner"] as? String == "hard" }, "\(errors)")
            #expect(done["attempt"] as? Int == 2)
        }
    }

    @Test("dubd reports job ends to --webhook, signed with DUB_WEBHOOK_SECRET: a failure and a job cancelled while queued")
    func webhooks() async throws {
        let s = try await Setup()
        let receiver = try await WebhookReceiver.start(statuses: [503])
        defer { receiver.stop() }
        let secret = "whsec-dubd-test-5f1e0c"
        let refused = try await CommandRunner.run("dubctl", ["jobs", "submit", Repository.sample("english.mp4"), "--to", "es", "-o",
                                                             s.scratch.path("x.mp4"), "--webhook", "https://user:pw@example.com/h",
                                                             "--database-url", s.url])
        #expect(refused.status == 2 && refused.stderr.contains("credentials"), "\(refused.stderr)")
        let bad = try await s.submit(s.scratch.path("missing.mp4"), output: s.scratch.path("out/missing.mp4"), extra: ["--webhook", receiver.url])
        let later = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/later.mp4"),
                                       extra: ["--webhook", receiver.url, "--run-at", "+1h"])
        let cancel = try await CommandRunner.run("dubctl", ["jobs", "cancel", "\(later)", "--database-url", s.url])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--lease", "6", "--heartbeat", "1"],
                                environment: ["DUB_WEBHOOK_SECRET": secret], log: s.scratch.path("dubd.log"))
        for id in [bad, later] {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, try await s.job(id)["webhook"] as? String != "delivered (HTTP 200)" {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await s.job(id)["webhook"] as? String == "delivered (HTTP 200)")
        }
        daemon.signal(SIGTERM)
        daemon.process.waitUntilExit()
        // One 503 (retried), then one signed report per job.
        #expect(receiver.received.count >= 3 && receiver.reports.count == 2)
        var states: [Int: String] = [:]
        for delivery in receiver.reports {
            let timestamp = try #require(delivery.headers["x-dub-timestamp"].flatMap { Int($0) })
            #expect(delivery.headers["x-dub-signature"] == WebhookSignature.sign(body: delivery.body, timestamp: timestamp, secret: secret))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any])
            states[object["job"] as? Int ?? 0] = object["state"] as? String
        }
        #expect(states == [bad: "failed", later: "cancelled"])
        let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
        #expect(log.contains("webhook delivered"))
        #expect(!log.contains(secret))
    }

    @Test("dubctl jobs submit + dubd dub the samples through the fake providers, and report usage")
    func providers() async throws {
        let s = try await Setup()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        var ids: [String: Int] = [:]
        for (sample, asr, tts) in [("english.mp4", "openai", "openai"), ("two-speakers.mp4", "elevenlabs", "elevenlabs"), ("korean.mp4", "clova", "clova")] {
            let run = try await CommandRunner.run("dubctl", ["jobs", "submit", Repository.sample(sample), "--to", "es", "-o", s.scratch.path("out/\(sample)"),
                                                             "--asr", asr, "--translator", asr == "clova" ? "papago" : "openai", "--tts", tts,
                                                             "--separation", "none", "--json", "--database-url", s.url])
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            ids[sample] = try #require(json?["id"] as? Int, "\(run.stderr)")
        }
        let environment = ProviderCommandTests.environment(s.scratch, server.environment)
        let port = try PostgresServer.freePort()
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--concurrency", "3", "--metrics-port", "\(port)"],
                                environment: environment, log: s.scratch.path("dubd.log"))
        for (sample, id) in ids {
            let done = try await s.wait(id, for: ["succeeded", "failed"])
            #expect(done["state"] as? String == "succeeded", "\(sample): \(done)")
            #expect(FileManager.default.fileExists(atPath: s.scratch.path("out/\(sample)")))
            let usage = done["usage"].map { "\($0)" } ?? ""
            #expect(usage.contains("audioSeconds") || usage.contains("audio_seconds"), "\(sample): \(usage)")
        }
        let metrics = try await OffPool.run { try Tool.run("curl", ["-sf", "http://127.0.0.1:\(port)/metrics"]) }
        for line in ["dub_provider_audio_seconds_total{provider=\"openai\"}", "dub_provider_characters_total{provider=\"elevenlabs\"}",
                     "dub_provider_requests_total{provider=\"papago\"}", "dub_stage_seconds_total{stage=\"translate\"}"] {
            #expect(metrics.contains(line), "\(line) missing")
        }
        daemon.signal(SIGTERM)
        daemon.process.waitUntilExit()
        let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
        for key in [FakeProviderServer.openAIKey, FakeProviderServer.elevenLabsKey, FakeProviderServer.naverClientSecret, FakeProviderServer.clovaSpeechSecret] {
            #expect(!log.contains(key))
        }
    }
}
