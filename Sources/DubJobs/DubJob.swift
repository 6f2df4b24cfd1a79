import Dubbing
import JobQueue
import ProviderAPI

/// A dub queued for `dubd`: the request in, the report out, the stage reached as its checkpoint, and each provider's
/// usage for metering.
public enum DubJob: JobKind {
    public typealias Payload = DubRequest
    public typealias Result = DubReport
    /// Provider name → what the job used of it.
    public typealias Usage = [String: ProviderUsage]

    /// The stage a job had started, and its work folder, so a retry on any daemon resumes there.
    public struct Checkpoint: Codable, Sendable, Equatable {
        public var stage: String
        public var work: String

        public init(stage: String, work: String) {
            self.stage = stage
            self.work = work
        }
    }
}
