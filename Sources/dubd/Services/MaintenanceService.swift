import Logging
import DubSupport
import Dubbing
import JobQueue
import DubJobs
import ServiceLifecycle

/// Returns expired leases to the queue (every daemon does this; SKIP LOCKED keeps them out of each
/// other's way), sends the webhooks of jobs no worker reported (ended by the reaper or a cancel, or whose
/// sender died), removes the work folders of jobs that ended more than `keepWork` seconds ago, and prunes old
/// finished jobs (and their folders) once an hour.
struct MaintenanceService: Service {
    let queue: JobQueue<DubJob>
    let metrics: WorkerMetrics
    let interval: Double
    let logger: Logger
    var webhooks: WebhookNotifier?
    var retention: Double = 14 * 86400
    /// Where job work folders live, and how long a finished job's folder is kept.
    let dataRoot: String
    let keepWork: Double

    init(queue: JobQueue<DubJob>, metrics: WorkerMetrics, interval: Double, logger: Logger, webhooks: WebhookNotifier? = nil,
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
