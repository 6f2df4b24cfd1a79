import Foundation
import AudioKitCore
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import DubJobs
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
        try Spawn.run(process)
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Sends `signal` (SIGTERM: a graceful stop) and waits up to `seconds` for the exit. A daemon still running then
    /// fails the test with the end of its log and is killed, so a daemon that does not stop can never hang the suite.
    func stop(_ signal: Int32? = SIGTERM, seconds: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) async {
        if let signal { self.signal(signal) }
        if await Spawn.wait(process, seconds: seconds) { return }
        let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").suffix(3000)
        Issue.record("dubd did not exit within \(seconds) s; its log ends:\n\(tail)", sourceLocation: sourceLocation)
        self.signal(SIGKILL)
        _ = await Spawn.wait(process, seconds: 30)
    }
}

@Suite("dubd with a real PostgreSQL", .serialized, .tags(.database, .endToEnd))
struct DubdTests {
    /// Waits (up to 60 s) until the daemon's log holds `text`.
    private func waitForLog(_ daemon: Daemon, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await eventually("dubd's log says '\(text)'", within: 60, every: .milliseconds(50), sourceLocation: sourceLocation) {
            ((try? String(contentsOfFile: daemon.log, encoding: .utf8)) ?? "").contains(text)
        }
    }

    /// The English sample six times over (159 s): separating it takes the debug build seconds (5 s on an idle
    /// 2-core machine), long enough to stop a job in the middle of that stage.
    static let longVideo = Task<String, any Error> {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dub-test-long-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("long.mp4").path
        try Tool.ffmpeg(["-stream_loop", "5", "-i", Repository.sample("english.mp4"), "-c", "copy", path])
        return path
    }

    struct Setup {
        let url: String
        let scratch: Scratch

        init() async throws {
            url = try PostgresServer.shared.get().createDatabase()
            scratch = try Scratch()
            let migrate = try await CommandRunner.run("dubctl", ["db", "migrate", "--database-url", url])
            #expect(migrate.status == 0, "\(migrate.stderr)")
        }

        func submit(_ input: String, output: String, separation: String = "none", subtitles: String = Repository.sample("english.es.srt"),
                    extra: [String] = [], environment: [String: String] = [:], setup: () throws -> Void = {}) async throws -> Int {
            try setup()
            let run = try await CommandRunner.run("dubctl", ["jobs", "submit", input, "--to", "es", "-o", output, "--subtitles",
                                                       subtitles, "--separation", separation, "--json",
                                                       "--database-url", url] + extra, environment: environment)
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            return try #require(json?["id"] as? Int, "\(run.stderr)")
        }

        /// Queues `request` as it is, the way a client that skips `dubctl jobs submit` (and its checks) would.
        func enqueue(_ request: DubRequest) async throws -> Int {
            let queue = JobQueue<DubJob>(database: Database(Database.Configuration(url: url)))
            var job = JobSubmission<DubJob>(payload: request)
            job.maxAttempts = 3
            return try await queue.submit(job).id
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
        // 'jobs submit' refuses a missing input; a job queued by other means fails with the reason, once.
        let refused = try await CommandRunner.run("dubctl", ["jobs", "submit", s.scratch.path("missing.mp4"), "--to", "es", "-o",
                                                             s.scratch.path("out/missing.es.mp4"), "--database-url", s.url])
        #expect(refused.status == 1 && refused.stderr.contains("no such file"), "\(refused.stderr)")
        var missing = DubRequest(input: s.scratch.path("missing.mp4"), output: s.scratch.path("out/missing.es.mp4"), to: "es")
        missing.subtitles = Repository.sample("english.es.srt")
        let bad = try await s.enqueue(missing)
        let port = try PostgresServer.freePort()
        // --migrate on a migrated database makes PostgreSQL send notices ("already exists, skipping"): they must not
        // break the JSON log.
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--metrics-port", "\(port)", "--concurrency", "2", "--migrate"],
                                log: s.scratch.path("dubd.log"))
        let failed = try await s.wait(bad, for: ["failed", "retrying"])
        #expect(failed["state"] as? String == "failed")
        #expect(failed["attempt"] as? Int == 1, "bad input is not retried")
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
        await daemon.stop()
        #expect(daemon.process.terminationStatus == 0)
        let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
        #expect(log.contains("\"job\":\"\(good)\""))
        #expect(!log.contains("postgresql://"))
        for line in log.split(separator: "\n") where !line.isEmpty {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
    }

