import DubSupport
import Logging

extension JobWorker {
    /// Runs one job under heartbeat supervision and records its outcome if the lease still holds.
    func execute(_ context: JobContext<Kind>) async {
        let lease = context.lease
        let log = context.logger
        let started = JobClock.systemNow()
        // Every write of the job stops once the lease may have run out, even before a heartbeat says it has.
        let deadline = Deadline(secondsFromNow: queue.leaseSeconds - 1)
        // The worker's heartbeat renews the lease from now on (`renewLeases`).
        supervised[lease.jobId] = Supervised(context: context, deadline: deadline)
        // The handler runs in this job's own task, off the worker's thread: cancelling the task (a lost lease, a cancel
        // request, a shutdown) cancels the handler's work.
        let outcome: Result<JobOutput<Kind>, any Error>
        do {
            outcome = .success(try await WorkCancellation.$deadline.withValue(deadline) { try await handler.run(context) })
        } catch {
            outcome = .failure(error)
        }
        supervised[lease.jobId] = nil
        let reason = stopReason(lease.jobId)
        // The jobs claimed with a success's completion, for the slots it frees (nil: none were asked for).
        var claimed: [JobLease<Kind>]?
        do {
            switch (outcome, reason) {
            case (_, .leaseLost?):
                metrics.leaseLost()
                log.warning("lease lost; output discarded")
            case (_, .cancelRequested?):
                _ = try await queue.acknowledgeCancel(lease)
                metrics.finished(.cancelled, seconds: JobClock.systemNow() - started)
                log.info("job cancelled")
                announce(lease.jobId)
            case (_, .shutdown?):
                _ = try await queue.release(lease)
                log.info("job released for another worker (shutdown)")
                announce(lease.jobId) // a cancel requested meanwhile made it cancelled; a queued job has nothing to report
            case (.success(let output), nil):
                let completed: Bool
                if claiming {
                    let outcome: Result<Bool, any Error>
                    (outcome, claimed) = await completeAndClaim(lease, output)
                    completed = try outcome.get()
                } else {
                    completed = try await queue.complete(lease, result: output.result, usage: output.usage)
                }
                if completed {
                    metrics.finished(.succeeded, seconds: JobClock.systemNow() - started)
                    log.info("job succeeded")
                    announce(lease.jobId)
                } else {
                    metrics.leaseLost()
                    log.warning("lease lost before completion; output discarded")
                }
            case (.failure(let error), nil):
                let failure = Self.classify(error)
                let state = try await queue.fail(lease, code: failure.code, message: failure.message, permanent: failure.permanent)
                if let state {
                    metrics.finished(state, seconds: JobClock.systemNow() - started)
                    log.warning("job attempt failed", metadata: ["code": "\(failure.code)", "state": "\(state.rawValue)",
                                                                 "error": "\(failure.message)"])
                    if state.isTerminal { announce(lease.jobId) }
                } else {
                    metrics.leaseLost()
                    log.warning("lease lost; the attempt's outcome is discarded", metadata: ["error": "\(failure.message)"])
                }
            }
        } catch {
            log.error("could not record the job's outcome; its lease will expire and it will be retried",
                      metadata: ["error": "\(error)"])
        }
        await finished(lease.jobId, claimed: claimed)
    }

    /// Completes the job and, in the same round trip, claims jobs for the slots its end frees (all the free slots, so
    /// the claim loop need not run). A failed claim is logged and left to the claim loop.
    /// - Returns: whether the completion held the lease (or its error), and the jobs claimed (nil when the claim failed).
    private func completeAndClaim(_ lease: JobLease<Kind>, _ output: JobOutput<Kind>) async -> (Result<Bool, any Error>, [JobLease<Kind>]?) {
        let (completed, claim) = await queue.complete(lease, result: output.result, usage: output.usage, thenClaim: settings.queues,
                                                      limit: settings.concurrency - running.count + 1, owner: settings.owner)
        switch claim {
        case .success(let leases):
            metrics.claimed(count: leases.count, seconds: nil)
            return (completed, leases)
        case .failure(let error):
            claimFailed(error)
            return (completed, nil)
        }
    }

    /// Starts the webhook of a job this worker has ended; it is claimed and sent in the background, so the
    /// worker goes on at once.
    func announce(_ id: Int) {
        webhooks?.jobEnded(id, queue: queue)
    }

    /// The worker's heartbeat: every `heartbeat` seconds it renews the lease of each job that runs, one timer for the
    /// worker rather than one per job. A job is stopped on a cancel request, a lost lease, or when its renewal has
    /// failed for `selfStop` seconds (counted in heartbeats, from the first one after the job started).
    func renewLeases() async {
        while !Task.isCancelled {
            try? await clock.sleep(for: .seconds(settings.heartbeat))
            if Task.isCancelled { return }
            for jobId in supervised.keys.sorted() { await renew(jobId) }
        }
    }

    /// One heartbeat of one job.
    private func renew(_ jobId: Int) async {
        guard let job = supervised[jobId] else { return }
        let asked = Deadline.now()
        let beat: Result<JobQueue<Kind>.Heartbeat, any Error>
        do {
            beat = .success(try await queue.heartbeat(job.context.lease))
        } catch {
            beat = .failure(error)
        }
        // A job whose handler returned meanwhile is no longer this heartbeat's to stop.
        guard supervised[jobId] != nil else { return }
        switch beat {
        case .success(.renewed):
            supervised[jobId]?.unrenewed = 0
            job.deadline.extend(seconds: queue.leaseSeconds - 1, since: asked)
            metrics.heartbeat()
        case .success(.cancelRequested):
            markStopped(jobId, .cancelRequested)
        case .success(.lost):
            markStopped(jobId, .leaseLost)
        case .failure(let error):
            job.context.logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            let unrenewed = job.unrenewed + settings.heartbeat
            supervised[jobId]?.unrenewed = unrenewed
            if unrenewed >= settings.selfStop {
                job.context.logger.error("could not renew the lease for \(Int(settings.selfStop)) s; stopping the job")
                markStopped(jobId, .leaseLost)
            }
        }
    }

    /// Turns any error into a failure record: `JobFailure` as given; cancellation and media/subtitle input
    /// errors are permanent; everything else is retried.
    static func classify(_ error: any Error) -> JobFailure {
        if let failure = error as? JobFailure { return failure }
        return JobFailure(code: ErrorReport.code(for: error), message: ErrorReport.line(for: error),
                          permanent: ErrorReport.isPermanent(error))
    }
}
