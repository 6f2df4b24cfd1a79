import DubSupport
import ProviderAPI
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs stages against a work folder with content-addressed caching: a stage whose key matches its
/// record in `manifest.json`, and whose artifacts are all present, is skipped and its output read
/// back from disk (so hand edits to an artifact such as `segments.json` are respected).
public actor StageRunner {
    /// The work folder.
    public let folder: WorkFolder
    private var manifest: Manifest
    /// Names of the stages that ran (not skipped) since this runner was created, in order.
    public private(set) var executed: [String] = []
    /// Stages whose cached results are ignored (run again), per-line results included.
    public let forced: Set<String>

    public static let manifestFile = "manifest.json"

    /// Opens the work folder, reading its manifest if there is one, and removes the temporary files a killed run
    /// left behind (one run uses a work folder at a time: a job's lease, or the operator's own command); see
    /// `WorkFolder.removeLeftovers`.
    public init(folder: WorkFolder, forcing forced: Set<String> = []) throws {
        self.folder = folder
        self.forced = forced
        manifest = try folder.readJSON(Manifest.self, from: Self.manifestFile) ?? Manifest()
        folder.removeLeftovers()
    }

    /// The manifest as it stands.
    public var currentManifest: Manifest { manifest }

    /// Whether `stage` is recorded with `key` and all its artifacts exist.
    public func isDone(_ stage: String, key: CacheKey) -> Bool {
        guard !forced.contains(stage), let record = manifest.stages[stage], record.key == key else { return false }
        return record.artifacts.allSatisfy(folder.exists)
    }

    /// Runs `stage` unless it is already done with `key`. `body` must write every path in `artifacts`,
    /// the first of which holds the stage's `Output` as JSON.
    public func run<Output: Codable & Sendable>(_ stage: String, key: CacheKey, artifacts: [String],
                                                 _ body: @Sendable (WorkFolder) async throws -> Output) async throws -> Output {
        precondition(!artifacts.isEmpty, "a stage needs at least its output artifact")
        if isDone(stage, key: key), let output = try folder.readJSON(Output.self, from: artifacts[0]) {
            return output
        }
        let started = Self.now()
        let output = try await body(folder)
        try folder.writeJSON(output, to: artifacts[0])
        for artifact in artifacts where !folder.exists(artifact) {
            throw WorkFolderError(path: folder.path(artifact), message: "stage '\(stage)' did not write", reason: "missing artifact")
        }
        manifest.stages[stage] = StageRecord(key: key, artifacts: artifacts, finishedAt: Self.now(), seconds: Self.now() - started)
        try folder.writeJSON(manifest, to: Self.manifestFile)
        executed.append(stage)
        return output
    }

    /// A per-line result cached by its own key under `cache/STAGE/`, so editing one line redoes only that line.
    /// `body` receives the path prefix to use for any files it writes beside the JSON (e.g. `PREFIX.wav`).
    public func line<Output: Codable & Sendable>(_ stage: String, key: CacheKey,
                                                  _ body: @Sendable (String) async throws -> Output) async throws -> Output {
        let relative = "cache/\(stage)/\(key.short)"
        if !forced.contains(stage), let cached = try folder.readJSON(Output.self, from: "\(relative).json") {
            return cached
        }
        try WorkFolder.makeDirectories(folder.path("cache/\(stage)"))
        let output = try await body(folder.path(relative))
        try folder.writeJSON(output, to: "\(relative).json")
        executed.append("\(stage)#\(key.short)")
        return output
    }

    /// Records that `stage` finished in this run, when it keeps no record of its own (it caches per line, or not at
    /// all), so the manifest lists every stage that ran and how long it took.
    public func finished(_ stage: String, seconds: Double) throws {
        if manifest.stages[stage]?.key != nil { return }
        manifest.stages[stage] = StageRecord(key: nil, artifacts: [], finishedAt: Self.now(), seconds: seconds)
        try folder.writeJSON(manifest, to: Self.manifestFile)
    }

    /// Adds a run's provider usage to the manifest's running total.
    public func record(usage: [String: ProviderUsage]) throws {
        guard !usage.isEmpty else { return }
        var total = manifest.usage ?? [:]
        for (provider, used) in usage { total[provider] = (total[provider] ?? ProviderUsage()) + used }
        manifest.usage = total
        try folder.writeJSON(manifest, to: Self.manifestFile)
    }

    /// The per-line result cached under `key`, if there is one (and `stage` is not forced).
    public func cachedLine<Output: Codable & Sendable>(_ stage: String, key: CacheKey, as type: Output.Type) throws -> Output? {
        forced.contains(stage) ? nil : try folder.readJSON(Output.self, from: "cache/\(stage)/\(key.short).json")
    }

    /// Stores a per-line result computed elsewhere (e.g. one of a batch) under `key`.
    public func storeLine<Output: Codable & Sendable>(_ stage: String, key: CacheKey, _ output: Output) throws {
        try WorkFolder.makeDirectories(folder.path("cache/\(stage)"))
        try folder.writeJSON(output, to: "cache/\(stage)/\(key.short).json")
        executed.append("\(stage)#\(key.short)")
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
