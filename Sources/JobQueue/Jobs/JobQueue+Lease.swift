import DubSupport
/// Writes made by the worker holding a lease. Each returns `false` (or nil) when the lease is lost:
/// the job was reaped, cancelled or finished elsewhere, and the worker must stop and discard its output.
extension JobQueue {
    /// The result of a heartbeat.
    public enum Heartbeat: Sendable, Equatable {
        /// Lease renewed; keep working.
        case renewed
        /// Lease renewed, but a cancel was requested: stop.
        case cancelRequested
        /// Lease lost: stop and discard.
        case lost
    }

    static var guardClause: String { "id = $1 AND lease_token = $2::uuid AND state = 'running'" }

    /// Renews the lease.
    public nonisolated(nonsending) func heartbeat(_ lease: JobLease<Kind>) async throws -> Heartbeat {
        let rows = try await database.query("""
            UPDATE dub_jobs SET lease_expires_at = \(Self.now(3)) + make_interval(secs => $4::float8), heartbeat_at = \(Self.now(3)),
                updated_at = now()
            WHERE \(Self.guardClause)
            RETURNING cancel_requested_at IS NOT NULL AS cancel_requested
            """, ["\(lease.jobId)", lease.token, clock.parameter, "\(leaseSeconds)"], context: "heartbeat")
        guard let row = rows.first else { return .lost }
        return try row.bool("cancel_requested") ? .cancelRequested : .renewed
    }

    /// Stores the pipeline's checkpoint so a retry resumes from it.
    public nonisolated(nonsending) func checkpoint(_ lease: JobLease<Kind>, _ checkpoint: Kind.Checkpoint) async throws -> Bool {
        try await guarded(lease.key, "checkpoint = $3::jsonb", [try StoredJSON.text(checkpoint)], context: "checkpoint")
    }

    /// Marks the job succeeded.
    public nonisolated(nonsending) func complete(_ lease: JobLease<Kind>, result: Kind.Result, usage: Kind.Usage? = nil) async throws -> Bool {
        try await guarded(try completeStatement(lease, result: result, usage: usage))
    }

    /// Marks the job succeeded and claims up to `limit` jobs from `queues` for `owner` in the same round trip (the
    /// worker's freed slots): the two statements `complete` and `claim` run, each in its own transaction, one after the
    /// other. Each outcome is its own: a completion that fails does not undo the claim, nor the other way round.
    /// - Returns: whether the completion found the lease still held (false: lost), or its error; the leases claimed,
    ///   in job order, or the claim's error.
    public nonisolated(nonsending) func complete(_ lease: JobLease<Kind>, result: Kind.Result, usage: Kind.Usage? = nil,
                                                 thenClaim queues: [String], limit: Int, owner: String) async
        -> (completed: Result<Bool, any Error>, claimed: Result<[JobLease<Kind>], any Error>) {
        let completion: SQLStatement
        do {
            completion = try completeStatement(lease, result: result, usage: usage)
        } catch {
            // A result or usage that cannot be stored: nothing to complete with, so the claim goes alone.
            return (.failure(error), await outcome { try await self.claim(queues: queues, limit: limit, owner: owner) })
        }
        guard limit > 0, let claim = try? claimStatement(queues: queues, limit: limit, owner: owner) else {
            // Nothing to claim, or a claim that fails before it is sent (a bad queue name): each on its own.
            return (await outcome { try await guarded(completion) }, await outcome { try await self.claim(queues: queues, limit: limit, owner: owner) })
        }
        let results: [Result<[PGRow], DatabaseError>]
        do {
            results = try await database.pipeline([completion, claim])
        } catch {
            return (.failure(error), .failure(error))
        }
        return (results[0].map { !$0.isEmpty }.mapError { $0 }, await outcome { try await leases(from: results[1].get()) })
    }

    /// What `body` returns or throws.
    private nonisolated(nonsending) func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    private func completeStatement(_ lease: JobLease<Kind>, result: Kind.Result, usage: Kind.Usage?) throws -> SQLStatement {
        guardedStatement(lease.key, """
            state = 'succeeded', result = $3::jsonb, usage = coalesce($4::jsonb, usage), finished_at = now(),
            lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
            """, [try StoredJSON.text(result), try usage.map(StoredJSON.text)], context: "complete")
    }

