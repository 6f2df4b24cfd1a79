import Logging
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import ServiceLifecycle

/// Runs the job worker, woken by NOTIFY on new work and told about cancels the moment they happen.
struct WorkerService: Service {
    let worker: JobWorker
    let configuration: Database.Configuration
    let logger: Logger

    func run() async throws {
        let work = try NotificationListener(configuration, channel: JobQueue.workChannel)
        let cancels = try NotificationListener(configuration, channel: JobQueue.cancelChannel)
        let worker = worker
        let listeners = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { for await _ in work.payloads() { await worker.poke() } }
                group.addTask {
                    for await payload in cancels.payloads() {
                        if let id = Int(payload) { await worker.cancelRequested(id) }
                    }
                }
            }
        }
        defer { listeners.cancel() }
        await withGracefulShutdownHandler {
            await worker.run()
        } onGracefulShutdown: {
            logger.info("shutting down: no new jobs; running jobs get their grace period")
            Task { await worker.shutdown(graceful: true) }
        }
    }
}

/// Returns expired leases to the queue (every daemon does this; SKIP LOCKED keeps them out of each
/// other's way), sends the webhooks of jobs no worker reported (ended by the reaper or a cancel, or whose
/// sender died), removes the work folders of jobs that ended more than `keepWork` seconds ago, and prunes old
/// finished jobs (and their folders) once an hour.
struct MaintenanceService: Service {
    let queue: JobQueue
    let metrics: WorkerMetrics
    let interval: Double
    let logger: Logger
    var webhooks: WebhookNotifier?
    var retention: Double = 14 * 86400
    /// Where job work folders live, and how long a finished job's folder is kept.
    let dataRoot: String
    let keepWork: Double

    init(queue: JobQueue, metrics: WorkerMetrics, interval: Double, logger: Logger, webhooks: WebhookNotifier? = nil,
         dataRoot: String, keepWork: Double) {
        self.queue = queue
        self.metrics = metrics
        self.interval = interval
        self.logger = logger
        self.webhooks = webhooks
        self.dataRoot = dataRoot
        self.keepWork = keepWork
    }

    /// Removes the work folders of jobs finished more than `keepWork` seconds ago.
    func removeOldWorkFolders() async throws {
        for id in try await queue.workFoldersDue(olderThan: keepWork) {
            do {
                if try WorkFolder.removeJobFolder(dataRoot: dataRoot, job: id) {
                    logger.info("removed a finished job's work folder", metadata: ["job": "\(id)"])
                }
                try await queue.markWorkRemoved(id)
            } catch {
                logger.warning("could not remove a finished job's work folder", metadata: ["job": "\(id)", "error": "\(error)"])
            }
        }
    }

    func run() async throws {
        var lastPrune = 0.0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                for rescued in try await queue.reap() {
                    metrics.add("dub_jobs_rescued_total")
                    logger.warning("rescued a job whose worker stopped renewing its lease",
                                   metadata: ["job": "\(rescued.id)", "state": "\(rescued.state.rawValue)"])
                }
                try await removeOldWorkFolders()
                if JobClock.systemNow() - lastPrune > 3600 {
                    let pruned = try await queue.prune(olderThan: retention)
                    for id in pruned { _ = try? WorkFolder.removeJobFolder(dataRoot: dataRoot, job: id) }
                    if !pruned.isEmpty { logger.info("pruned finished jobs", metadata: ["count": "\(pruned.count)"]) }
                    lastPrune = JobClock.systemNow()
                }
            } catch {
                logger.warning("maintenance failed; will try again", metadata: ["error": "\(error)"])
            }
            do {
                try await webhooks?.deliverDue(queue: queue)
            } catch {
                logger.warning("webhook sweep failed; will try again", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
    }
}

/// A second SIGTERM or SIGINT during a graceful shutdown exits at once; the leases of jobs still
/// running expire and other daemons take them over. Runs beside the service group (not in it), so it
/// never holds up the group's own shutdown.
enum SecondSignal {
    static func watch(logger: Logger) -> Task<Void, Never> {
        Task {
            var seen = 0
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                seen += 1
                if seen >= 2 {
                    logger.warning("second \(signal) signal: exiting now; unfinished jobs will be retried elsewhere")
                    exit(1)
                }
            }
        }
    }
}

import UnixSignals
#if canImport(Glibc)
import Glibc
#endif
