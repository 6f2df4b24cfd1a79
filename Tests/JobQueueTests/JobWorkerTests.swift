import AudioKitCore
import Foundation
import Logging
import DubSupport
import Providers
import JobQueue
import TestSupport
import Testing
import ServiceLifecycle
import Synchronization

/// A handler whose behaviour each test picks.
struct ScriptedHandler: JobHandler {
    let body: @Sendable (JobContext<TestJob>) async throws -> JobOutput<TestJob>
    func run(_ job: JobContext<TestJob>) async throws -> JobOutput<TestJob> { try await body(job) }
}

@Suite("Job worker", .tags(.database))
struct JobWorkerTests {
    private func worker(_ f: QueueFixture, concurrency: Int = 2, heartbeat: Double = 0.2, soft: Double = 0.3,
                        _ body: @escaping @Sendable (JobContext<TestJob>) async throws -> JobOutput<TestJob>) -> JobWorker<ScriptedHandler> {
        var settings = JobWorker<ScriptedHandler>.Settings(owner: "test-worker")
        settings.concurrency = concurrency
        settings.heartbeat = heartbeat
        settings.poll = 0.1
        settings.softShutdown = soft
        return JobWorker(queue: f.queue, handler: ScriptedHandler(body: body), settings: settings, logger: Logger(label: "test"))
    }

    @Test("runs every job once, within the concurrency limit")
    func runsJobs() async throws {
        let f = try await QueueFixture()
        let ids = try await f.submit(6)
        let gauge = Gauge()
        let w = worker(f) { job in
            let now = gauge.enter()
            #expect(now <= 2)
            // Hold the first job until a second one runs beside it (a loaded machine can take longer than a short
            // job to claim the next); a worker that runs one job at a time leaves the peak at 1 after 30 s.
            for _ in 0..<1500 where gauge.peak < 2 { try await Task.sleep(for: .milliseconds(20)) }
            try await Task.sleep(for: .milliseconds(100))
            gauge.leave()
            return JobOutput(result: .init(job: job.lease.jobId))
        }
        let loop = Task { try await w.run() }
        try await eventually(within: 120) { try await f.queue.list(state: .succeeded).count == ids.count }
        await w.shutdown()
        try await loop.value
        #expect(gauge.peak == 2)
    }

    @Test("a single-slot worker with an hour's poll and no NOTIFY runs a whole backlog in priority order, each completion claiming the next job in its round trip")
    func completionsClaim() async throws {
        let f = try await QueueFixture()
        let late = try await f.submit(2, priority: 5)
        let early = try await f.submit(2, priority: 1)
        let order = Mutex<[Int]>([])
        var settings = JobWorker<ScriptedHandler>.Settings(owner: "test-worker")
        (settings.concurrency, settings.poll, settings.listens) = (1, 3600, false)
        let metrics = WorkerMetrics()
        let w = JobWorker(queue: f.queue, handler: ScriptedHandler { job in
            order.withLock { $0.append(job.lease.jobId) }
            return JobOutput(result: .init(job: job.lease.jobId))
        }, settings: settings, logger: Logger(label: "test"), metrics: metrics)
        let loop = Task { try await w.run() }
        try await eventually(within: 60) { try await f.queue.list(state: .succeeded).count == 4 }
        await w.shutdown()
        try await loop.value
        #expect(order.withLock { $0 } == early + late)
        // The first job came from the claim loop; the other three, and the empty claim after the last, with completions.
        let lines = metrics.render().split(separator: "\n")
        #expect(lines.contains("dub_claims_with_completion_total 4.0"), "\(lines)")
        #expect(lines.contains("dub_jobs_claimed_total 4.0"), "\(lines)")
        for id in early + late { #expect(try await f.queue.job(id)?.result == .init(job: id)) }
    }

    @Test("permanent failures fail the job; others are retried")
    func failures() async throws {
        let f = try await QueueFixture()
        let ids = try await f.submit(2)
        let w = worker(f) { job in
            throw JobFailure(code: "bad_input", message: "no audio stream", permanent: job.lease.jobId == ids[0])
        }
        let loop = Task { try await w.run() }
        try await eventually(within: 120) {
            let first = try await f.queue.job(ids[0])?.state
            let second = try await f.queue.job(ids[1])?.state
            return first == .failed && second == .retrying
        }
        await w.shutdown()
        try await loop.value
        #expect(try await f.queue.job(ids[0])?.errors.first?.message == "no audio stream")
    }

    @Test("a cancel request stops the running job within a heartbeat")
    func cancel() async throws {
        let f = try await QueueFixture()
        let id = try await f.submit(1)[0]
        let w = worker(f) { _ in
            while true { try await Task.sleep(for: .milliseconds(20)) }
        }
        let loop = Task { try await w.run() }
        try await eventually(within: 120) { try await f.queue.job(id)?.state == .running }
        #expect(try await f.queue.cancel(id) == .requested)
        try await eventually(within: 120) { try await f.queue.job(id)?.state == .cancelled }
        await w.shutdown()
        try await loop.value
    }

    @Test("a lost lease stops a blocking stage mid-write: its output never appears, its temporary file goes, the result is discarded")
    func leaseLost() async throws {
        let f = try await QueueFixture()
        let id = try await f.submit(1)[0]
        let scratch = try Scratch()
        let output = scratch.path("stage.wav")
        let writing = Flag()
        let w = worker(f) { _ in
            // A real blocking stage: streaming a long float WAV through libsndfile on its own thread (about 30 s of
            // writing at this pace), renamed into place only when complete.
            try await BlockingWork.run {
                try AtomicFile.write(to: output) { temp in
                    let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                                     sampleRate: 48000, channels: 2)
                    for _ in 0..<3000 {
                        try writer.write([Float](repeating: 0.1, count: 9600))
                        writing.set()
                        usleep(10_000)
                    }
                    try writer.close()
                }
            }
            return JobOutput(result: .init())
        }
        let loop = Task { try await w.run() }
        try await eventually(within: 120) { writing.isSet }
        // Another daemon's reaper, two minutes later, takes the job over after the lease expired. Only the
        // peer's clock moves: the worker's own heartbeats keep renewing against its clock, which must not
        // push the lease past the peer's "now" (that race made this test flaky when the shared clock moved).
        #expect(try await f.peer(ahead: 120).reap().map(\.id) == [id])
        try await eventually(within: 120) { await w.runningJobs.isEmpty }
        #expect(try await f.queue.job(id)?.state == .retrying)
        #expect(!FileManager.default.fileExists(atPath: output), "the stage put its output in place after losing the lease")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty, "the stage left its temporary file")
        await w.shutdown()
        try await loop.value
    }

