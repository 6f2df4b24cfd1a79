import DubSupport
import ProviderAPI
import AudioKitCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The dubbing pipeline: probe → extract → separate → transcribe → lines → cast → translate → synthesize → fit →
/// verify → mix → mux, each stage a `DubStage` whose output is the next ones' input. Every stage writes its
/// artifacts to the work folder under a content-addressed key, so a re-run (or a resumed job) repeats only what
/// changed; per-line work is cached per line.
public struct DubPipeline: Sendable {
    public let request: DubRequest
    public let synthesizer: any SpeechSynthesizer
    /// The providers for recognition, translation and isolation (and their usage meter).
    public let providers: any ProviderFactory
    public let work: WorkFolder
    /// Voices by speaker, from `--voice-map` (speakers not in it use `--voice`).
    public let voices: [String: String]
    /// Called as each stage starts (for progress displays and job checkpoints).
    public var onStage: @Sendable (String) async -> Void = { _ in }
    /// Called as per-line work finishes within a stage (lines done of total), for progress displays.
    public var onProgress: @Sendable (DubProgress) async -> Void = { _ in }
    /// Called with each problem that does not stop the run (also listed in the report).
    public var onWarning: @Sendable (String) async -> Void = { _ in }

    /// The stages, in order.
    public static let stages = StageName.allCases.map(\.rawValue)
    /// The request as saved in the work folder, so one stage can be run again on its own (`dubctl stage`).
    public static let requestFile = "request.json"

    /// A pipeline whose providers come from `providers` (the synthesizer is `request.tts`, espeak by default).
    public init(request: DubRequest, providers: any ProviderFactory, work: WorkFolder) throws {
        self.init(request: request, synthesizer: try providers.synthesizer(request.tts ?? DubRequest.defaultTTS), providers: providers, work: work)
    }

    /// A pipeline with the given synthesizer (tests, or an engine built by hand).
    public init(request: DubRequest, synthesizer: any SpeechSynthesizer, providers: any ProviderFactory, work: WorkFolder) {
        self.request = request
        self.synthesizer = synthesizer
        self.providers = providers
        self.work = work
        self.voices = (try? request.voiceMap.map(Self.loadVoiceMap)) ?? [:]
    }

