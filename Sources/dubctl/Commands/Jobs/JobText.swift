import AudioKitCore
import FoundationEssentials
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import DubJobs

/// How jobs are shown by `dubctl jobs`.
enum JobText {
    struct NotFound: Error, CustomStringConvertible {
        let id: Int
        var description: String { "no job \(id)" }
    }

    /// A job as JSON-friendly values.
    struct Summary: Encodable {
        let id: Int
        let state: String
        let queue: String
        let priority: Int
        let attempt: Int
        let maxAttempts: Int
        let owner: String?
        let heartbeatAt: Double?
        let runAt: Double
        let createdAt: Double
        let finishedAt: Double?
        let cancelRequested: Bool
        let stage: String?
        let request: DubRequest
        let errors: [JobAttemptError]
        let usage: DubJob.Usage?
        /// The job's report, once it succeeded.
        let result: DubReport?
        /// How its webhook went, when it has one.
        let webhook: String?

        enum CodingKeys: String, CodingKey {
            case id, state, queue, priority, attempt
            case maxAttempts = "max_attempts"
            case owner
            case heartbeatAt = "heartbeat_at"
            case runAt = "run_at"
            case createdAt = "created_at"
            case finishedAt = "finished_at"
            case cancelRequested = "cancel_requested"
            case stage, request, errors, usage, result, webhook
        }
    }

    static func summary(_ job: Job<DubJob>) -> Summary {
        Summary(id: job.id, state: job.state.rawValue, queue: job.queue, priority: job.priority, attempt: job.attempt,
                maxAttempts: job.maxAttempts, owner: job.leaseOwner, heartbeatAt: job.heartbeatAt, runAt: job.runAt,
                createdAt: job.createdAt, finishedAt: job.finishedAt, cancelRequested: job.cancelRequested, stage: job.checkpoint?.stage,
                request: job.payload, errors: job.errors, usage: job.usage, result: job.result,
                webhook: job.webhookURL == nil ? nil : job.webhookOutcome ?? (job.state.isTerminal ? "due" : "pending"))
    }

    static func json(_ value: some Encodable) throws -> String {
        try DubJSON.string(value, pretty: true)
    }

    static func row(_ cells: [String], widths: [Int] = [7, 10, 10, 6, 8]) -> String {
        cells.enumerated().map { i, cell in
            i < widths.count ? cell + String(repeating: " ", count: max(1, widths[i] - cell.count)) : cell
        }.joined()
    }

    /// `42s`, `5m`, `3h`, `2d`.
    static func age(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 120 { return "\(s)s" }
        if s < 7200 { return "\(s / 60)m" }
        if s < 172_800 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }
}
