import DubSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Operator actions and the maintenance every daemon runs (reaping expired leases, pruning).
extension JobQueue {
    /// What a cancel did.
    public enum CancelOutcome: Sendable, Equatable {
        /// A queued or retrying job is now cancelled.
        case cancelled
        /// A running job was asked to stop; its worker stops at its next heartbeat (or on NOTIFY).
        case requested
        /// The job had already finished in this state.
        case alreadyFinished(JobState)
    }

    /// Cancels job `id`.
    public func cancel(_ id: Int) async throws -> CancelOutcome {
        let rows = try await database.query("""
            WITH old AS (SELECT id, state FROM dub_jobs WHERE id = $1 FOR UPDATE)
            UPDATE dub_jobs j SET
                state = CASE WHEN j.state IN ('queued', 'retrying') THEN 'cancelled' ELSE j.state END,
                finished_at = CASE WHEN j.state IN ('queued', 'retrying') THEN now() ELSE j.finished_at END,
                cancel_requested_at = CASE WHEN j.state = 'running' THEN coalesce(j.cancel_requested_at, now()) ELSE j.cancel_requested_at END,
                updated_at = now()
            FROM old WHERE j.id = old.id
            RETURNING old.state AS old_state
            """, ["\(id)"], context: "cancel")
        guard let old = rows.first?.string("old_state").flatMap(JobState.init(rawValue:)) else {
            throw DatabaseError(.query, "no job \(id)", context: "cancel")
        }
        switch old {
        case .queued, .retrying:
            return .cancelled
        case .running:
            try await database.query("SELECT pg_notify($1, $2)", [JobChannel.cancel, "\(id)"], context: "notify")
            return .requested
        case .succeeded, .failed, .cancelled:
            return .alreadyFinished(old)
        }
    }

    /// Queues a failed or cancelled job again, allowing one more attempt.
    /// - Throws: `JobConflict` when another live job now writes the same output.
    public func retry(_ id: Int) async throws {
        try await queueAgain(id, payload: nil, from: ["failed", "cancelled"], context: "retry")
    }

    /// Queues a finished job (succeeded, failed or cancelled) again with a new payload: a redo of part of its work,
    /// in its own work folder (which a live job keeps; if the folder was removed, the job starts afresh). Its attempts
    /// go on counting, with one more allowed; its result stays until the new run replaces it.
    /// - Throws: `JobConflict` when another live job now writes the same output.
    public func requeue(_ id: Int, payload: Kind.Payload) async throws {
        try await queueAgain(id, payload: try StoredJSON.text(payload), from: ["succeeded", "failed", "cancelled"], context: "requeue")
    }

    /// Queues job `id` again from one of `states` (with `payload` as its new payload when given).
    private func queueAgain(_ id: Int, payload: String?, from states: [String], context: String) async throws {
        let rows: [PGRow]
        do {
            rows = try await database.query("""
                UPDATE dub_jobs SET payload = coalesce($3::jsonb, payload), state = 'queued', run_at = now(),
                    max_attempts = greatest(max_attempts, attempt + 1),
                    cancel_requested_at = NULL, finished_at = NULL, updated_at = now(), work_removed_at = NULL,
                    webhook_claimed_until = NULL, webhook_done_at = NULL, webhook_outcome = NULL
                WHERE id = $1 AND state = ANY($2::text[])
                RETURNING queue
                """, ["\(id)", "{" + states.joined(separator: ",") + "}", payload], context: context)
        } catch let error as DatabaseError where error.sqlState == "23505" && error.message.contains("dub_jobs_live_target") {
            let target = try await database.query("SELECT target FROM dub_jobs WHERE id = $1", ["\(id)"], context: context).first?.string("target")
            throw try await conflict(target: target)
        }
        guard let queue = rows.first?.string("queue") else {
            throw DatabaseError(.query, "job \(id) does not exist or is not \(states.joined(separator: " or "))", context: context)
        }
        try await database.query("SELECT pg_notify($1, $2)", [JobChannel.work, queue], context: "notify")
    }