    /// A voice map file: a JSON object `{"SPEAKER": "VOICE"}`.
    public static func loadVoiceMap(_ path: String) throws -> [String: String] {
        let bytes = try InputFile.read(path, what: "voice map", limit: InputFile.smallLimit)
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

    /// Runs every stage and returns the report. The request and its files are checked first (nothing is written
    /// before that); a run that fails before finishing any stage removes the work folder it created.
    public func run() async throws -> DubReport {
        try request.validate()
        try request.validateFiles()
        if let slash = request.output.lastIndex(of: "/"), slash != request.output.startIndex {
            try WorkFolder.makeDirectories(String(request.output[..<slash]))
        }
        let fresh = !work.exists(Self.requestFile)
        if let redo = request.redo, !redo.lines.isEmpty {
            // The lines to speak afresh carry the redo's token into their synthesis cache key.
            var editor = try LineEditor(work: work.root)
            try editor.markRedo(redo.lines, token: redo.token)
        }
        try work.writeJSON(request, to: Self.requestFile)
        let runner = try StageRunner(folder: work)
        do {
            return try await run(runner, stopAfter: nil)
        } catch {
            // report.html's excerpts written so far are for a report that will not be written.
            ReviewReport.discardNewExcerpts(in: work)
            if fresh, await runner.currentManifest.stages.isEmpty { try? work.remove() }
            throw error
        }
    }

    /// The stages made from the request, with the input each takes from the ones before it.
    private func run(_ runner: StageRunner, stopAfter: String?) async throws -> DubReport {
        let plan = try request.resolve()
        let context = StageContext(runner: runner, providers: providers, onProgress: onProgress, warnings: WarningLog(onWarning: onWarning))
        let separate = SeparateStage(plan: plan)
        let mux = MuxStage(request: request, language: plan.target)
        var seconds: [String: Double] = [:]
        func step<Stage: DubStage>(_ stage: Stage, _ input: Stage.Input) async throws -> Stage.Output {
            try Task.checkCancellation()
            await onStage(Stage.name)
            let start = SystemClock.now()
            let output = try await stage.run(input, in: context)
            seconds[Stage.name] = SystemClock.now() - start
            MemoryRelease.trim()
            try await runner.finished(Stage.name, seconds: seconds[Stage.name] ?? 0)
            if Stage.name == stopAfter { throw StopAfter(seconds: seconds[Stage.name] ?? 0) }
            return output
        }
        let media = try await step(ProbeStage(input: plan.input), ())
        try checkBudget(plan, mediaSeconds: media.duration ?? 0, sourceCharacters: nil)
        let audio = try await step(ExtractStage(input: plan.input, stream: plan.audioStream(in: media), keepsSurround: plan.keepsSurround), media)
        let stems = try await step(separate, audio)
        // The mix matches the original's loudness: measured now, on a core the provider stages leave idle (not when the
        // run stops before the mix).
        let mixes = stopAfter.map { Self.stages.firstIndex(of: $0)! >= Self.stages.firstIndex(of: MixStage.name)! } ?? true
        async let sourceLoudness = mixes ? MixStage.sourceLoudness(of: audio.path, context: context) : nil
        let transcript = try await step(TranscribeStage(plan: plan), .init(audio: audio, stems: stems))
        // The speakers are heard in the vocals stem, or in the original audio when there is none.
        let speech = stems.vocals ?? audio.path
        let sourceLines = try await step(LinesStage(plan: plan), .init(transcript: transcript, duration: media.duration ?? 0, voices: speech))
        if plan.translator != nil {
            try checkBudget(plan, mediaSeconds: media.duration ?? 0, sourceCharacters: sourceLines.reduce(0) { $0 + $1.source.count })
        }
        let cast = try await step(CastStage(synthesizer: synthesizer, language: plan.target, voiceMap: voices, fixedVoice: plan.voice,
                                            cloneVoices: plan.cloneVoices),
                                  .init(lines: sourceLines, voices: speech, background: stems.vocals == nil ? nil : stems.background))
        // Every later stage speaks with the cast.
        let voice = LineVoice(synthesizer: synthesizer, voice: plan.voice, language: plan.target).casting(cast)
        let translate = try TranslateStage(plan: plan, voice: voice)
        let condenser = plan.condenser == nil ? nil : try TranslateStage(plan: plan, voice: voice, condensing: true)
        let fitter = TimelineFitter(maxSpeed: plan.maxSpeed, voice: voice, retranslator: plan.translator == nil ? condenser : translate)
        let fit = FitStage(fitter: fitter)
        let verify = VerifyStage(provider: plan.verifier, voice: voice, fitter: fitter)
        let lines = try await step(translate, sourceLines)
        // report.html's excerpts of the original are written while the speech is synthesized: they need the lines alone.
        // (Not when the run stops early: `dubctl stage` leaves the report alone.)
        let original = audio.path, slots = lines.map { (id: $0.id, start: $0.start, end: $0.end) }
        async let originalsWritten = stopAfter == nil
            ? timed(reviewStep(context) { try ReviewReport.writeOriginalExcerpts(of: slots, original: original, in: work); return true })
            : (nil, 0)
        let spoken = try await step(SynthesizeStage(voice: voice), lines)
        let fitInput = FitStage.Input(lines: lines, spoken: spoken, mediaEnd: media.duration)
        let fitted = try await step(fit, fitInput)
        let verified = try await step(verify, .init(fit: fitInput, fitted: fitted))
        let mix = try await step(MixStage(separated: separate.isSeparated, centreSpread: plan.centreSpread),
                                 .init(background: stems.background, audio: audio, fitted: verified.fitted, length: media.duration,
                                       vocals: stems.vocals, sourceLoudness: try await sourceLoudness))
        let timings = verified.fitted.timings
        let quality = QualityFigures(timings: timings, checks: verified.checks, loudnessIn: mix.loudnessIn,
                                     loudnessOut: mix.report.loudnessAfter, truePeak: mix.report.truePeak)
        let used = usage(spoken)
        let cost = CostEstimate.dollars(used)
        let placed = Set(timings.map(\.id))
        var review = ReviewReport(
            lines: ReviewReport.lines(lines.filter { placed.contains($0.id) }, timings: timings, checks: verified.checks, maxSpeed: plan.maxSpeed,
                                      voice: voice.voice(for:)),
            quality: quality, usage: used, costUSD: cost, warnings: [],
            title: String(request.input.split(separator: "/").last ?? ""), duration: media.duration ?? 0,
            sourceCurve: mix.sourceCurve, mixCurve: mix.report.loudnessCurve ?? [])
        // The excerpts of the dub are written while the mux encodes: both are done with the providers.
        let clips = Dictionary(timings.compactMap { t in t.audio.map { (t.id, work.path($0)) } }) { first, _ in first }
        let excerpts = review
        let (originals, originalSeconds) = try await originalsWritten
        async let excerptsWritten = originals != nil ? timed(reviewStep(context) { try excerpts.writeDubExcerpts(in: work, clips: clips) })
                                                     : (nil, 0)
        let subtitles = try await step(mux, .init(fitted: verified.fitted, mix: mix, lines: lines, sourceLanguage: plan.source?.tag ?? transcript?.language,
                                                  stereoTrack: plan.stereoTrack && audio.isSurround, codec: plan.audioCodec))
        let (written, excerptSeconds) = try await excerptsWritten
        let clones = await finishClones(cast, plan: plan, context: context)
        try await runner.record(usage: providers.meter.snapshot)
        // The page lists every warning of the run, the mux's and the clean-up's included.
        review.warnings = await context.warnings.all
        let page = review, dubbed = Set(clips.keys)
        var reviewReport: String?
        if written != nil {
            let (path, pageSeconds) = try await timed(try await reviewStep(context) { try page.writePage(in: work, hasDub: dubbed) })
            (reviewReport, seconds["report"]) = (path, originalSeconds + excerptSeconds + pageSeconds)
        }
        let report = DubReport(output: request.output, subtitles: subtitles, work: work.root, stageSeconds: seconds, executed: await runner.executed,
                         timing: Self.summary(timings), loudnessIn: mix.loudnessIn, loudnessOut: mix.report.loudnessAfter,
                         truePeak: mix.report.truePeak, usage: used, costUSD: cost, verification: verified.checks,
                         // Read after the review, whose failure is a warning too.
                         warnings: await context.warnings.all.nilIfEmpty, layout: Self.layout(audio, plan: plan),
                         cast: cast.summary.nilIfEmpty, clonesDeleted: clones, quality: quality, reviewReport: reviewReport)
        try work.writeJSON(report, to: LineEditor.reportFile)
        return report
    }

    /// Runs one step of writing `report.html` off the cooperative pool; a failure there is a warning (and nil), not a
    /// failed dub.
    func reviewStep<T: Sendable>(_ context: StageContext, _ body: @escaping @Sendable () throws -> T) async throws -> T? {
        do {
            return try await BlockingWork.run(body)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            await context.warn("report.html could not be written: \(error)")
            return nil
        }
    }

    /// What `body` returns and the seconds it took.
    func timed<T: Sendable>(_ body: @autoclosure () async throws -> T) async throws -> (T, Double) {
        let start = SystemClock.now()
        return (try await body(), SystemClock.now() - start)
    }

    /// After a finished dub, deletes the voices cloned for it unless `--keep-voices` (a failed one keeps them, for
    /// the resumed run; `dubctl voices prune` removes what is left). Returns how many were deleted, nil when none.
    /// A deletion that fails does not fail the finished dub: it is a warning, and the clones stay on record for
    /// `dubctl voices prune --work`.
    func finishClones(_ cast: VoiceCast, plan: DubPlan, context: StageContext) async -> Int? {
        guard plan.cloneVoices, !plan.keepVoices, !cast.liveClones.isEmpty, let cloner = synthesizer as? any VoiceCloner else { return nil }
        do {
            return try await CastStage.deleteClones(in: work, cloner: cloner)
        } catch {
            await context.warn("the voices cloned for this dub could not all be deleted (\(error)); remove them with 'dubctl voices prune --work \(work.root)'")
            return nil
        }
    }

    /// Deletes the clones recorded in `work`'s `voices.json` (`dubctl voices prune --work`); returns how many.
    public static func deleteClones(in work: WorkFolder, cloner: any VoiceCloner) async throws -> Int {
        try await CastStage.deleteClones(in: work, cloner: cloner)
    }

    /// What the report says of the dub's layout.
    static func layout(_ audio: ExtractStage.Output, plan: DubPlan) -> String {
        let opus = plan.request.output.lowercased().hasSuffix(".webm")
        let codec = opus ? " (Opus)" : plan.audioCodec.flatMap { $0 == .aac ? nil : " (\($0.rawValue.uppercased()))" } ?? ""
        guard audio.isSurround else { return "stereo" + codec }
        // AC-3 and E-AC-3 hold at most 5.1: a 7.1 source is down-mixed to it.
        let name = audio.channels == 8 && (plan.audioCodec ?? .aac).maxChannels >= 8 ? "7.1" : "5.1"
        return "\(name)\(codec), the dub in the centre channel" + (plan.centreSpread > 0 ? " (\(Int(plan.centreSpread * 100)) % to the front left and right)" : "")
            + (plan.stereoTrack ? ", and a stereo down-mix track" : "")
    }

    /// The estimated cost of a plan's provider calls, per provider, in US dollars.
    public static func estimate(_ plan: DubPlan, mediaSeconds: Double, sourceCharacters: Int? = nil) -> [String: Double] {
        CostEstimate.dollars(CostEstimate.usage(for: plan, mediaSeconds: mediaSeconds, sourceCharacters: sourceCharacters))
    }

    /// Stops before spending when the estimate is over `--budget`.
    func checkBudget(_ plan: DubPlan, mediaSeconds: Double, sourceCharacters: Int?) throws {
        guard let budget = plan.budgetUSD else { return }
        let total = Self.estimate(plan, mediaSeconds: mediaSeconds, sourceCharacters: sourceCharacters).values.reduce(0, +)
        if total > budget { throw BudgetError(estimate: total, budget: budget) }
    }

    /// What the providers consumed, plus the characters the synthesizer spoke (offline engines bill nothing).
    func usage(_ spoken: [Int: SpokenLine]) -> [String: ProviderUsage] {
        var usage = providers.meter.snapshot
        if usage[synthesizer.name] == nil, synthesizer.name == "espeak" {
            usage["espeak"] = ProviderUsage(characters: spoken.values.reduce(0) { $0 + $1.characters }, requests: spoken.count)
        }
        return usage
    }

    static func summary(_ timings: [LineTiming]) -> TimingSummary {
        var methods: [String: Int] = [:]
        for t in timings { methods[t.method.rawValue, default: 0] += 1 }
        return TimingSummary(lines: timings.count,
                             withinSlot: timings.filter { $0.start + $0.duration <= $0.slotEnd + 1e-6 && $0.shift < 1e-6 }.count,
                             maxFactor: timings.map(\.factor).max() ?? 1, maxShift: timings.map(\.shift).max() ?? 0,
                             overlaps: QualityFigures.overlaps(in: timings), methods: methods)
    }
}

extension Array {
    /// Nil for an empty array (so optional report fields stay out of the JSON).
    var nilIfEmpty: [Element]? { isEmpty ? nil : self }
}
