import AudioKitCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The dubbing pipeline: probe → extract → separate → transcribe → lines → translate → synthesize → fit →
/// mix → mux. Every stage writes its artifacts to the work folder under a content-addressed key, so
/// a re-run (or a resumed job) repeats only what changed; per-line work is cached per line.
public struct DubPipeline: Sendable {
    public let request: DubRequest
    public let synthesizer: any SpeechSynthesizer
    /// The providers for recognition, translation and isolation (and their usage meter).
    public let providers: ProviderCatalog
    public let work: WorkFolder
    /// Voices by speaker, from `--voice-map` (speakers not in it use `--voice`).
    public let voices: [String: String]
    /// Called as each stage starts (for progress displays and job checkpoints).
    public var onStage: @Sendable (String) async -> Void = { _ in }
    /// Called as per-line work finishes within a stage (lines done of total), for progress displays.
    public var onProgress: @Sendable (DubProgress) async -> Void = { _ in }

    /// The stages, in order.
    public static let stages = ["probe", "extract", "separate", "transcribe", "lines", "translate", "synthesize", "fit", "verify", "mix", "mux"]
    /// The request as saved in the work folder, so one stage can be run again on its own (`dubctl stage`).
    public static let requestFile = "request.json"

    /// A pipeline whose providers come from `providers` (the synthesizer is `request.tts`, espeak by default).
    public init(request: DubRequest, providers: ProviderCatalog, work: WorkFolder) throws {
        self.init(request: request, synthesizer: try providers.synthesizer(request.tts ?? "espeak"), providers: providers, work: work)
    }

    /// A pipeline with the given synthesizer (tests, or an engine built by hand).
    public init(request: DubRequest, synthesizer: any SpeechSynthesizer, providers: ProviderCatalog = ProviderCatalog(settings: ProviderSettings(values: [:])),
                work: WorkFolder) {
        self.request = request
        self.synthesizer = synthesizer
        self.providers = providers
        self.work = work
        self.voices = (try? request.voiceMap.map(Self.loadVoiceMap)) ?? [:]
    }

    /// A voice map file: a JSON object `{"SPEAKER": "VOICE"}`.
    public static func loadVoiceMap(_ path: String) throws -> [String: String] {
        guard let bytes = try WorkFolder.readFile(path) else { throw MediaError(.fileNotFound, "no such voice map", path: path) }
        guard let map = try? JSONDecoder().decode([String: String].self, from: Data(bytes)) else {
            throw MediaError(.invalidArgument, "a voice map must be a JSON object of speaker to voice", path: path)
        }
        return map
    }

    /// The work folder a request uses when it names none: beside the output.
    public static func defaultWork(for request: DubRequest) -> String {
        let output = request.output
        let slash = output.lastIndex(of: "/")
        let dir = slash.map { String(output[...$0]) } ?? ""
        let name = slash.map { String(output[output.index(after: $0)...]) } ?? output
        return "\(dir).\(name).work"
    }

    /// What `runStage` did.
    public struct StageRun: Codable, Sendable {
        public var stage: String
        public var seconds: Double
        /// The stages and per-line steps that actually ran.
        public var executed: [String]
    }

    /// Runs the pipeline up to `stage`, running `stage` itself again even when cached (earlier stages come from the
    /// work folder when they are done). For developers testing one stage on a clip.
    public func runStage(_ stage: String) async throws -> StageRun {
        guard Self.stages.contains(stage) else {
            throw MediaError(.invalidArgument, "unknown stage '\(stage)'", hint: "stages: \(Self.stages.joined(separator: ", "))")
        }
        let runner = try StageRunner(folder: work, forcing: [stage])
        do {
            _ = try await run(runner, stopAfter: stage)
        } catch let stop as StopAfter {
            return StageRun(stage: stage, seconds: stop.seconds, executed: await runner.executed)
        }
        return StageRun(stage: stage, seconds: 0, executed: await runner.executed)
    }

    struct StopAfter: Error { let seconds: Double }

    /// Runs every stage and returns the report.
    public func run() async throws -> DubReport {
        if let map = request.voiceMap { _ = try Self.loadVoiceMap(map) }
        try work.writeJSON(request, to: Self.requestFile)
        return try await run(try StageRunner(folder: work), stopAfter: nil)
    }