    /// Returns running jobs whose lease expired to retrying (or failed when out of attempts, or cancelled when a
    /// cancel was requested). Safe to run in every daemon at once.
    /// - Returns: the ids and new states of the jobs rescued.
    public func reap(batch: Int = 100) async throws -> [(id: Int, state: JobState)] {
        let rows = try await database.query("""
            WITH expired AS MATERIALIZED (
                SELECT id FROM dub_jobs WHERE state = 'running' AND lease_expires_at < \(Self.now(1))
                ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            UPDATE dub_jobs j SET
                state = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                             WHEN j.attempt >= j.max_attempts THEN 'failed' ELSE 'retrying' END,
                run_at = \(Self.now(1)) + make_interval(secs => ($3::float8[])[least(greatest(j.attempt, 1), 12)] * (1 + $4::float8 * (2 * random() - 1))),
                errors = j.errors || jsonb_build_array(jsonb_build_object('attempt', j.attempt,
                    'at', extract(epoch from \(Self.now(1)))::float8, 'code', 'lease_expired',
                    'message', 'the worker stopped renewing its lease (crashed, killed or cut off)', 'owner', j.lease_owner)),
                finished_at = CASE WHEN j.cancel_requested_at IS NOT NULL OR j.attempt >= j.max_attempts THEN now() END,
                lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            FROM expired
            WHERE j.id = expired.id AND j.state = 'running' AND j.lease_expires_at < \(Self.now(1))
            RETURNING j.id, j.state
            """, [clock.parameter, "\(batch)", backoff.table(), "\(backoff.jitter)"], context: "reap")
        return try rows.map { (try $0.int("id"), JobState(rawValue: $0.string("state") ?? "") ?? .retrying) }
    }

    /// Deletes finished jobs older than `olderThan` seconds, `batch` rows at a time, under an advisory lock so
    /// only one pruner works at once. Returns the ids deleted (none when another pruner holds the lock).
    public func prune(olderThan seconds: Double, batch: Int = 500) async throws -> [Int] {
        guard seconds.isFinite, seconds >= 0 else {
            throw DatabaseError(.query, "the age to prune must be 0 or more seconds, not \(seconds)", context: "prune")
        }
        let lock = try await database.query("SELECT pg_try_advisory_lock(7301142859) AS locked", context: "prune lock")
        guard try lock.first?.bool("locked") == true else { return [] }
        var deleted: [Int] = []
        do {
            while true {
                let rows = try await database.query("""
                    WITH doomed AS (
                        SELECT id FROM dub_jobs WHERE state IN ('succeeded', 'failed', 'cancelled')
                        AND finished_at < \(Self.now(1)) - make_interval(secs => $2::float8)
                        ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
                    DELETE FROM dub_jobs WHERE id IN (SELECT id FROM doomed) RETURNING id
                    """, [clock.parameter, "\(seconds)", "\(batch)"], context: "prune")
                deleted += try rows.map { try $0.int("id") }
                if rows.count < batch { break }
            }
        } catch {
            _ = try? await database.query("SELECT pg_advisory_unlock(7301142859)")
            throw error
        }
        try await database.query("SELECT pg_advisory_unlock(7301142859)", context: "prune unlock")
        return deleted
    }

    /// Finished jobs whose work folder is still there and that ended more than `olderThan` seconds ago (oldest first).
    public func workFoldersDue(olderThan seconds: Double, limit: Int = 50) async throws -> [Int] {
        try await database.query("""
            SELECT id FROM dub_jobs WHERE work_removed_at IS NULL AND state IN ('succeeded', 'failed', 'cancelled')
                AND finished_at < \(Self.now(1)) - make_interval(secs => $2::float8)
            ORDER BY finished_at LIMIT $3
            """, [clock.parameter, "\(seconds)", "\(limit)"], context: "work folders due").map { try $0.int("id") }
    }

    /// Records that job `id`'s work folder was removed (unless the job was retried meanwhile).
    public func markWorkRemoved(_ id: Int) async throws {
        try await database.query("""
            UPDATE dub_jobs SET work_removed_at = now() WHERE id = $1 AND state IN ('succeeded', 'failed', 'cancelled')
            """, ["\(id)"], context: "work removed")
    }

