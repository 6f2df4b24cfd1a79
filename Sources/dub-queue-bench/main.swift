import Foundation
import Logging
import DubSupport
import JobQueue
import Synchronization

// The queue benchmark behind bench/40-queue.sh: `dub-queue-bench --database-url URL [--jobs N] [--workers 1,4,16] [--throughput-only]`.
// Empty jobs through the real claim / heartbeat / complete path, one connection per worker (as separate daemons
// would have); submit-to-start latency with NOTIFY waking an idle worker; the cost of one heartbeat, and how many
// heartbeats per second the server sustains from 8 connections at once.

/// When each job started.
final class Starts: Sendable {
    let value = Mutex<[Int: Double]>([:])
}

/// An empty job: a number in, nothing out.
enum EmptyJob: JobKind {
    struct Payload: Codable, Sendable { var n: Int }
    typealias Checkpoint = Int
    typealias Result = [String: Int]
    typealias Usage = [String: Int]
}

/// A handler that does nothing but note when each job started.
struct EmptyHandler: JobHandler {
    let starts: Starts
    func run(_ job: JobContext<EmptyJob>) async throws -> JobOutput<EmptyJob> {
        starts.value.withLock { $0[job.lease.jobId] = JobClock.systemNow() }
        return JobOutput(result: [:])
    }
}

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
guard let url = option("--database-url") else {
    FileHandle.standardError.write(Data("usage: dub-queue-bench --database-url URL [--jobs N] [--workers 1,4,16] [--throughput-only]\n".utf8))
    exit(2)
}
let jobs = option("--jobs").flatMap(Int.init) ?? 2000
let logger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    return logger
}()
let configuration = Database.Configuration(url: url)
let admin = Database(configuration)
_ = try await SchemaMigrator.migrate(admin)
let adminQueue = JobQueue<EmptyJob>(database: admin)

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func worker(_ name: String, concurrency: Int, poll: Double, listens: Bool, starts: Starts) -> JobWorker<EmptyHandler> {
    var settings = JobWorker<EmptyHandler>.Settings(owner: name)
    settings.concurrency = concurrency
    settings.poll = poll
    settings.listens = listens
    return JobWorker(queue: JobQueue<EmptyJob>(database: Database(configuration)), handler: EmptyHandler(starts: starts), settings: settings, logger: logger)
}

// 1. Throughput: N empty jobs, W workers each with its own connection and one slot (like W single-slot daemons).
for workers in option("--workers")?.split(separator: ",").compactMap({ Int($0) }) ?? [1, 4, 16] {
    _ = try await admin.query("DELETE FROM dub_jobs")
    for i in 0..<jobs { _ = try await adminQueue.submit(JobSubmission<EmptyJob>(payload: .init(n: i))) }
    // The same server state as pgbench's rounds get: no dead rows from the round before, fresh statistics.
    _ = try await admin.query("VACUUM ANALYZE dub_jobs")
    let begun = Starts()
    let group = (0..<workers).map { worker("bench-\($0)", concurrency: 1, poll: 0.05, listens: false, starts: begun) }
    let started = JobClock.systemNow()
    let loops = group.map { w in Task { try await w.run() } }
    // The end is watched in this process until every job has started, then on the server for the last completions:
    // a count over the table every few milliseconds would take the server's CPU from the workers being measured.
    while begun.value.withLock({ $0.count }) < jobs { try await Task.sleep(for: .milliseconds(5)) }
    while try await admin.query("SELECT EXISTS (SELECT 1 FROM dub_jobs WHERE state <> 'succeeded') AS left").first?.bool("left") ?? false {
        try await Task.sleep(for: .milliseconds(2))
    }
    let elapsed = JobClock.systemNow() - started
    for w in group { await w.shutdown(graceful: false) }
    for loop in loops { try await loop.value }
    print("throughput workers=\(workers) jobs=\(jobs) seconds=\(elapsed) jobs_per_second=\(Double(jobs) / elapsed)")
}

if arguments.contains("--throughput-only") { exit(0) }

// 2. Submit-to-start latency: an idle worker that only its NOTIFY listener wakes (its poll is 30 s), one job every 20 ms.
_ = try await admin.query("DELETE FROM dub_jobs")
let starts = Starts()
let idle = worker("latency", concurrency: 4, poll: 30, listens: true, starts: starts)
let loop = Task { try await idle.run() }
try await Task.sleep(for: .milliseconds(500))
var submitted: [Int: Double] = [:]
for i in 0..<200 {
    let at = JobClock.systemNow()
    submitted[try await adminQueue.submit(JobSubmission<EmptyJob>(payload: .init(n: i))).id] = at
    try await Task.sleep(for: .milliseconds(20))
}
try await Task.sleep(for: .seconds(1))
await idle.shutdown(graceful: false)
try await loop.value
let latencies = starts.value.withLock { started in submitted.compactMap { id, at in started[id].map { ($0 - at) * 1000 } } }
print("latency jobs=\(latencies.count) p50_ms=\(percentile(latencies, 0.5)) p99_ms=\(percentile(latencies, 0.99)) max_ms=\(latencies.max() ?? 0)")

// 3. Heartbeat cost: 16 running jobs, each heartbeat timed (one round trip and one guarded UPDATE).
_ = try await admin.query("DELETE FROM dub_jobs")
for i in 0..<16 { _ = try await adminQueue.submit(JobSubmission<EmptyJob>(payload: .init(n: i))) }
let holder = JobQueue<EmptyJob>(database: Database(configuration))
let leases = try await holder.claim(queues: ["default"], limit: 16, owner: "heartbeat-bench")
var beats: [Double] = []
for round in 0..<100 {
    for lease in leases {
        let t = JobClock.systemNow()
        _ = try await holder.heartbeat(lease)
        if round > 0 { beats.append((JobClock.systemNow() - t) * 1000) }
    }
}
let mean = beats.reduce(0, +) / Double(max(1, beats.count))

// 4. Heartbeats per second the server sustains: 8 connections (8 daemons) renewing 2 leases each, flat out for 3 s.
let renewers = (0..<8).map { _ in JobQueue<EmptyJob>(database: Database(configuration)) }
let beatsDone = Mutex(0)
let window = 3.0
let windowEnd = JobClock.systemNow() + window
await withTaskGroup(of: Void.self) { group in
    for (n, renewer) in renewers.enumerated() {
        let mine = [leases[2 * n], leases[2 * n + 1]]
        group.addTask {
            var count = 0
            while JobClock.systemNow() < windowEnd {
                for lease in mine { _ = try? await renewer.heartbeat(lease); count += 1 }
            }
            beatsDone.withLock { $0 += count }
        }
    }
}
let perSecond = Double(beatsDone.withLock { $0 }) / window
print("heartbeat running=\(leases.count) mean_ms=\(mean) p99_ms=\(percentile(beats, 0.99)) db_share_per_job_at_15s=\(mean / 15_000) " +
      "sustained_per_second=\(perSecond) connections=\(renewers.count)")
exit(0)
