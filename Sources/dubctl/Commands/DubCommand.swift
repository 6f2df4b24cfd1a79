import ArgumentParser
import AudioKitCore
import FoundationEssentials
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
#if canImport(Glibc)
import Glibc
#endif

struct DubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dub",
        abstract: "Dub a video into another language.",
        discussion: """
        Stages: probe, extract, separate (vocals from background), transcribe (ASR, skipped when subtitles give the
        lines), lines (sentences, speaker turns, at most --max-line seconds), translate (each line within a budget of
        characters, or syllables for ko/ja/zh, that fits its slot at the voice's measured speaking rate), synthesize,
        fit (every line into its time slot: the silence after it, the engine's own speed, time-stretch up to
        --max-speed, re-translation shorter (twice at most), then a shift of at most 0.75 s (a line that cannot start
        by then is left out, with a warning); never overlapping), mix (over the background stem, ducked, loudness matched
        to the source, true peak at most -1 dBTP, exactly as long as the media) and mux (video copied, dub track first
        and default, subtitles as a soft track, sidecar .srt and .vtt). Work goes to --work (default: a folder beside the
        output; a new or empty folder, or one dub made, unless --force); a re-run skips finished stages and redoes
        only changed lines: edit a line's text in WORK/lines.json and run again, or review WORK/report.html and use
        'dubctl lines' (list, set, redo). No output may overwrite an input.

        Providers and their keys: 'dubctl providers check'. With --subtitles (target language) no recognition or
        translation runs; with --source-subtitles no recognition runs.

        Examples:
          dubctl dub samples/english.mp4 --to es --subtitles samples/english.es.srt --tts espeak -o english.es.mp4
          dubctl dub talk.mp4 --to ko --asr openai --translator openai --tts openai --voice nova -o talk.ko.mp4
        """
    )

    @OptionGroup var options: DubOptions
    @Flag(help: "Continue the run in --work (the default work folder otherwise); fails if there is nothing to resume.") var resume = false
    @Option(help: "Work folder (artifacts, manifest, cache); a new or empty folder, or one an earlier dub made.") var work: String?
    @Flag(help: "Use a --work folder that is not empty and was not made by dub (dub only ever removes its own temporary files there).")
    var force = false
    @Flag(help: "Remove the work folder after a successful run (it is the cache a re-run or --resume would use).") var clean = false
    @Flag(name: .customLong("dry-run"), help: "Estimate usage and cost per provider, then stop (nothing is spent).") var dryRun = false
    @Flag(help: "Print the final report as JSON.") var json = false

    func run() async throws {
        var request = options.request(absolutePaths: false)
        request.work = work
        request.directory = FileManager.default.currentDirectoryPath
        if dryRun { return try printEstimate(request) }
        try request.validateFiles()
        let workPath = work ?? DubPipeline.defaultWork(for: request)
        if resume, WorkFolder.existing(workPath)?.exists(DubPipeline.requestFile) != true {
            throw ValidationError("--resume: \(workPath) holds no earlier run of this dub")
        }
        let pipeline = try DubPipeline(request: request, providers: ProviderCatalog(settings: try ProviderSettings.load()),
                                       work: try WorkFolder(root: workPath, force: force))
        let report = try await ProgressDisplay.run(pipeline, json: json)
        if clean { try pipeline.work.remove() }
        if json {
            print(try DubJSON.string(report, pretty: true))
            return
        }
        let t = report.timing
        print("""
        wrote \(report.output) (+ \(report.subtitles.joined(separator: ", ")))
        lines: \(t.lines), \(t.withinSlot) within their slot, max speed-up \(t.maxFactor.fixed(2))x, max shift \(t.maxShift.fixed(2)) s, overlaps \(t.overlaps), condensed \(t.methods[FitMethod.retranslated.rawValue] ?? 0) (timing.json says which)
        usage: \(Self.describe(report.usage, cost: report.costUSD))\(report.verification.map { "\n" + Self.describe($0) } ?? "")
        quality: \(report.quality?.summary ?? "not measured")
        layout: \(report.layout ?? "stereo")\((report.cast ?? []).isEmpty ? "" : "\nvoices:\n" + (report.cast ?? []).map { "  " + $0 }.joined(separator: "\n"))\(report.clonesDeleted.map { "\ncloned voices deleted at the provider: \($0)" } ?? "")
        work folder: \(clean ? "removed (--clean)" : "\(report.work) (report.html shows the dub line by line; timing.json has the figures)")
        """)
    }

    /// `--dry-run`: the media's length, then the usage and cost each provider would bill.
    private func printEstimate(_ request: DubRequest) throws {
        let media = try MediaInfo.probe(path: request.input)
        let seconds = media.duration ?? 0
        let usage = CostEstimate.usage(for: try request.resolve(), mediaSeconds: seconds, sourceCharacters: nil)
        let cost = CostEstimate.dollars(usage)
        let total = cost.values.reduce(0, +)
        // The cast an earlier run of this work folder made, read once for both forms of the estimate.
        let cast = try? WorkFolder.existing(request.work ?? DubPipeline.defaultWork(for: request))?.readJSON(VoiceCast.self, from: VoiceCast.file)
        if json {
            struct Estimate: Encodable {
                var media_seconds: Double; var usage: [String: ProviderUsage]; var cost_usd: [String: Double]; var total_usd: Double
                /// How the voices are chosen, and the cast an earlier run of this work folder made.
                var voices: String; var cast: VoiceCast?
            }
            print(try DubJSON.string(Estimate(media_seconds: seconds, usage: usage, cost_usd: cost, total_usd: total,
                                              voices: Self.castPlan(request, cast: cast), cast: cast), pretty: true))
            return
        }
        print("dry run: \(request.input), \(seconds.fixed(1)) s; nothing was sent to any provider")
        print("  \(Self.describe(usage, cost: cost))")
        print("  voices: \(Self.castPlan(request, cast: cast))")
        print("  estimated total: $\(total.fixed(3))\(request.budgetUSD.map { $0 < total ? " — over the budget of $\($0.fixed(2))" : " — within the budget of $\($0.fixed(2))" } ?? "")")
    }

    /// How the voices will be chosen: the cast in the work folder's `voices.json` when an earlier run made one, else
    /// the rule casting will follow.
    static func castPlan(_ request: DubRequest, cast: VoiceCast?) -> String {
        if let cast, !cast.roles.isEmpty {
            return "the cast in \(VoiceCast.file) (edit it to recast a speaker)\n" + cast.summary.map { "    " + $0 }.joined(separator: "\n")
        }
        if let voice = request.voice { return "\(voice) for every speaker" + (request.voiceMap == nil ? "" : " not in the voice map") }
        let tts = request.tts ?? DubRequest.defaultTTS
        return "each speaker gets a distinct voice from \(tts)'s voices for the language, by gender and pitch" + (request.cloneVoices ? "; each cloned from their own speech (--clone-voices)" : "")
            + (request.voiceMap == nil ? "" : "; the voice map wins") + "; written to \(VoiceCast.file) in the work folder"
    }

    /// `verify: 5 of 6 lines heard as written; failing: 3 (error rate 0.50, cut off)`.
    static func describe(_ checks: [LineCheck]) -> String {
        let failing = checks.filter { !$0.passed }
        let detail = failing.map { "\($0.id) (error rate \($0.errorRate.fixed(2))\($0.cutOff ? ", cut off" : ""))" }.joined(separator: ", ")
        return "verify: \(checks.count - failing.count) of \(checks.count) lines heard as written\(failing.isEmpty ? "" : "; failing after a retake: \(detail)")"
    }

    /// `openai 27.0 s audio, 1200 tokens, 300 chars ($0.01); espeak 310 chars ($0.00)`.
    static func describe(_ usage: [String: ProviderUsage], cost: [String: Double]) -> String {
        guard !usage.isEmpty else { return "none" }
        return usage.keys.sorted().map { name in
            "\(name) \(usage[name]!.summary) ($\((cost[name] ?? 0).fixed(3)))"
        }.joined(separator: "; ")
    }
}