    @Test("SIGKILL mid-job: another daemon takes it over after the lease and skips the stages the first one finished")
    func takeover() async throws {
        let s = try await Setup()
        let id = try await s.submit(try await Self.longVideo.value, output: s.scratch.path("out/long.es.mp4"), separation: "local")
        let fast = ["--lease", "4", "--heartbeat", "1"]
        let first = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: fast, log: s.scratch.path("first.log"))
        // Kill it while it separates: extract is done (in the manifest), separate is not.
        _ = try await s.waitRunning(id, pastStages: ["probe", "extract"])
        await first.stop(SIGKILL)
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: s.scratch.path("data/jobs/\(id)/manifest.json"))))
        let finished = Set(manifest.stages.keys)
        #expect(finished.contains("extract"))
        let second = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: fast, log: s.scratch.path("second.log"))
        let done = try await s.wait(id, for: ["succeeded", "failed"], seconds: 300)
        await second.stop()
        #expect(done["state"] as? String == "succeeded", "\(done)")
        #expect(done["attempt"] as? Int == 2)
        let errors = done["errors"] as? [[String: Any]]
        #expect(errors?.first?["code"] as? String == "lease_expired")
        // The second attempt ran only what the first had not finished.
        let result = try #require(done["result"] as? [String: Any], "\(done)")
        let executed = Set(result["executed"] as? [String] ?? [])
        #expect(finished.isDisjoint(with: executed), "ran again: \(finished.intersection(executed))")
        #expect(executed.contains("mix") && executed.contains("separate"), "\(executed)")
        #expect(FileManager.default.fileExists(atPath: s.scratch.path("out/long.es.mp4")))
        let leftovers = FolderSnapshot(s.scratch.path("data")).files.keys.filter { $0.contains(".dub-tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("SIGSTOP past the lease, then SIGCONT: the stopped daemon's writes touch nothing; the job succeeds once")
    func stoppedDaemon() async throws {
        let s = try await Setup()
        let id = try await s.submit(try await Self.longVideo.value, output: s.scratch.path("out/long.es.mp4"), separation: "local")
        let fast = ["--lease", "4", "--heartbeat", "1"]
        let first = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: fast + ["--name", "first"], log: s.scratch.path("first.log"))
        _ = try await s.waitRunning(id)
        first.signal(SIGSTOP)
        let second = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: fast + ["--name", "second"], log: s.scratch.path("second.log"))
        let done = try await s.wait(id, for: ["succeeded", "failed"], seconds: 300)
        #expect(done["state"] as? String == "succeeded", "\(done)")
        #expect(done["attempt"] as? Int == 2)
        let database = Database(Database.Configuration(url: s.url))
        let touched = { @Sendable in
            try await database.query("SELECT extract(epoch from updated_at)::float8 AS at FROM dub_jobs WHERE id = $1", ["\(id)"]).first?.double("at")
        }
        let before = try await touched()
        let filesBefore = FolderSnapshot(s.scratch.path("data")), outputsBefore = FolderSnapshot(s.scratch.path("out"))
        // The stopped daemon wakes up long after its lease: every write it tries is refused by the lease token, and
        // its stage stops writing files the moment it runs again (its lease deadline has passed). Checked once it has
        // found out (its log says the lease is lost, after its job's task has ended).
        first.signal(SIGCONT)
        try await waitForLog(first, "lease lost")
        #expect(try await touched() == before, "a write from the stopped daemon touched the row")
        let (added, removed, modified) = filesBefore.changes(to: FolderSnapshot(s.scratch.path("data")))
        #expect(added.isEmpty && removed.isEmpty && modified.isEmpty, "the stopped daemon changed files: +\(added) -\(removed) ~\(modified)")
        #expect(FolderSnapshot(s.scratch.path("out")) == outputsBefore, "the stopped daemon changed the output")
        let after = try await s.job(id)
        #expect(after["state"] as? String == "succeeded")
        #expect(after["attempt"] as? Int == 2)
        #expect(after["finished_at"] as? Double == done["finished_at"] as? Double)
        let (resultAfter, resultDone) = (after["result"] as? [String: Any] ?? [:], done["result"] as? [String: Any] ?? [:])
        #expect(!resultDone.isEmpty && NSDictionary(dictionary: resultAfter).isEqual(to: resultDone))
        await first.stop()
        await second.stop()
        let log = try String(contentsOfFile: first.log, encoding: .utf8)
        #expect(!log.contains("job succeeded"))
    }

    @Test("soft then hard shutdown: the first signal stops the running stage and releases the job within the grace; a second exits at once")
    func softThenHard() async throws {
        let s = try await Setup()
        let long = try await Self.longVideo.value
        // Soft: a 2 s window, then the running job (mid-separation, far from done) goes back to the queue with its
        // checkpoint, its attempt not counted, and the daemon exits within the window plus a moment.
        let soft = try await s.submit(long, output: s.scratch.path("out/soft.mp4"), separation: "local")
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--shutdown-grace", "2", "--heartbeat", "1"],
                                log: s.scratch.path("soft.log"))
        _ = try await s.waitRunning(soft)
        let signalled = Date()
        daemon.signal(SIGTERM)
        // Submitted during the soft window: a stopping daemon claims nothing new.
        let late = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/late.mp4"), extra: ["--priority", "5"])
        await daemon.stop(nil)
        let stopping = Date().timeIntervalSince(signalled)
        #expect(daemon.process.terminationStatus == 0)
        #expect(stopping < 2 + 6, "a 2 s grace took \(stopping) s")
        let released = try await s.job(soft)
        #expect(released["state"] as? String == "queued", "\(released)")
        #expect(released["attempt"] as? Int == 0)
        #expect(released["stage"] as? String == "separate", "\(released)")
        #expect((released["errors"] as? [Any])?.isEmpty == true)
        #expect(!FolderSnapshot(s.scratch.path("data")).files.keys.contains { $0.contains(".dub-tmp-") }, "the stopped stage left temporary files")
        let untouched = try await s.job(late)
        #expect(untouched["state"] as? String == "queued" && untouched["attempt"] as? Int == 0, "\(untouched)")
        _ = try await CommandRunner.run("dubctl", ["jobs", "cancel", "\(late)", "--database-url", s.url])

        // Hard: a long window, and a second signal inside it: the daemon exits at once, the job stays leased to it.
        let hard = try Daemon(url: s.url, dataRoot: s.scratch.path("data"),
                              extra: ["--shutdown-grace", "120", "--lease", "5", "--heartbeat", "1", "--name", "hard"], log: s.scratch.path("hard.log"))
        _ = try await s.waitRunning(soft)
        let started = Date()
        hard.signal(SIGTERM)
        try await waitForLog(hard, "shutting down")
        await hard.stop()
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(hard.process.terminationStatus != 0)
        let leased = try await s.job(soft)
        #expect(leased["state"] as? String == "running", "\(leased)")
        #expect(leased["owner"] as? String == "hard")
        // Another daemon takes it over once the lease has expired, and finishes it; the hard-stopped attempt was
        // counted and reaped (a crash), unlike the soft release.
        let next = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--lease", "5", "--heartbeat", "1"], log: s.scratch.path("next.log"))
        let done = try await s.wait(soft, for: ["succeeded", "failed"], seconds: 300)
        await next.stop()
        #expect(done["state"] as? String == "succeeded", "\(done)")
        #expect(FileManager.default.fileExists(atPath: s.scratch.path("out/soft.mp4")))
        let errors = done["errors"] as? [[String: Any]] ?? []
        #expect(errors.contains { $0["code"] as? String == "lease_expired" && $0["owner"] as? String == "hard" }, "\(errors)")
        #expect(done["attempt"] as? Int == 2)
    }

    @Test("jobs cancel stops a job in the middle of a long stage at once; its temporary files go, and its work folder after --keep-work")
    func cancelMidStage() async throws {
        let s = try await Setup()
        let id = try await s.submit(try await Self.longVideo.value, output: s.scratch.path("out/long.mp4"), separation: "local")
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--heartbeat", "10", "--lease", "30", "--keep-work", "0"],
                                log: s.scratch.path("dubd.log"))
        _ = try await s.waitRunning(id)
        let asked = Date()
        let cancel = try await CommandRunner.run("dubctl", ["jobs", "cancel", "\(id)", "--database-url", s.url])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        let done = try await s.wait(id, for: ["cancelled", "succeeded", "failed"], seconds: 60)
        let took = Date().timeIntervalSince(asked)
        #expect(done["state"] as? String == "cancelled", "\(done)")
        // NOTIFY reaches the worker at once and the separation loop checks its flag every few milliseconds: well inside
        // a heartbeat (10 s), let alone the 14 s a stage that ignored cancellation took (polling included).
        #expect(took < 6, "cancel took \(took) s")
        #expect(!FileManager.default.fileExists(atPath: s.scratch.path("out/long.mp4")))
        // --keep-work 0: the maintenance sweep removes the finished job's work folder.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, FileManager.default.fileExists(atPath: s.scratch.path("data/jobs/\(id)")) {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(!FileManager.default.fileExists(atPath: s.scratch.path("data/jobs/\(id)")), "the work folder was kept")
        await daemon.stop()
    }

    /// A `dubctl dub` command line as the request it describes (the options the corpus uses).
    static func request(from arguments: [String]) -> DubRequest {
        var args = Array(arguments.dropFirst())
        let input = args.removeFirst()
        var options: [String: String] = [:]
        while args.count >= 2 { options[args[0]] = args[1]; args.removeFirst(2) }
        var request = DubRequest(input: input, output: options["-o"] ?? "", to: options["--to"] ?? "")
        request.subtitles = options["--subtitles"]
        request.sourceSubtitles = options["--source-subtitles"]
        request.tts = options["--tts"]
        request.separation = options["--separation"]
        request.budgetUSD = options["--budget"].flatMap(Double.init)
        request.maxSpeed = options["--max-speed"].flatMap(Double.init)
        request.glossary = options["--glossary"]
        request.voiceMap = options["--voice-map"]
        request.work = options["--work"]
        request.layout = options["--layout"]
        request.centreSpread = options["--centre-spread"].flatMap(Double.init)
        request.stream = options["--stream"].flatMap(Int.init)
        request.audioCodec = options["--audio-codec"]
        return request
    }

    @Test("the bad-input corpus through jobs submit (refused as dub refuses) and, queued anyway, through dubd (failed once, with the reason)")
    func badInputCorpus() async throws {
        let s = try await Setup()
        let cases = BadInput.corpus.filter(\.isDub)
        var folders: [(BadInput, Scratch, FolderSnapshot, Int)] = []
        for input in cases {
            let scratch = try await OffPool.run { try input.prepare() }
            let root = scratch.url.path
            let arguments = input.resolved(in: root)
            if !arguments.contains("--work") {
                let submit = try await CommandRunner.run("dubctl", ["jobs", "submit"] + arguments.dropFirst() + ["--database-url", s.url], timeout: 300)
                #expect(submit.status == input.exit, "\(input.name): jobs submit exited \(submit.status): \(submit.stderr)")
                #expect(submit.stderr.contains(input.message), "\(input.name): \(submit.stderr)")
            }
            let id = try await s.enqueue(Self.request(from: arguments))
            folders.append((input, scratch, FolderSnapshot(root), id))
        }
        let good = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/good.mp4"))
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--lease", "6", "--heartbeat", "1", "--concurrency", "2",
                                                                                      "--keep-work", "0"], log: s.scratch.path("dubd.log"))
        for (input, scratch, before, id) in folders {
            let done = try await s.wait(id, for: ["failed", "succeeded", "cancelled"], seconds: 120)
            #expect(done["state"] as? String == "failed", "\(input.name): \(done)")
            #expect(done["attempt"] as? Int == 1, "\(input.name): retried")
            let message = (done["errors"] as? [[String: Any]])?.last?["message"] as? String ?? ""
            let expected = input.arguments.contains("--work") ? "cannot name its work folder" : input.message
            #expect(message.contains(expected), "\(input.name): \(message)")
            BadInputCorpusTests.expectUnharmed(before: before, after: FolderSnapshot(scratch.url.path), outputs: [])
        }
        let done = try await s.wait(good, for: ["failed", "succeeded"], seconds: 180)
        #expect(done["state"] as? String == "succeeded", "\(done)")
        // Every ended job's work folder goes with --keep-work 0; nothing else is left in the data root.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !FolderSnapshot(s.scratch.path("data")).files.isEmpty { try await Task.sleep(for: .milliseconds(250)) }
        #expect(FolderSnapshot(s.scratch.path("data")).files.isEmpty, "\(FolderSnapshot(s.scratch.path("data")).files.keys.sorted().prefix(10))")
        #expect(daemon.process.isRunning, "dubd died")
        await daemon.stop()
        #expect(daemon.process.terminationStatus == 0)
        let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
        #expect(!log.contains("Fatal error") && !log.contains("sk-live"))
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
        // The receiver is on loopback: refused unless the operator allows it, both when submitting and when sending.
        let loopback = try await CommandRunner.run("dubctl", ["jobs", "submit", Repository.sample("english.mp4"), "--to", "es", "-o",
                                                              s.scratch.path("y.mp4"), "--subtitles", Repository.sample("english.es.srt"),
                                                              "--webhook", receiver.url, "--database-url", s.url])
        #expect(loopback.status == 2 && loopback.stderr.contains("DUB_WEBHOOK_ALLOW"), "\(loopback.stderr)")
        let allow = ["DUB_WEBHOOK_ALLOW": "127.0.0.1"]
        let bad = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/missing.mp4"),
                                     subtitles: s.scratch.path("far.srt"), extra: ["--webhook", receiver.url], environment: allow, setup: {
            // Cues past the media's end, added after submitting (a file changed under a queued job): the job fails.
            try "1\n00:00:01,000 --> 00:00:02,000\nHola.\n".write(toFile: s.scratch.path("far.srt"), atomically: true, encoding: .utf8)
        })
        try "1\n10:00:01,000 --> 10:00:02,000\nHola.\n".write(toFile: s.scratch.path("far.srt"), atomically: true, encoding: .utf8)
        let later = try await s.submit(Repository.sample("english.mp4"), output: s.scratch.path("out/later.mp4"),
                                       extra: ["--webhook", receiver.url, "--run-at", "+1h"], environment: allow)
        let cancel = try await CommandRunner.run("dubctl", ["jobs", "cancel", "\(later)", "--database-url", s.url])
        #expect(cancel.status == 0, "\(cancel.stderr)")
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--lease", "6", "--heartbeat", "1"],
                                environment: ["DUB_WEBHOOK_SECRET": secret].merging(allow) { a, _ in a }, log: s.scratch.path("dubd.log"))
        for id in [bad, later] {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline, try await s.job(id)["webhook"] as? String != "delivered (HTTP 200)" {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await s.job(id)["webhook"] as? String == "delivered (HTTP 200)")
        }
        await daemon.stop()
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
        var recognizers: [String: String] = [:]
        for (sample, asr, tts) in [("english.mp4", "openai", "openai"), ("two-speakers.mp4", "elevenlabs", "elevenlabs"), ("korean.mp4", "clova", "clova")] {
            let run = try await CommandRunner.run("dubctl", ["jobs", "submit", Repository.sample(sample), "--to", "es", "-o", s.scratch.path("out/\(sample)"),
                                                             "--asr", asr, "--translator", asr == "clova" ? "papago" : "openai", "--tts", tts,
                                                             "--separation", "none", "--json", "--database-url", s.url])
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            ids[sample] = try #require(json?["id"] as? Int, "\(run.stderr)")
            recognizers[sample] = asr == "clova" ? "clova-speech" : asr
        }
        let environment = ProviderCommandTests.environment(s.scratch, server.environment)
        let port = try PostgresServer.freePort()
        let daemon = try Daemon(url: s.url, dataRoot: s.scratch.path("data"), extra: ["--concurrency", "3", "--metrics-port", "\(port)"],
                                environment: environment, log: s.scratch.path("dubd.log"))
        for (sample, id) in ids {
            let done = try await s.wait(id, for: ["succeeded", "failed"])
            #expect(done["state"] as? String == "succeeded", "\(sample): \(done)")
            #expect(FileManager.default.fileExists(atPath: s.scratch.path("out/\(sample)")))
            // The usage is stored typed: per provider, the recognizer's audio seconds are the sample's length or so.
            let usage = done["usage"] as? [String: [String: Any]] ?? [:]
            let heard = usage[recognizers[sample] ?? ""]?["audioSeconds"] as? Double ?? 0
            #expect(heard > 5 && heard < 60, "\(sample): \(usage)")
        }
        let metrics = try await OffPool.run { try Tool.run("curl", ["-sf", "http://127.0.0.1:\(port)/metrics"]) }
        for line in ["dub_provider_audio_seconds_total{provider=\"openai\"}", "dub_provider_characters_total{provider=\"elevenlabs\"}",
                     "dub_provider_requests_total{provider=\"papago\"}", "dub_stage_seconds_total{stage=\"translate\"}"] {
            #expect(metrics.contains(line), "\(line) missing")
        }
        await daemon.stop()
        let log = try String(contentsOfFile: daemon.log, encoding: .utf8)
        for key in [FakeProviderServer.openAIKey, FakeProviderServer.elevenLabsKey, FakeProviderServer.naverClientSecret, FakeProviderServer.clovaSpeechSecret] {
            #expect(!log.contains(key))
        }
    }
}
