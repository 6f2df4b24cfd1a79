import DubSupport

/// The NOTIFY channels: new work (payload: the queue name) and cancels (payload: the job id).
public enum JobChannel {
    public static let work = "dub_jobs"
    public static let cancel = "dub_cancel"
}

/// The PostgreSQL-backed job queue shared by every `dubd` and `dubctl jobs`, for jobs of one kind (their payload,
/// checkpoint, result and usage are `Kind`'s types, stored as JSON).
///
/// Claims take exactly as many jobs as there are free slots, in one short statement
/// (`FOR UPDATE SKIP LOCKED`, ordered by priority, run time and id). Every later write is guarded by
/// the job id, its lease token and `state = 'running'`; zero rows updated means the lease was lost.
public struct JobQueue<Kind: JobKind>: Sendable {
    public let database: Database
    public var clock: JobClock
    public var backoff: Backoff
    /// How long a lease lasts without a heartbeat, in seconds.
    public var leaseSeconds: Double

    public init(database: Database, clock: JobClock = .database, backoff: Backoff = Backoff(), leaseSeconds: Double = 90) {
        self.database = database
        self.clock = clock
        self.backoff = backoff
        self.leaseSeconds = leaseSeconds
    }

    /// `$n` as "now": the injected clock or the server's.
    static func now(_ n: Int) -> String { "coalesce(to_timestamp($\(n)::float8), now())" }

    static var columns: String { """
        id, queue, state, priority, extract(epoch from run_at)::float8 AS run_at, attempt, max_attempts, dedupe_key,
        payload::text AS payload, checkpoint::text AS checkpoint, lease_owner,
        extract(epoch from lease_expires_at)::float8 AS lease_expires_at, extract(epoch from heartbeat_at)::float8 AS heartbeat_at,
        cancel_requested_at IS NOT NULL AS cancel_requested, errors::text AS errors, usage::text AS usage, result::text AS result,
        webhook_url, extract(epoch from created_at)::float8 AS created_at, extract(epoch from started_at)::float8 AS started_at,
        extract(epoch from finished_at)::float8 AS finished_at, webhook_outcome
        """ }

    /// Adds a job (or, with a dedupe key that a live job already has, returns that job) and wakes the workers.
    /// - Throws: `JobConflict` when a live job already has the submission's target.
    public func submit(_ job: JobSubmission<Kind>) async throws -> (id: Int, existing: Bool) {
        try Self.validate(queue: job.queue)
        let payload = try StoredJSON.text(job.payload)
        for _ in 0..<3 {
            let inserted: [PGRow]
            do {
                inserted = try await database.query("""
                    INSERT INTO dub_jobs (queue, priority, run_at, max_attempts, dedupe_key, payload, webhook_url, target, created_at, updated_at)
                    VALUES ($1, $2, coalesce(to_timestamp($3::float8), \(Self.now(8))), $4, $5, $6::jsonb, $7, $9, \(Self.now(8)), now())
                    ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running', 'retrying') DO NOTHING
                    RETURNING id
                    """, [job.queue, "\(job.priority)", job.runAt.map { "\($0)" }, "\(job.maxAttempts)", job.dedupeKey, payload,
                          job.webhookURL, clock.parameter, job.target], context: "submit")
            } catch let error as DatabaseError where error.sqlState == "23505" && error.message.contains("dub_jobs_live_target") {
                throw try await conflict(target: job.target)
            }
            if let row = inserted.first {
                try await database.query("SELECT pg_notify($1, $2)", [JobChannel.work, job.queue], context: "notify")
                return (try row.int("id"), false)
            }
            let existing = try await database.query("""
                SELECT id FROM dub_jobs WHERE dedupe_key = $1 AND state IN ('queued', 'running', 'retrying')
                """, [job.dedupeKey], context: "dedupe lookup")
            if let row = existing.first { return (try row.int("id"), true) }
        }
        throw DatabaseError(.query, "could not submit the job: its dedupe key kept changing hands", context: "submit")
    }

