import ArgumentParser
import FoundationEssentials
import Pipeline

struct JobsSubmit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Queue a dubbing job.",
        discussion: """
        Paths are stored as absolute paths: every dubd that may run the job must see them at the same place
        (a shared data root). Lower --priority runs first. --run-at takes an ISO 8601 time or +N[s|m|h].
        Submitting again with the same --dedupe-key while that job is queued or running returns it.

        Example:
          dubctl jobs submit /data/in/talk.mp4 --to es -o /data/out/talk.es.mp4 --tts espeak --subtitles /data/in/talk.es.srt
        """
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The video to dub.") var input: String
    @Option(help: "Target language (ISO 639-1).") var to: String
    @Option(name: .shortAndLong, help: "Where the dubbed video goes.") var output: String
    @Option(help: "Source language (default: detected).") var from: String?
    @Option(help: "Speech recogniser: openai, elevenlabs or clova.") var asr: String?
    @Option(help: "Translator: openai or papago.") var translator: String?
    @Option(help: "Speech synthesizer: openai, elevenlabs, clova or espeak.") var tts: String?
    @Option(help: "Voice for every speaker.") var voice: String?
    @Option(help: "Target-language subtitles to dub from (skips recognition and translation).") var subtitles: String?
    @Option(name: .customLong("source-subtitles"), help: "Source-language subtitles (skips recognition).") var sourceSubtitles: String?
    @Option(name: .customLong("voice-map"), help: "A JSON object of speaker to voice.") var voiceMap: String?
    @Option(help: "Glossary for translation.") var glossary: String?
    @Option(help: "Number of speakers, when known.") var speakers: Int?
    @Option(name: .customLong("max-line"), help: "Longest dubbing line, in seconds.") var maxLine: Double?
    @Option(help: "Vocals and background made elsewhere, as VOCALS,BACKGROUND.") var stems: String?
    @Flag(help: "Add the source-language subtitles as a second soft track.") var bilingual = false
    @Flag(help: "Transcribe every dubbed line back and retake failing lines once.") var verify = false
    @Option(help: "Fail the job before the estimated provider cost exceeds this many US dollars.") var budget: Double?
    @Option(help: "Vocal separation: elevenlabs, local or none.") var separation: String?
    @Option(name: .customLong("max-speed"), help: "Most a line may be sped up by time-stretching.") var maxSpeed: Double?
    @Flag(name: .customLong("keep-original-audio"), help: "Keep the original audio as a second track.") var keepOriginalAudio = false
    @Option(help: "Queue name.") var queue = "default"
    @Option(help: "Priority: lower runs first.") var priority = 0
    @Option(name: .customLong("dedupe-key"), help: "Return the live job with this key instead of adding another.") var dedupeKey: String?
    @Option(name: .customLong("max-attempts"), help: "Attempts before the job fails.") var maxAttempts = 5
    @Option(name: .customLong("run-at"), help: "Not before this time (ISO 8601 or +N[s|m|h]).") var runAt: String?
    @Option(help: "POST a signed JSON report here when the job ends (dubd signs it with DUB_WEBHOOK_SECRET).") var webhook: String?
    @Flag(help: "Print the job as JSON.") var json = false

    func validate() throws {
        guard (1...100).contains(maxAttempts) else { throw ValidationError("--max-attempts must be 1–100") }
        if let runAt, RunAt.parse(runAt) == nil { throw ValidationError("cannot read --run-at '\(runAt)'") }
        if let webhook {
            do throws(WebhookURL.Invalid) { try WebhookURL.validate(webhook) } catch { throw ValidationError("--webhook: \(error.reason)") }
        }
    }

    func run() async throws {
        var request = DubRequest(input: Paths.absolute(input), output: Paths.absolute(output), to: to)
        request.from = from
        request.asr = asr
        request.translator = translator
        request.tts = tts
        request.voice = voice
        request.subtitles = subtitles.map(Paths.absolute)
        request.sourceSubtitles = sourceSubtitles.map(Paths.absolute)
        request.voiceMap = voiceMap.map(Paths.absolute)
        request.glossary = glossary.map(Paths.absolute)
        request.speakers = speakers
        request.maxLine = maxLine
        request.stems = stems.map { $0.split(separator: ",").map { Paths.absolute(String($0)) } }
        request.bilingual = bilingual
        request.verify = verify
        request.budgetUSD = budget
        request.separation = separation
        request.maxSpeed = maxSpeed
        request.keepOriginalAudio = keepOriginalAudio
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var submission = JobSubmission(payload: String(decoding: try encoder.encode(request), as: UTF8.self), queue: queue)
        submission.priority = priority
        submission.dedupeKey = dedupeKey
        submission.maxAttempts = maxAttempts
        submission.runAt = runAt.flatMap(RunAt.parse)
        submission.webhookURL = webhook
        let (id, existing) = try await database.queue().submit(submission)
        if json {
            print("{\"id\": \(id), \"existing\": \(existing)}")
        } else {
            print(existing ? "job \(id) already queued with dedupe key '\(dedupeKey ?? "")'" : "submitted job \(id)")
        }
    }
}

/// `--run-at` values: ISO 8601, `+N[s|m|h]`, or seconds since 1970.
enum RunAt {
    static func parse(_ text: String) -> Double? {
        if text.hasPrefix("+") {
            let body = text.dropFirst()
            let unit = body.last.flatMap { ["s": 1.0, "m": 60, "h": 3600][String($0)] }
            guard let value = Double(unit == nil ? body : body.dropLast()), value >= 0 else { return nil }
            return JobClock.systemNow() + value * (unit ?? 1)
        }
        if let epoch = Double(text) { return epoch }
        return (try? Date(text, strategy: .iso8601))?.timeIntervalSince1970
    }
}

/// Absolute paths for what travels to other machines.
enum Paths {
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}

#if canImport(Glibc)
import Glibc
#endif
