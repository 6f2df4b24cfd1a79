import DubSupport
import Logging

/// What a worker runs for each claimed job.
public protocol JobHandler: Sendable {
    /// Runs the job. Throw `JobFailure` to say whether a failure is permanent; cancellation (shutdown,
    /// cancel request, lost lease) arrives as task cancellation, which the handler should honour promptly
    /// (after saving a checkpoint if it can).
    func run(_ job: JobContext) async throws -> JobOutput
}

/// A job's result, stored on the job as JSON.
public struct JobOutput: Sendable {
    public var result: String
    public var usage: String?

    public init(result: String, usage: String? = nil) {
        self.result = result
        self.usage = usage
    }
}

/// A failure with its classification: permanent failures (bad input, auth, quota) fail the job at once;
/// others are retried with backoff.
public struct JobFailure: Error, CustomStringConvertible, Sendable {
    public var code: String
    public var message: String
    public var permanent: Bool

    public init(code: String, message: String, permanent: Bool) {
        self.code = code
        self.message = message
        self.permanent = permanent
    }

    public var description: String { message }
}

/// What a running job can see and do.
public struct JobContext: Sendable {
    /// The lease (job id, attempt, payload, the checkpoint to resume from).
    public let lease: JobLease
    public let logger: Logger
    let queue: JobQueue

    /// Stores a checkpoint on the job (token-guarded); false means the lease is gone and the job must stop.
    public func checkpoint(_ json: String) async throws -> Bool {
        try await queue.checkpoint(lease, json)
    }
}