    /// Whether job `id` is in the queue and not finished (its work folder is in use).
    public func isLive(_ id: Int) async throws -> Bool {
        try await database.query("SELECT 1 AS live FROM dub_jobs WHERE id = $1 AND state IN ('queued', 'running', 'retrying')",
                                 ["\(id)"], context: "live").first != nil
    }

    /// One job, or nil.
    public func job(_ id: Int) async throws -> Job<Kind>? {
        try await database.query("SELECT \(Self.columns) FROM dub_jobs WHERE id = $1", ["\(id)"], context: "show").first.map(Self.decode)
    }

    /// Jobs, newest first, optionally in one state; those whose payload this version cannot read are left out
    /// (`records` has them).
    public func list(state: JobState? = nil, limit: Int = 100) async throws -> [Job<Kind>] {
        try await records(state: state, limit: limit).compactMap { try? $0.get() }
    }

    /// Jobs, newest first, optionally in one state, each read or with why it could not be.
    public func records(state: JobState? = nil, limit: Int = 100) async throws -> [Result<Job<Kind>, JobRecordError>] {
        try await database.query("""
            SELECT \(Self.columns) FROM dub_jobs WHERE ($1::text IS NULL OR state = $1) ORDER BY id DESC LIMIT $2
            """, [state?.rawValue, "\(limit)"], context: "list").map { row in
            do { return .success(try Self.decode(row)) } catch let error as JobRecordError { return .failure(error) }
        }
    }

    /// Job counts by queue and state.
    public func stats() async throws -> [String: [JobState: Int]] {
        let rows = try await database.query("SELECT queue, state, count(*) AS n FROM dub_jobs GROUP BY queue, state", context: "stats")
        var result: [String: [JobState: Int]] = [:]
        for row in rows {
            guard let queue = row.string("queue"), let state = row.string("state").flatMap(JobState.init(rawValue:)) else { continue }
            result[queue, default: [:]][state] = try row.int("n")
        }
        return result
    }

    /// A row selected with `columns` as a typed job; a field other than the payload that cannot be read as its type is
    /// left out and named in `unreadable`.
    /// - Throws: `JobRecordError` when the payload cannot be read as `Kind`'s.
    static func decode(_ row: PGRow) throws -> Job<Kind> {
        let id = try row.int("id")
        var unreadable: [String] = []
        func optional<T: Decodable>(_ type: T.Type, _ field: String) -> T? {
            do { return try StoredJSON.read(type, row.string(field), job: id, field: field) } catch {
                unreadable.append(field)
                return nil
            }
        }
        var job = Job<Kind>(id: id, queue: row.string("queue") ?? "", state: JobState(rawValue: row.string("state") ?? "") ?? .queued,
                   priority: try row.int("priority"), runAt: try row.double("run_at") ?? 0, attempt: try row.int("attempt"),
                   maxAttempts: try row.int("max_attempts"), dedupeKey: row.string("dedupe_key"),
                   payload: try StoredJSON.require(Kind.Payload.self, row.string("payload"), job: id, field: "payload"),
                   checkpoint: optional(Kind.Checkpoint.self, "checkpoint"),
                   leaseOwner: row.string("lease_owner"),
                   leaseExpiresAt: try row.double("lease_expires_at"), heartbeatAt: try row.double("heartbeat_at"),
                   cancelRequested: try row.bool("cancel_requested"),
                   errors: optional([JobAttemptError].self, "errors") ?? [],
                   usage: optional(Kind.Usage.self, "usage"),
                   result: optional(Kind.Result.self, "result"),
                   webhookURL: row.string("webhook_url"), createdAt: try row.double("created_at") ?? 0,
                   startedAt: try row.double("started_at"), finishedAt: try row.double("finished_at"),
                   webhookOutcome: row.string("webhook_outcome"))
        job.unreadable = unreadable
        return job
    }
}
