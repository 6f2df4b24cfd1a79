import DubSupport
/// Where a job is in its life.
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued, running, retrying, succeeded, failed, cancelled

    /// Whether the job is finished for good.
    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// One attempt's failure, as kept on the job.
public struct JobAttemptError: Sendable, Codable, Equatable {
    public var attempt: Int
    /// Seconds since 1970.
    public var at: Double
    public var code: String
    public var message: String
    public var permanent: Bool?
    /// The worker that held the lease, for lost leases.
    public var owner: String?
}

/// A job as stored, its payload, checkpoint, usage and result decoded as its kind's types.
public struct Job<Kind: JobKind>: Sendable {
    public var id: Int
    public var queue: String
    public var state: JobState
    public var priority: Int
    /// Seconds since 1970.
    public var runAt: Double
    public var attempt: Int
    public var maxAttempts: Int
    public var dedupeKey: String?
    /// The job's input.
    public var payload: Kind.Payload
    /// Where the job got to, saved by its worker.
    public var checkpoint: Kind.Checkpoint?
    public var leaseOwner: String?
    public var leaseExpiresAt: Double?
    public var heartbeatAt: Double?
    public var cancelRequested: Bool
    public var errors: [JobAttemptError]
    public var usage: Kind.Usage?
    public var result: Kind.Result?
    public var webhookURL: String?
    public var createdAt: Double
    public var startedAt: Double?
    public var finishedAt: Double?
    /// How the job's webhook went (`delivered`, or why not); nil while not yet sent or without a webhook.
    public var webhookOutcome: String? = nil
    /// Stored fields this version cannot read as their types (`checkpoint`, `usage`, `result`, `errors`): shown as
    /// absent, so an old job can still be listed.
    public var unreadable: [String] = []
}

/// What `JobQueue.submit` needs.
public struct JobSubmission<Kind: JobKind>: Sendable {
    public var queue: String = "default"
    /// The job's input.
    public var payload: Kind.Payload
    /// Lower runs first.
    public var priority: Int = 0
    /// Not before this time (seconds since 1970); nil = now.
    public var runAt: Double?
    public var maxAttempts: Int = 5
    /// Submitting the same key while a job with it is live returns that job instead.
    public var dedupeKey: String?
    public var webhookURL: String?
    /// What the job writes (for a dub, its output path without extension): while one live job has a target, another
    /// job with the same target is refused, so two jobs never write the same file.
    public var target: String?

    public init(payload: Kind.Payload, queue: String = "default") {
        self.payload = payload
        self.queue = queue
    }
}

/// The right to work on a claimed job, proven by its token on every write.
public struct JobLease<Kind: JobKind>: Sendable {
    public let jobId: Int
    public let token: String
    public let attempt: Int
    public let maxAttempts: Int
    public let queue: String
    public let payload: Kind.Payload
    /// The checkpoint to resume from; nil for a first attempt, or when the stored one cannot be read (the job starts over).
    public let checkpoint: Kind.Checkpoint?
}

/// A job that would write what a live job writes.
public struct JobConflict: Error, CustomStringConvertible, Sendable {
    /// The shared target (the output path without extension).
    public var target: String
    /// The live job holding it, when it could be found.
    public var job: Int?
    public var state: String?

    public var description: String {
        "job \(job.map(String.init) ?? "?") (\(state ?? "live")) already writes '\(target).*'; wait for it to end, cancel it, or choose another output"
    }
}

extension JobConflict: ClassifiedError {
    public var errorCode: String { "outputInUse" }
    public var isPermanent: Bool { true }
}