    @Test("a worker that cannot renew a lease for selfStop seconds (database down) stops the job itself and records nothing")
    func selfStop() async throws {
        let server = try PostgresServer()
        defer { server.destroy() }
        // A long reconnect backoff (ten attempts, 30 s apart) for statements queued on the connection's thread: were the
        // worker's own statements to wait it out, its first failed heartbeat alone would take minutes.
        var configuration = Database.Configuration(url: server.url())
        (configuration.reconnectDelay, configuration.maxReconnectDelay) = (30, 30)
        let database = Database(configuration)
        try await SchemaMigrator.migrate(database)
        let queue = JobQueue<TestJob>(database: database)
        let id = try await queue.submit(JobSubmission<TestJob>(payload: .init())).id
        var settings = JobWorker<ScriptedHandler>.Settings(owner: "self-stop")
        (settings.heartbeat, settings.selfStop, settings.poll) = (0.2, 1, 0.1)
        let running = Flag(), stopped = Flag()
        let w = JobWorker(queue: queue, handler: ScriptedHandler { _ in
            running.set()
            do {
                while true { try await Task.sleep(for: .milliseconds(20)) }
            } catch {
                stopped.set()
                throw error
            }
        }, settings: settings, logger: Logger(label: "test"))
        let loop = Task { try await w.run() }
        try await eventually("the job runs", within: 120) { running.isSet }
        try server.stop()
        let down = ContinuousClock.now
        try await eventually("the worker stops the job", within: 120) { stopped.isSet }
        // Five heartbeats 0.2 s apart, each failing, before it gives up: never at the first failure.
        #expect(ContinuousClock.now - down >= .milliseconds(700))
        try await eventually("the job has ended here", within: 120) { await w.runningJobs.isEmpty }
        try server.start()
        // Nothing was recorded: the job stays running until its lease runs out and a reaper returns it.
        #expect(try await queue.job(id)?.state == .running)
        await w.shutdown()
        try await loop.value
    }

    @Test("cancelling the task that runs the worker stops its job at once and releases it; run returns after it has ended")
    func cancelledRun() async throws {
        let f = try await QueueFixture()
        let id = try #require(try await f.submit(1).first)
        let started = Flag()
        let w = worker(f, soft: 3_600) { _ in
            started.set()
            while true { try await Task.sleep(for: .milliseconds(20)) }
        }
        let loop = Task { try await w.run() }
        try await eventually(within: 120) { started.isSet }
        loop.cancel()
        // The grace (an hour) is not waited: cancellation is not a graceful shutdown.
        #expect(await value(of: Task { try? await loop.value }, within: 60) != nil, "run did not return")
        #expect(await w.runningJobs.isEmpty)
        let job = try #require(try await f.queue.job(id))
        #expect(job.state == .queued && job.attempt == 0, "\(job.state) \(job.attempt)")
    }

    @Test("graceful shutdown: the job gets its soft window, then is released with its checkpoint")
    func shutdown() async throws {
        let f = try await QueueFixture()
        let id = try await f.submit(1)[0]
        let w = worker(f) { job in
            #expect(try await job.checkpoint(.init(stage: "synthesize")))
            while true { try await Task.sleep(for: .milliseconds(20)) }
        }
        let loop = Task { try await w.run() }
        try await eventually(within: 120) { try await f.queue.job(id)?.checkpoint != nil }
        await w.shutdown(graceful: true)
        try await loop.value
        let job = try #require(try await f.queue.job(id))
        #expect(job.state == .queued)
        #expect(job.attempt == 0)
        #expect(job.checkpoint?.stage == "synthesize")
    }
}