    /// Records a failed attempt: permanent errors and the last attempt fail the job; others schedule a retry with backoff.
    /// - Returns: the job's new state, or nil when the lease was lost.
    public nonisolated(nonsending) func fail(_ lease: JobLease<Kind>, code: String, message: String, permanent: Bool, checkpoint: Kind.Checkpoint? = nil,
                     usage: Kind.Usage? = nil, random: Double = Double.random(in: 0..<1)) async throws -> JobState? {
        try await fail(lease.key, code: code, message: message, permanent: permanent, checkpoint: try checkpoint.map(StoredJSON.text),
                       usage: try usage.map(StoredJSON.text), random: random)
    }

    nonisolated(nonsending) func fail(_ lease: LeaseKey, code: String, message: String, permanent: Bool, checkpoint: String? = nil,
              usage: String? = nil, random: Double = Double.random(in: 0..<1)) async throws -> JobState? {
        let delay = backoff.delay(afterAttempt: lease.attempt, unit: random)
        let terminal = "($3::bool OR attempt >= max_attempts OR cancel_requested_at IS NOT NULL)"
        let rows = try await database.query("""
            UPDATE dub_jobs SET
                state = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
                             WHEN $3::bool OR attempt >= max_attempts THEN 'failed' ELSE 'retrying' END,
                run_at = CASE WHEN \(terminal) THEN run_at ELSE \(Self.now(4)) + make_interval(secs => $5::float8) END,
                errors = errors || jsonb_build_array(jsonb_build_object('attempt', attempt,
                    'at', extract(epoch from \(Self.now(4)))::float8, 'code', $6::text, 'message', $7::text, 'permanent', $3::bool)),
                finished_at = CASE WHEN \(terminal) THEN now() END,
                checkpoint = coalesce($8::jsonb, checkpoint), usage = coalesce($9::jsonb, usage),
                lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE \(Self.guardClause)
            RETURNING state
            """, ["\(lease.jobId)", lease.token, permanent ? "true" : "false", clock.parameter, "\(delay)", code, message,
                  checkpoint, usage], context: "fail")
        return rows.first.flatMap { $0.string("state") }.flatMap(JobState.init(rawValue:))
    }

    /// Gives the job back without counting the attempt (graceful shutdown), saving the checkpoint.
    /// A job whose cancel was requested becomes cancelled instead.
    public nonisolated(nonsending) func release(_ lease: JobLease<Kind>, checkpoint: Kind.Checkpoint? = nil) async throws -> Bool {
        try await guarded(lease.key, """
            state = CASE WHEN cancel_requested_at IS NOT NULL THEN 'cancelled' ELSE 'queued' END,
            attempt = CASE WHEN cancel_requested_at IS NOT NULL THEN attempt ELSE greatest(attempt - 1, 0) END,
            finished_at = CASE WHEN cancel_requested_at IS NOT NULL THEN now() END,
            run_at = now(), checkpoint = coalesce($3::jsonb, checkpoint),
            lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
            """, [try checkpoint.map(StoredJSON.text)], context: "release")
    }

    /// Marks a job whose cancel the worker has honoured as cancelled.
    public nonisolated(nonsending) func acknowledgeCancel(_ lease: JobLease<Kind>) async throws -> Bool {
        try await guarded(lease.key, """
            state = 'cancelled', finished_at = now(), lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
            """, [], context: "cancel")
    }

    private nonisolated(nonsending) func guarded(_ lease: LeaseKey, _ assignments: String, _ extra: [String?], context: String) async throws -> Bool {
        try await guarded(guardedStatement(lease, assignments, extra, context: context))
    }

    /// Runs a guarded write; whether the lease still held.
    private nonisolated(nonsending) func guarded(_ statement: SQLStatement) async throws -> Bool {
        !(try await database.query(statement)).isEmpty
    }

    /// A write to the job that only happens while `lease` holds (it returns the job's id when it does).
    private func guardedStatement(_ lease: LeaseKey, _ assignments: String, _ extra: [String?], context: String) -> SQLStatement {
        SQLStatement("""
            UPDATE dub_jobs SET \(assignments), updated_at = now() WHERE \(Self.guardClause) RETURNING id
            """, ["\(lease.jobId)", lease.token] + extra, context: context)
    }
}

/// What proves a lease on a write: the job, its token, and the attempt it is.
struct LeaseKey: Sendable {
    let jobId: Int
    let token: String
    let attempt: Int
}

extension JobLease {
    var key: LeaseKey { LeaseKey(jobId: jobId, token: token, attempt: attempt) }
}
