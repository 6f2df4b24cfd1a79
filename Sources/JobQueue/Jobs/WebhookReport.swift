
/// What a job's webhook reports: the job as it ended, with its result as the stored JSON (whatever the job's kind).
struct WebhookReport: Sendable {
    var id: Int
    var state: JobState
    var attempt: Int
    var errors: [JobAttemptError]
    /// The job's result as stored (JSON text), once it succeeded.
    var result: String?
    var webhookURL: String?
    var finishedAt: Double?

    init(_ row: PGRow) throws {
        id = try row.int("id")
        state = JobState(rawValue: row.string("state") ?? "") ?? .failed
        attempt = try row.int("attempt")
        errors = (try? StoredJSON.read([JobAttemptError].self, row.string("errors"), job: id, field: "errors")) ?? []
        result = row.string("result")
        webhookURL = row.string("webhook_url")
        finishedAt = try row.double("finished_at")
    }
}