@Suite("Job worker on a clock the test moves", .tags(.database))
struct JobWorkerClockTests {
    @Test("heartbeats follow the worker's clock, and the soft shutdown waits exactly its grace on it before releasing the job")
    func heartbeatsAndGraceOnTheClock() async throws {
        let f = try await QueueFixture()
        let id = try await f.submit(1)[0]
        let clock = TestClock()
        let metrics = WorkerMetrics()
        var settings = JobWorker<ScriptedHandler>.Settings(owner: "clocked")
        settings.heartbeat = 10
        settings.poll = 3_600
        settings.softShutdown = 30
        let started = Flag()
        let worker = JobWorker(queue: f.queue, handler: ScriptedHandler { _ in
            started.set()
            while true { try await Task.sleep(for: .milliseconds(20)) }
        }, settings: settings, logger: Logger(label: "test"), metrics: metrics, clock: clock)
        let loop = Task { try await worker.run() }
        // Time moves only once the sleep it is meant for has started (the poller sleeps an hour: never these).
        @Sendable func asleep(for seconds: Int64) -> Bool { clock.sleepers(until: clock.now.advanced(by: .seconds(seconds))) == 1 }
        try await eventually("the job started, its heartbeat asleep", within: 60) { started.isSet && asleep(for: 10) }
        #expect(!metrics.render().contains("dub_heartbeats_total 1"))
        clock.advance(by: .seconds(10))
        try await eventually("one heartbeat", within: 60) { metrics.render().contains("dub_heartbeats_total 1") && asleep(for: 10) }
        clock.advance(by: .seconds(10))
        try await eventually("two heartbeats", within: 60) { metrics.render().contains("dub_heartbeats_total 2") && asleep(for: 10) }
        // Shutting down: the running job gets the grace on the worker's clock, not the wall clock.
        let stopping = Task { await worker.shutdown(graceful: true) }
        try await eventually("the grace is waited on the clock", within: 60) { asleep(for: 30) }
        #expect(try await f.queue.job(id)?.state == .running)
        clock.advance(by: .seconds(30))
        if await value(of: stopping, within: 60) == nil {
            Issue.record("the shutdown did not end when its grace was over on the clock")
            clock.advance(by: .seconds(3_600)) // let it end anyway
        }
        await stopping.value
        try await loop.value
        let job = try #require(try await f.queue.job(id))
        #expect(job.state == .queued && job.attempt == 0)
    }

    @Test("as a service: NOTIFY alone wakes it for new work and stops a cancelled job; the group's graceful shutdown releases a running job")
    func service() async throws {
        let f = try await QueueFixture()
        var settings = JobWorker<ScriptedHandler>.Settings(owner: "service")
        // Neither a poll nor a heartbeat comes within the test: only the worker's own listeners can wake it.
        settings.poll = 3_600
        settings.heartbeat = 3_600
        settings.softShutdown = 0.2
        let started = Gauge()
        let worker = JobWorker(queue: f.peer(), handler: ScriptedHandler { job in
            _ = started.enter()
            while true { try await Task.sleep(for: .milliseconds(20)) }
        }, settings: settings, logger: Logger(label: "test"))
        let group = ServiceGroup(services: [worker], logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        // The first claim happens at start; the job submitted after it is claimed on NOTIFY. Its listener may still be
        // connecting, so the test submits until a job starts.
        try await eventually("the worker is idle", within: 60) { await worker.runningJobs.isEmpty }
        for _ in 0..<600 where started.peak == 0 {
            _ = try await f.submit(1)
            try await Task.sleep(for: .milliseconds(100))
        }
        try await eventually("a job started", within: 60) { started.peak >= 1 }
        let cancelled = try #require(await worker.runningJobs.first)
        #expect(try await f.queue.cancel(cancelled) == .requested)
        try await eventually("the cancel reached the job", within: 60) { try await f.queue.job(cancelled)?.state == .cancelled }
        // Another job runs in the freed slot; a graceful shutdown of the group releases it.
        _ = try await f.submit(1)
        try await eventually("another job runs", within: 60) {
            let jobs = await worker.runningJobs
            return jobs.count == 1 && jobs != [cancelled]
        }
        let held = try #require(await worker.runningJobs.first)
        await group.triggerGracefulShutdown()
        #expect(await value(of: Task { try? await running.value }, within: 60) != nil, "the group did not stop")
        let released = try #require(try await f.queue.job(held))
        #expect(released.state == .queued && released.attempt == 0)
    }
}

/// Counts concurrent entries.
final class Gauge: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private var highest = 0
    var peak: Int { lock.lock(); defer { lock.unlock() }; return highest }
    func enter() -> Int { lock.lock(); defer { lock.unlock() }; current += 1; highest = max(highest, current); return current }
    func leave() { lock.lock(); current -= 1; lock.unlock() }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

import Foundation
