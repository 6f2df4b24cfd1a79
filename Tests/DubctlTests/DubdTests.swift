import Foundation
import Pipeline
import TestSupport
import Testing

/// A `dubd` process under test.
final class Daemon: @unchecked Sendable {
    let process = Process()
    let log: String

    init(url: String, dataRoot: String, extra: [String] = [], log: String) throws {
        self.log = log
        process.executableURL = CommandRunner.binDirectory.appendingPathComponent("dubd")
        process.arguments = ["--database-url", url, "--data-root", dataRoot, "--log-format", "json"] + extra
        FileManager.default.createFile(atPath: log, contents: nil)
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

        func submit(_ input: String, output: String, extra: [String] = []) async throws -> Int {
            let run = try await CommandRunner.run("dubctl", ["jobs", "submit", input, "--to", "es", "-o", output, "--subtitles",
                                                       Repository.sample("english.es.srt"), "--separation", "none", "--json",
                                                       "--database-url", url] + extra)
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            return try #require(json?["id"] as? Int, "\(run.stderr)")
        }

        func job(_ id: Int) async throws -> [String: Any] {
            let run = try await CommandRunner.run("dubctl", ["jobs", "show", "\(id)", "--json", "--database-url", url])
            return (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]) ?? [:]
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
}
