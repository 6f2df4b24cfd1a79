import DubSupport
import ProviderAPI
/// `manifest.json` in a work folder: which stages are done, under which cache keys, with which artifacts, and what
/// the provider calls made for it have consumed so far.
public struct Manifest: Codable, Sendable, Equatable {
    /// Format version of this file.
    public var version: Int = 1
    /// Finished stages by name.
    public var stages: [String: StageRecord] = [:]
    /// Provider usage over every run in this folder (audio seconds, tokens, characters, requests).
    public var usage: [String: ProviderUsage]?

    public init() {}
}

/// One finished stage.
public struct StageRecord: Codable, Sendable, Equatable {
    /// The key of everything the stage's result depends on; nil for a stage that caches per line or not at all
    /// (recorded so the manifest shows every stage that ran, and when).
    public var key: CacheKey?
    /// Files the stage produced (relative to the work folder); all must exist for the record to count.
    public var artifacts: [String]
    /// Seconds since 1970 when it finished.
    public var finishedAt: Double
    /// How long it ran, in seconds.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case key, artifacts
        case finishedAt = "finished_at"
        case seconds
    }
}
