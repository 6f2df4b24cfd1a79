import DubSupport
import Logging
import ServiceLifecycle

/// Claims jobs into free slots and runs them, renewing each lease while it works.
///
/// One heartbeat per worker renews every running job's lease every `heartbeat` seconds. A worker that cannot renew a
/// lease for `selfStop` seconds (database unreachable, process frozen; counted in heartbeats from the first after the
/// job started) stops the job itself, because by then another worker may have taken it over. A lost lease, a cancel
/// request or a shutdown cancels the job's task; its outcome is then written only if the lease still holds.
///
/// The worker runs on its connection's thread: its own statements run there inline, and its handlers run on Swift's
/// thread pool.
///
/// A worker is a ServiceLifecycle `Service`: in a `ServiceGroup`, a graceful shutdown stops claiming and gives running
/// jobs their `softShutdown` window. It listens (NOTIFY) for new work and for cancel requests, and polls as well,
/// since a notification sent while its connection was down is lost.
public actor JobWorker<Handler: JobHandler>: Service {
    public typealias Kind = Handler.Kind

    /// Timing and limits.
    public struct Settings: Sendable {
        public var queues: [String] = ["default"]
        public var concurrency: Int = 1
        public var owner: String
        public var heartbeat: Double = 15
        public var selfStop: Double = 60
        public var poll: Double = 5
        /// How long running jobs get to finish after a graceful shutdown starts, in seconds.
        public var softShutdown: Double = 30
        /// Whether to LISTEN for new work and cancel requests; without it, new work waits for the next poll and a
        /// cancel for the next heartbeat.
        public var listens = true

        public init(owner: String) {
            self.owner = owner
        }
    }

    /// A running job as its heartbeat sees it.
    struct Supervised {
        let context: JobContext<Kind>
        /// When the job's writes stop; each renewal moves it on.
        let deadline: Deadline
        /// Seconds since the lease was last renewed, in heartbeats.
        var unrenewed = 0.0
    }

    /// Why a job's task was cancelled.
    enum StopReason: Sendable { case cancelRequested, leaseLost, shutdown }

    let queue: JobQueue<Kind>
    let handler: Handler
    let settings: Settings
    let logger: Logger
    let metrics: WorkerMetrics
    /// Sends the signed webhook of a job this worker ends, if the job has one.
    let webhooks: WebhookNotifier?
    /// What the worker waits on (polls, heartbeats, the shutdown grace): injectable, so tests move time by hand.
    let clock: any Clock<Duration>
    var running: [Int: Task<Void, Never>] = [:]
    /// Whether no job runs, for those who wait for it.
    let idle = IdleSignal()
    var stopReasons: [Int: StopReason] = [:]
    /// The jobs whose leases the worker's heartbeat renews.
    var supervised: [Int: Supervised] = [:]
    var claiming = true
    var wake: AsyncStream<Void>.Continuation?

    public init(queue: JobQueue<Kind>, handler: Handler, settings: Settings, logger: Logger, metrics: WorkerMetrics = WorkerMetrics(),
                webhooks: WebhookNotifier? = nil, clock: any Clock<Duration> = ContinuousClock()) {
        self.webhooks = webhooks
        self.clock = clock
        self.queue = queue
        self.handler = handler
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
    }

    /// The worker runs on its queue's connection thread: its claims, completions and heartbeats run there inline.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { queue.database.executor }

    /// Jobs being worked on now.
    public var runningJobs: [Int] { Array(running.keys).sorted() }

    /// Claims and runs jobs until `shutdown` is called or a graceful shutdown of its service group starts; returns
    /// once every job has ended (and its webhook has been sent, for up to 5 s).
    /// Cancelling the task that runs it stops at once: running jobs are stopped and released with their checkpoints
    /// (as `shutdown(graceful: false)`), and it returns once they have ended.
    public func run() async throws {
        let listeners = settings.listens ? listen() : nil
        await withGracefulShutdownHandler {
            await work()
        } onGracefulShutdown: {
            Task { await self.shutdown(graceful: true) }
        }
        if Task.isCancelled {
            await shutdown(graceful: false)
            for task in running.values { await task.value }
        }
        listeners?.cancel()
        await listeners?.value
    }

    /// Pokes the claim loop on NOTIFY of new work, and stops a job here the moment its cancel is requested.
    private func listen() -> Task<Void, Never> {
        let configuration = queue.database.configuration
        return Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    guard let work = try? NotificationListener(configuration, channel: JobChannel.work) else { return }
                    for await _ in work.payloads() { await self.poke() }
                }
                group.addTask {
                    guard let cancels = try? NotificationListener(configuration, channel: JobChannel.cancel) else { return }
                    for await payload in cancels.payloads() {
                        if let id = Int(payload) { await self.cancelRequested(id) }
                    }
                }
            }
        }
    }

    /// The claim loop: claims on every signal (poll, NOTIFY, a freed slot) until shutdown, then waits for the jobs.
    private func work() async {
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake = continuation
        let poller = Task { [settings, clock] in
            while !Task.isCancelled {
                try? await clock.sleep(for: .seconds(settings.poll))
                continuation.yield()
            }
        }
        // Renews running jobs' leases until they have all ended, the soft shutdown's included.
        let heartbeat = Task { await renewLeases() }
        defer {
            poller.cancel()
            heartbeat.cancel()
        }
        continuation.yield()
        for await _ in signals {
            guard claiming else { break }
            await claimIntoFreeSlots()
        }
        // Also when the loop ended by cancellation: a job that completes from now on claims nothing with it.
        claiming = false
        await idle.wait()
        // Reports of the last jobs get a few seconds; any cut short are sent by another daemon later.
        await webhooks?.drain(seconds: 5)
    }

    /// Wakes the claim loop (a NOTIFY arrived, or a slot freed up).
    public func poke() {
        wake?.yield()
    }

    /// A cancel was requested for `jobId` (NOTIFY): if it runs here, stop it now.
    public func cancelRequested(_ jobId: Int) {
        guard let task = running[jobId] else { return }
        stopReasons[jobId] = .cancelRequested
        task.cancel()
    }

    /// Stops claiming; running jobs get `softShutdown` seconds, then are stopped and released with their
    /// checkpoint. With `graceful: false` they are stopped at once.
    public func shutdown(graceful: Bool = true) async {
        if claiming { logger.info("shutting down: no new jobs; running jobs get their grace period") }
        claiming = false
        wake?.yield()
        wake?.finish()
        if graceful, !running.isEmpty {
            // Whichever comes first: every job done, or the grace over.
            let (grace, clock, idle) = (settings.softShutdown, clock, idle)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await idle.wait() }
                group.addTask { try? await clock.sleep(for: .seconds(grace)) }
                await group.next()
                group.cancelAll()
            }
        }
        for (id, task) in running {
            if stopReasons[id] == nil { stopReasons[id] = .shutdown }
            task.cancel()
        }
    }

    private func claimIntoFreeSlots() async {
        let free = settings.concurrency - running.count
        guard free > 0 else { return }
        let started = JobClock.systemNow()
        do {
            let leases = try await queue.claim(queues: settings.queues, limit: free, owner: settings.owner)
            metrics.claimed(count: leases.count, seconds: JobClock.systemNow() - started)
            for lease in leases { start(lease) }
        } catch {
            claimFailed(error)
        }
    }

    /// A claim that failed: counted and logged; the next poll, NOTIFY or freed slot tries again.
    func claimFailed(_ error: any Error) {
        metrics.claimError()
        logger.warning("claim failed; retrying", metadata: ["error": "\(error)"])
    }

    private func start(_ lease: JobLease<Kind>) {
        var log = logger
        log[metadataKey: "job"] = "\(lease.jobId)"
        log[metadataKey: "attempt"] = "\(lease.attempt)"
        log.info("job started")
        let context = JobContext(lease: lease, logger: log, queue: queue)
        stopReasons[lease.jobId] = nil
        running[lease.jobId] = Task { await self.execute(context) }
        idle.set(idle: false)
    }

    /// The job has ended: its slot is free. The jobs `claimed` for the free slots with its completion start now (given
    /// back, should the worker have stopped claiming meanwhile). Without such a claim the claim loop is woken to fill
    /// the free slots. (A claim that brought fewer jobs than slots found the queue empty, or a job whose payload could
    /// not be read and was failed: the next poll, NOTIFY or freed slot tries again.)
    func finished(_ jobId: Int, claimed: [JobLease<Kind>]? = nil) async {
        running[jobId] = nil
        stopReasons[jobId] = nil
        if let claimed, claiming {
            for lease in claimed { start(lease) }
        } else if let claimed {
            for lease in claimed {
                do {
                    _ = try await queue.release(lease)
                    announce(lease.jobId) // a cancel requested meanwhile made it cancelled
                } catch {
                    logger.warning("could not give back a job claimed during shutdown; its lease will expire and it will be retried",
                                   metadata: ["job": "\(lease.jobId)", "error": "\(error)"])
                }
            }
        } else {
            wake?.yield()
        }
        idle.set(idle: running.isEmpty)
    }

    func stopReason(_ jobId: Int) -> StopReason? { stopReasons[jobId] }

    func markStopped(_ jobId: Int, _ reason: StopReason) {
        if stopReasons[jobId] == nil { stopReasons[jobId] = reason }
        running[jobId]?.cancel()
    }
}
