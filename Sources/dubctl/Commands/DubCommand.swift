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
        Stages: probe, extract, separate (vocals from background), lines, synthesize, fit (every line into its time
        slot: the silence after it, the engine's own speed, time-stretch up to --max-speed, then a shift within a drift
        limit; never overlapping), mix (over the background stem, ducked, loudness matched to the source, true peak
        at most -1 dBTP) and mux (video copied, dub track first and default, subtitles as a soft track, sidecar .srt and
        .vtt). Work goes to --work (default: a folder beside the output); a re-run skips finished stages and redoes
        only changed lines: edit a line's text in WORK/lines.json and run again.

        This build dubs from target-language subtitles (--subtitles) with the offline espeak-ng voice.

        Example:
          dubctl dub samples/english.mp4 --to es --subtitles samples/english.es.srt --tts espeak -o english.es.mp4
        """
    )

    @Argument(help: "The video to dub.") var input: String
    @Option(help: "Target language (ISO 639-1).") var to: String
    @Option(name: .shortAndLong, help: "The dubbed video (.mp4, .mkv, .mov, .webm).") var output: String
    @Option(help: "Target-language subtitles (.srt or .vtt) giving the lines and their times.") var subtitles: String?
    @Option(help: "Speech synthesizer.") var tts = "espeak"
    @Option(help: "Voice (default: the language's).") var voice: String?
    @Option(help: "Vocal separation: local or none.") var separation = "local"
    @Option(help: "Vocals and background made elsewhere, as VOCALS,BACKGROUND.") var stems: String?
    @Option(help: "Work folder (artifacts, manifest, cache).") var work: String?
    @Option(name: .customLong("max-speed"), help: "Most a line is sped up by time-stretching before other remedies.") var maxSpeed = 1.15
    @Flag(name: .customLong("keep-original-audio"), help: "Keep the original audio as a second track.") var keepOriginalAudio = false
    @Flag(help: "Print the final report as JSON.") var json = false

    func validate() throws {
        do { _ = try LanguageCode(to) } catch let error as MediaError { throw ValidationError(error.description) }
        guard tts == "espeak" else { throw ValidationError("--tts \(tts) is not available in this build; use espeak") }
        guard ["local", "none"].contains(separation) else { throw ValidationError("--separation must be local or none") }
        guard (1.0...2.0).contains(maxSpeed) else { throw ValidationError("--max-speed must be between 1.0 and 2.0") }
        if let stems, stems.split(separator: ",").count != 2 { throw ValidationError("--stems takes VOCALS,BACKGROUND") }
    }

    func run() async throws {
        var request = DubRequest(input: input, output: output, to: to)
        request.subtitles = subtitles
        request.tts = tts
        request.voice = voice
        request.separation = separation
        request.stems = stems.map { $0.split(separator: ",").map(String.init) }
        request.maxSpeed = maxSpeed
        request.keepOriginalAudio = keepOriginalAudio
        request.work = work
        var pipeline = DubPipeline(request: request, synthesizer: EspeakSynthesizer(),
                                   work: try WorkFolder(root: work ?? DubPipeline.defaultWork(for: request)))
        let started = JobClock.systemNow()
        let interactive = isatty(1) == 1 && !json
        pipeline.onStage = { stage in
            let elapsed = JobClock.systemNow() - started
            if interactive {
                print("\u{1B}[2K\r[\(elapsed.fixed(1)) s] \(stage)…", terminator: "")
                fflush(nil)
            } else if !json {
                print("[\(elapsed.fixed(1)) s] \(stage)")
            }
        }
        let report = try await pipeline.run()
        if interactive { print("") }
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
        loudness: \(report.loudnessIn.fixed(1)) LUFS in, \(report.loudnessOut.fixed(1)) LUFS out, true peak \(report.truePeak.fixed(1)) dBTP
        work folder: \(report.work) (timing.json has the per-line report)
        """)
    }
}
