import DubSupport
import Logging

/// What a worker runs for each claimed job.
public protocol JobHandler: Sendable {
    /// The kind of job it runs (its payload, checkpoint, result and usage types).
    associatedtype Kind: JobKind

    /// Runs the job. Throw `JobFailure` to say whether a failure is permanent; cancellation (shutdown,
    /// cancel request, lost lease) arrives as task cancellation, which the handler should honour promptly
    /// (after saving a checkpoint if it can). It runs on Swift's thread pool, never on the worker's connection thread.
    @concurrent func run(_ job: JobContext<Kind>) async throws -> JobOutput<Kind>
}

/// A job's result and what it used, stored on the job.
public struct JobOutput<Kind: JobKind>: Sendable {
    public var result: Kind.Result
    public var usage: Kind.Usage?

    public init(result: Kind.Result, usage: Kind.Usage? = nil) {
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
public struct JobContext<Kind: JobKind>: Sendable {
    /// The lease (job id, attempt, payload, the checkpoint to resume from).
    public let lease: JobLease<Kind>
    public let logger: Logger
    let queue: JobQueue<Kind>

    /// Stores a checkpoint on the job (token-guarded); false means the lease is gone and the job must stop.
    public func checkpoint(_ checkpoint: Kind.Checkpoint) async throws -> Bool {
        try await queue.checkpoint(lease, checkpoint)
    }
}
