import ArgumentParser
import AudioKitCore
import FoundationEssentials
import Pipeline
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
        --max-speed, re-translation shorter (twice at most), then a shift within a drift limit; never overlapping), mix (over the background stem, ducked, loudness matched to the source, true peak
        at most -1 dBTP) and mux (video copied, dub track first and default, subtitles as a soft track, sidecar .srt and
        .vtt). Work goes to --work (default: a folder beside the output); a re-run skips finished stages and redoes
        only changed lines: edit a line's text in WORK/lines.json and run again.

        Providers and their keys: 'dubctl providers check'. With --subtitles (target language) no recognition or
        translation runs; with --source-subtitles no recognition runs.

        Examples:
          dubctl dub samples/english.mp4 --to es --subtitles samples/english.es.srt --tts espeak -o english.es.mp4
          dubctl dub talk.mp4 --to ko --asr openai --translator openai --tts openai --voice nova -o talk.ko.mp4
        """
    )

    @Argument(help: "The video to dub.") var input: String
    @Option(help: "Target language (ISO 639-1).") var to: String
    @Option(name: .shortAndLong, help: "The dubbed video (.mp4, .mkv, .mov, .webm).") var output: String
    @Option(help: "Source language (ISO 639-1); default: detected.") var from: String?
    @Option(help: "Target-language subtitles (.srt or .vtt) giving the lines and their times.") var subtitles: String?
    @Option(name: .customLong("source-subtitles"), help: "Source-language subtitles (.srt or .vtt) replacing recognition.") var sourceSubtitles: String?
    @Option(help: "Speech recognition: \(ProviderCatalog.providers(for: .transcription).joined(separator: ", ")).") var asr = "openai"
    @Option(help: "Translation: \(ProviderCatalog.providers(for: .translation).joined(separator: ", ")).") var translator = "openai"
    @Option(help: "Speech synthesizer: \(ProviderCatalog.providers(for: .speech).joined(separator: ", ")).") var tts = "espeak"
    @Option(help: "Voice (default: the language's).") var voice: String?
    @Option(name: .customLong("voice-map"), help: "A JSON object of speaker to voice (speakers not in it use --voice).") var voiceMap: String?
    @Flag(help: "Continue the run in --work (the default work folder otherwise); fails if there is nothing to resume.") var resume = false
    @Option(help: "Glossary for translation (JSON object or 'term = translation' lines).") var glossary: String?
    @Option(help: "Number of speakers, when known.") var speakers: Int?
    @Option(name: .customLong("max-line"), help: "Longest dubbing line, in seconds.") var maxLine = 8.0
    @Option(help: "Vocal separation: elevenlabs, local or none.") var separation = "local"
    @Option(help: "Vocals and background made elsewhere, as VOCALS,BACKGROUND.") var stems: String?
    @Option(help: "Work folder (artifacts, manifest, cache).") var work: String?
    @Option(name: .customLong("max-speed"), help: "Most a line is sped up by time-stretching before other remedies.") var maxSpeed = 1.15
    @Flag(name: .customLong("keep-original-audio"), help: "Keep the original audio as a second track.") var keepOriginalAudio = false
    @Flag(help: "Add the source-language subtitles as a second soft track (and sidecar files).") var bilingual = false
    @Flag(help: "Transcribe every dubbed line back (--asr) and compare; a failing line is synthesized once more.") var verify = false
    @Option(help: "Stop before the estimated provider cost exceeds this many US dollars.") var budget: Double?
    @Flag(name: .customLong("dry-run"), help: "Estimate usage and cost per provider, then stop (nothing is spent).") var dryRun = false
    @Flag(help: "Print the final report as JSON.") var json = false

    func validate() throws {
        do { _ = try LanguageCode(to) } catch let error as MediaError { throw ValidationError(error.description) }
        if let from { do { _ = try LanguageCode(from) } catch let error as MediaError { throw ValidationError(error.description) } }
        for (option, value, role) in [("--asr", asr, ProviderCatalog.Role.transcription), ("--translator", translator, .translation), ("--tts", tts, .speech)] {
            guard ProviderCatalog.providers(for: role).contains(value) else {
                throw ValidationError("\(option) must be one of \(ProviderCatalog.providers(for: role).joined(separator: ", "))")
            }
        }
        guard ["elevenlabs", "local", "none"].contains(separation) else { throw ValidationError("--separation must be elevenlabs, local or none") }
        guard subtitles == nil || sourceSubtitles == nil else { throw ValidationError("give --subtitles or --source-subtitles, not both") }
        guard (2...30).contains(maxLine) else { throw ValidationError("--max-line must be between 2 and 30 seconds") }
        if let speakers, speakers < 1 { throw ValidationError("--speakers must be at least 1") }
        guard (1.0...2.0).contains(maxSpeed) else { throw ValidationError("--max-speed must be between 1.0 and 2.0") }
        if let stems, stems.split(separator: ",").count != 2 { throw ValidationError("--stems takes VOCALS,BACKGROUND") }
        if let budget, budget < 0 { throw ValidationError("--budget must not be negative") }
    }

    func run() async throws {
        var request = DubRequest(input: input, output: output, to: to)
        request.from = from
        request.subtitles = subtitles
        request.sourceSubtitles = sourceSubtitles
        request.asr = asr
        request.translator = translator
        request.glossary = glossary
        request.speakers = speakers
        request.maxLine = maxLine
        request.tts = tts
        request.voice = voice
        request.separation = separation
        request.stems = stems.map { $0.split(separator: ",").map(String.init) }
        request.maxSpeed = maxSpeed
        request.keepOriginalAudio = keepOriginalAudio
        request.bilingual = bilingual
        request.verify = verify
        request.voiceMap = voiceMap
        request.budgetUSD = budget
        request.work = work
        var pipeline = try DubPipeline(request: request, providers: ProviderCatalog(settings: try ProviderSettings.load()),
                                       work: try WorkFolder(root: work ?? DubPipeline.defaultWork(for: request)))
        if dryRun { return try printEstimate(request) }
        if resume, !pipeline.work.exists(DubPipeline.requestFile) {
            throw ValidationError("--resume: \(pipeline.work.root) holds no earlier run of this dub")
        }
        let display = ProgressDisplay(interactive: isatty(1) == 1 && !json, quiet: json)
        pipeline.onStage = { stage in display.stage(stage) }
        pipeline.onProgress = { progress in display.progress(progress) }
        let report = try await pipeline.run()
        display.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        let t = report.timing
        print("""
        wrote \(report.output) (+ \(report.subtitles.joined(separator: ", ")))
        lines: \(t.lines), \(t.withinSlot) within their slot, max speed-up \(t.maxFactor.fixed(2))x, max shift \(t.maxShift.fixed(2)) s, overlaps \(t.overlaps)
        usage: \(Self.describe(report.usage, cost: report.costUSD))\(report.verification.map { "\n" + Self.describe($0) } ?? "")
        loudness: \(report.loudnessIn.fixed(1)) LUFS in, \(report.loudnessOut.fixed(1)) LUFS out, true peak \(report.truePeak.fixed(1)) dBTP
        work folder: \(report.work) (timing.json has the per-line report)
        """)
    }

    /// `--dry-run`: the media's length, then the usage and cost each provider would bill.
    private func printEstimate(_ request: DubRequest) throws {
        let media = try MediaInfo.probe(path: input)
        let seconds = media.duration ?? 0
        let usage = CostEstimate.usage(for: request, mediaSeconds: seconds, sourceCharacters: nil)
        let cost = CostEstimate.dollars(usage)
        let total = cost.values.reduce(0, +)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            struct Estimate: Encodable { var media_seconds: Double; var usage: [String: ProviderUsage]; var cost_usd: [String: Double]; var total_usd: Double }
            print(String(decoding: try encoder.encode(Estimate(media_seconds: seconds, usage: usage, cost_usd: cost, total_usd: total)), as: UTF8.self))
            return
        }
        print("dry run: \(input), \(seconds.fixed(1)) s; nothing was sent to any provider")
        print("  \(Self.describe(usage, cost: cost))")
        print("  estimated total: $\(total.fixed(3))\(budget.map { $0 < total ? " — over the budget of $\($0.fixed(2))" : " — within the budget of $\($0.fixed(2))" } ?? "")")
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
            let u = usage[name]!
            var parts: [String] = []
            if u.audioSeconds > 0 { parts.append("\(u.audioSeconds.fixed(1)) s audio") }
            if u.promptTokens + u.completionTokens > 0 { parts.append("\(u.promptTokens + u.completionTokens) tokens") }
            if u.characters > 0 { parts.append("\(u.characters) chars") }
            return "\(name) \(parts.joined(separator: ", ")) ($\((cost[name] ?? 0).fixed(3)))"
        }.joined(separator: "; ")
    }
}