    private func run(_ runner: StageRunner, stopAfter: String?) async throws -> DubReport {
        let language = try LanguageCode(request.to)
        var seconds: [String: Double] = [:]
        func timed<T>(_ stage: String, _ body: () async throws -> T) async throws -> T {
            try Task.checkCancellation()
            await onStage(stage)
            let start = JobClock.systemNow()
            let value = try await body()
            seconds[stage] = JobClock.systemNow() - start
            if stage == stopAfter { throw StopAfter(seconds: seconds[stage] ?? 0) }
            return value
        }
        let media = try await timed("probe") { try await probe() }
        try checkBudget(mediaSeconds: media.duration ?? 0, sourceCharacters: nil)
        let audio = try await timed("extract") { try await extract(runner, media: media) }
        let stems = try await timed("separate") { try await separate(runner, audio: audio) }
        let transcript = try await timed("transcribe") { try await transcribe(runner, audio: audio, stems: stems) }
        let sourceLines = try await timed("lines") { try await makeLines(runner, transcript: transcript, duration: media.duration ?? 0) }
        if request.subtitles == nil {
            try checkBudget(mediaSeconds: media.duration ?? 0, sourceCharacters: sourceLines.reduce(0) { $0 + $1.source.count })
        }
        let lines = try await timed("translate") { try await translateLines(runner, lines: sourceLines, language: language) }
        let spoken = try await timed("synthesize") { try await synthesizeAll(runner, lines: lines, language: language) }
        let fitted = try await timed("fit") { try await fit(runner, lines: lines, spoken: spoken, language: language, mediaEnd: media.duration) }
        let verified = try await timed("verify") {
            try await verify(runner, lines: lines, spoken: spoken, fitted: fitted, language: language, mediaEnd: media.duration)
        }
        let mix = try await timed("mix") { try await mixDown(runner, background: stems.background, audio: audio, fitted: verified.fitted) }
        try await runner.record(usage: providers.meter.snapshot)
        let outputs = try await timed("mux") { try await muxOutput(fitted: verified.fitted, mix: mix, language: language, lines: lines,
                                                                          sourceLanguage: request.from ?? transcript?.language) }
        return DubReport(output: request.output, subtitles: outputs, work: work.root, stageSeconds: seconds, executed: await runner.executed,
                         timing: Self.summary(verified.fitted.timings), loudnessIn: mix.loudnessIn, loudnessOut: mix.report.loudnessAfter,
                         truePeak: mix.report.truePeak, usage: usage(spoken), costUSD: CostEstimate.dollars(usage(spoken)), verification: verified.checks)
    }

    /// The estimated cost of this request's provider calls, per provider, in US dollars.
    public static func estimate(_ request: DubRequest, mediaSeconds: Double, sourceCharacters: Int? = nil) -> [String: Double] {
        CostEstimate.dollars(CostEstimate.usage(for: request, mediaSeconds: mediaSeconds, sourceCharacters: sourceCharacters))
    }

    /// Stops before spending when the estimate is over `--budget`.
    func checkBudget(mediaSeconds: Double, sourceCharacters: Int?) throws {
        guard let budget = request.budgetUSD else { return }
        let total = Self.estimate(request, mediaSeconds: mediaSeconds, sourceCharacters: sourceCharacters).values.reduce(0, +)
        if total > budget { throw BudgetError(estimate: total, budget: budget) }
    }

    /// What the providers consumed, plus the characters the synthesizer spoke (offline engines bill nothing).
    func usage(_ spoken: [Int: Spoken]) -> [String: ProviderUsage] {
        var usage = providers.meter.snapshot
        if usage[synthesizer.name] == nil, synthesizer.name == "espeak" {
            usage["espeak"] = ProviderUsage(characters: spoken.values.reduce(0) { $0 + $1.characters }, requests: spoken.count)
        }
        return usage
    }

    static func summary(_ timings: [LineTiming]) -> TimingSummary {
        var methods: [String: Int] = [:]
        for t in timings { methods[t.method.rawValue, default: 0] += 1 }
        let overlaps = zip(timings, timings.dropFirst()).filter { $0.start + $0.duration > $1.start + 1e-6 }.count
        return TimingSummary(lines: timings.count,
                             withinSlot: timings.filter { $0.start + $0.duration <= $0.slotEnd + 1e-6 && $0.shift < 1e-6 }.count,
                             maxFactor: timings.map(\.factor).max() ?? 1, maxShift: timings.map(\.shift).max() ?? 0,
                             overlaps: overlaps, methods: methods)
    }
}