    /// The error for a target a live job holds.
    func conflict(target: String?) async throws -> JobConflict {
        let rows = try await database.query("""
            SELECT id, state FROM dub_jobs WHERE target = $1 AND state IN ('queued', 'running', 'retrying')
            """, [target], context: "target lookup")
        return JobConflict(target: target ?? "", job: try rows.first?.int("id"), state: rows.first?.string("state"))
    }

    /// Claims up to `limit` runnable jobs from `queues` for `owner`. One queue (the usual case) is matched with `=`,
    /// so the claimable index gives the jobs in order and a backlog costs nothing (with `= ANY` PostgreSQL sorts every
    /// queued job first: 6 ms a claim at 20 000 queued). A claimed job whose payload this program cannot
    /// read is failed at once (`badRecord`, permanent) instead of being handed out.
    ///
    /// The limit is written into the statement, not passed as a parameter: the server then keeps one plan per limit
    /// (at most one per free-slot count), and that plan walks the claimable index and the primary key. With the limit
    /// a parameter, the plan kept for every limit expects a tenth of the table and hash-joins a scan of all of it, so
    /// PostgreSQL plans the statement afresh on every claim instead.
    public nonisolated(nonsending) func claim(queues: [String], limit: Int, owner: String) async throws -> [JobLease<Kind>] {
        guard limit > 0 else { return [] }
        return try await leases(from: try await database.query(try claimStatement(queues: queues, limit: limit, owner: owner)))
    }

    /// The claim statement (see `claim`).
    func claimStatement(queues: [String], limit: Int, owner: String) throws -> SQLStatement {
        for queue in queues { try Self.validate(queue: queue) }
        return SQLStatement("""
            WITH picked AS MATERIALIZED (
                SELECT id FROM dub_jobs
                WHERE state IN ('queued', 'retrying') AND \(queues.count == 1 ? "queue = $1::text" : "queue = ANY($1::text[])")
                    AND run_at <= \(Self.now(2))
                ORDER BY priority, run_at, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED)
            UPDATE dub_jobs j SET state = 'running', attempt = j.attempt + 1, lease_token = gen_random_uuid(), lease_owner = $3,
                lease_expires_at = \(Self.now(2)) + make_interval(secs => $4::float8), heartbeat_at = \(Self.now(2)),
                started_at = coalesce(j.started_at, \(Self.now(2))), updated_at = now()
            FROM picked WHERE j.id = picked.id
            RETURNING j.id, j.queue, j.attempt, j.max_attempts, j.lease_token::text AS lease_token, j.payload::text AS payload,
                j.checkpoint::text AS checkpoint
            """, [queues.count == 1 ? queues[0] : "{" + queues.joined(separator: ",") + "}", clock.parameter, owner, "\(leaseSeconds)"],
            context: "claim")
    }

    /// The leases of the claim statement's rows, in job order; a job whose payload this program cannot read is failed.
    nonisolated(nonsending) func leases(from rows: [PGRow]) async throws -> [JobLease<Kind>] {
        var leases: [JobLease<Kind>] = []
        for row in rows {
            let (id, token) = (try row.int("id"), row.string("lease_token") ?? "")
            do {
                leases.append(JobLease(
                    jobId: id, token: token, attempt: try row.int("attempt"), maxAttempts: try row.int("max_attempts"),
                    queue: row.string("queue") ?? "", payload: try StoredJSON.require(Kind.Payload.self, row.string("payload"), job: id, field: "payload"),
                    checkpoint: try? StoredJSON.read(Kind.Checkpoint.self, row.string("checkpoint"), job: id, field: "checkpoint")))
            } catch let error as JobRecordError {
                // Should recording it fail, the job's lease runs out and the reaper returns it; the batch goes on.
                _ = try? await fail(LeaseKey(jobId: id, token: token, attempt: try row.int("attempt")), code: error.errorCode,
                                    message: error.description, permanent: true)
            }
        }
        return leases.sorted { $0.jobId < $1.jobId }
    }

    /// Queue names are plain words (they travel in NOTIFY payloads and array literals).
    static func validate(queue: String) throws {
        guard !queue.isEmpty, queue.count <= 64,
              queue.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw DatabaseError(.query, "invalid queue name '\(queue)' (use letters, digits, '-' and '_')")
        }
    }
}
