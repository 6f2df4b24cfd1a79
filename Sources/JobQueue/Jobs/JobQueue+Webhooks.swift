import DubSupport
/// The webhook outbox: a finished job with a webhook is reported by whichever daemon claims it first. A claim
/// lasts `seconds`; a daemon that dies while delivering lets it expire, and another daemon reports the job again
/// (delivery is at least once: receivers tell repeats apart by job id, state and `finished_at`).
extension JobQueue {
    static var webhookDue: String { """
        webhook_url IS NOT NULL AND webhook_done_at IS NULL AND state IN ('succeeded', 'failed', 'cancelled')
        AND (webhook_claimed_until IS NULL OR webhook_claimed_until < now())
        """ }

    /// What a report is made of (the result as stored JSON, so a record this version cannot read is still reported).
    static var reportColumns: String {
        """
        id, state, attempt, errors::text AS errors, result::text AS result, webhook_url,
        extract(epoch from finished_at)::float8 AS finished_at
        """
    }

    /// Claims the webhook of job `id`, which has just ended; nil when it has none, or another daemon has it.
    func claimWebhook(_ id: Int, for seconds: Double) async throws -> WebhookReport? {
        let rows = try await database.query("""
            UPDATE dub_jobs SET webhook_claimed_until = now() + make_interval(secs => $2::float8)
            WHERE id = $1 AND \(Self.webhookDue)
            RETURNING \(Self.reportColumns)
            """, ["\(id)", "\(seconds)"], context: "webhook claim")
        return try rows.first.map(WebhookReport.init)
    }

    /// Claims up to `limit` webhooks that are due: jobs ended by the reaper or by `dubctl jobs cancel`, and those
    /// whose sender died mid-delivery. Safe to run in every daemon at once.
    func claimDueWebhooks(limit: Int, for seconds: Double) async throws -> [WebhookReport] {
        let rows = try await database.query("""
            WITH due AS MATERIALIZED (
                SELECT id AS due_id FROM dub_jobs WHERE \(Self.webhookDue)
                ORDER BY finished_at LIMIT $1 FOR UPDATE SKIP LOCKED)
            UPDATE dub_jobs j SET webhook_claimed_until = now() + make_interval(secs => $2::float8)
            FROM due WHERE j.id = due.due_id
            RETURNING \(Self.reportColumns)
            """, ["\(limit)", "\(seconds)"], context: "webhook sweep")
        return try rows.map(WebhookReport.init).sorted { $0.id < $1.id }
    }

    /// Records how a claimed webhook went (`delivered`, or why not); it is not sent again unless the job is retried.
    func recordWebhook(_ id: Int, outcome: String) async throws {
        try await database.query("""
            UPDATE dub_jobs SET webhook_done_at = now(), webhook_outcome = $2
            WHERE id = $1 AND webhook_claimed_until IS NOT NULL AND webhook_done_at IS NULL
            """, ["\(id)", outcome], context: "webhook outcome")
    }
}
