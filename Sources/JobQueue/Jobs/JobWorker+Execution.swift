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
        let handler = handler
        let work = Task { try await WorkCancellation.$deadline.withValue(deadline) { try await handler.run(context) } }
        let heartbeat = Task { await supervise(context, work: work, deadline: deadline) }
        // Cancelling this job's task (lost lease, cancel request, shutdown) cancels the handler's work.
        let outcome = await withTaskCancellationHandler { await work.result } onCancel: { work.cancel() }
        heartbeat.cancel()
        let reason = stopReason(lease.jobId)
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
                if try await queue.complete(lease, result: output.result, usage: output.usage) {
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
        release(lease.jobId)
    }

    /// Starts the webhook of a job this worker has ended; it is claimed and sent in the background, so the
    /// worker goes on at once.
    private func announce(_ id: Int) {
        webhooks?.jobEnded(id, queue: queue)
    }

    /// Renews the lease every `heartbeat` seconds; stops the job on a cancel request, a lost lease, or
    /// when renewal has failed for `selfStop` seconds.
    private func supervise(_ context: JobContext<Kind>, work: Task<JobOutput<Kind>, any Error>, deadline: Deadline) async {
        // Seconds since the last renewal, counted in heartbeats on the worker's clock.
        var unrenewed = 0.0
        while !Task.isCancelled {
            try? await clock.sleep(for: .seconds(settings.heartbeat))
            unrenewed += settings.heartbeat
            if Task.isCancelled { return }
            do {
                let asked = Deadline.now()
                switch try await queue.heartbeat(context.lease) {
                case .renewed:
                    unrenewed = 0
                    deadline.extend(seconds: queue.leaseSeconds - 1, since: asked)
                    metrics.heartbeat()
                case .cancelRequested:
                    markStopped(context.lease.jobId, .cancelRequested)
                    return
                case .lost:
                    markStopped(context.lease.jobId, .leaseLost)
                    return
                }
            } catch {
                context.logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
            if unrenewed >= settings.selfStop {
                context.logger.error("could not renew the lease for \(Int(settings.selfStop)) s; stopping the job")
                markStopped(context.lease.jobId, .leaseLost)
                return
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
