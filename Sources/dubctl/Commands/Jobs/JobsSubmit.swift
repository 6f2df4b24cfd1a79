import ArgumentParser
import FoundationEssentials
import AudioKitCore
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import DubJobs

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
    @OptionGroup var options: DubOptions
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
        let request = options.request(absolutePaths: true)
        // The same checks as 'dubctl dub', before anything is queued: a job that cannot run is refused now.
        try request.validateFiles()
        var submission = JobSubmission<DubJob>(payload: request, queue: queue)
        submission.priority = priority
        submission.dedupeKey = dedupeKey
        submission.maxAttempts = maxAttempts
        submission.runAt = runAt.flatMap(RunAt.parse)
        submission.webhookURL = webhook
        submission.target = OutputPaths.canonical(request.sidecarBase)
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


#if canImport(Glibc)
import Glibc
#endif
