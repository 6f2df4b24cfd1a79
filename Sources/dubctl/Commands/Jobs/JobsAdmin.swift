import ArgumentParser
import FoundationEssentials
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import DubJobs

struct JobsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, newest first.",
                                                    discussion: "Example:\n  dubctl jobs list --state failed --json")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Only jobs in this state: queued, running, retrying, succeeded, failed, cancelled.") var state: JobState?
    @Option(help: "At most this many.") var limit = 50
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let records = try await database.queue().records(state: state, limit: limit)
        // A job this version cannot read is named on stderr; the others are listed as usual.
        for case .failure(let error) in records { CommandLineReport.warn("\(error)") }
        let jobs = records.compactMap { try? $0.get() }
        if json {
            print(try JobText.json(jobs.map(JobText.summary)))
            return
        }
        print(JobText.row(["ID", "STATE", "QUEUE", "TRY", "AGE", "JOB"]))
        let now = JobClock.systemNow()
        for job in jobs {
            print(JobText.row(["\(job.id)", job.state.rawValue, job.queue, "\(job.attempt)/\(job.maxAttempts)",
                               JobText.age(now - job.createdAt), "\(job.payload.input) → \(job.payload.to)"]))
        }
    }
}

struct JobsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one job: stage, attempt, owner, heartbeat, errors, usage.",
                                                    discussion: "Example:\n  dubctl jobs show 42")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Job id.") var id: Int
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        guard let job = try await database.queue().job(id) else { throw JobText.NotFound(id: id) }
        if json {
            print(try JobText.json(JobText.summary(job)))
            return
        }
        let now = JobClock.systemNow()
        var lines = ["job \(job.id)  \(job.state.rawValue)  queue \(job.queue)  priority \(job.priority)",
                     "attempt \(job.attempt) of \(job.maxAttempts)" + (job.cancelRequested ? "  (cancel requested)" : "")]
        lines.append("dub \(job.payload.input) → \(job.payload.to): \(job.payload.output)")
        if let stage = job.checkpoint?.stage { lines.append("stage \(stage)") }
        if let owner = job.leaseOwner { lines.append("owner \(owner)") }
        if let beat = job.heartbeatAt, job.state == .running { lines.append("heartbeat \(JobText.age(now - beat)) ago") }
        if job.state == .retrying || job.state == .queued, job.runAt > now { lines.append("runs in \(JobText.age(job.runAt - now))") }
        for error in job.errors {
            lines.append("attempt \(error.attempt) failed (\(error.code)): \(error.message)")
        }
        if let usage = job.usage { lines.append("usage " + DubCommand.describe(usage, cost: CostEstimate.dollars(usage))) }
        if !job.unreadable.isEmpty { lines.append("not readable by this version of dub: \(job.unreadable.joined(separator: ", "))") }
        if job.webhookURL != nil { lines.append("webhook " + (job.webhookOutcome ?? (job.state.isTerminal ? "due" : "when the job ends"))) }
        print(lines.joined(separator: "\n"))
    }
}

struct JobsCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a job (a running one stops within seconds).",
                                                    discussion: "Example:\n  dubctl jobs cancel 42")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Job id.") var id: Int

    func run() async throws {
        switch try await database.queue().cancel(id) {
        case .cancelled: print("job \(id) cancelled")
        case .requested: print("job \(id) is running; its worker was asked to stop")
        case .alreadyFinished(let state): print("job \(id) had already finished: \(state.rawValue)")
        }
    }
}

struct JobsRetry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Queue a failed or cancelled job again.",
                                                    discussion: "Example:\n  dubctl jobs retry 42")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Job id.") var id: Int

    func run() async throws {
        try await database.queue().retry(id)
        print("job \(id) queued again")
    }
}

struct JobsRedo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redo", abstract: "Queue a finished job again to redo some of its lines (the rest from its cache).",
        discussion: """
        The job runs again in its own work folder: the named lines are spoken afresh, re-fitted, and the dub re-mixed and \
        re-muxed to the same output; every other line comes from the cache (a job whose work folder was already \
        removed starts afresh). Its result is replaced when it finishes.

        Example:
          dubctl jobs redo 42 --line 3 --line 7
        """)
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The finished job's id.") var id: Int
    @Option(name: .customLong("line"), help: "A line to speak afresh; repeat for more.") var lines: [Int] = []

    func validate() throws {
        guard !lines.isEmpty else { throw ValidationError("name the lines to redo with --line N") }
        guard lines.count <= 10_000, lines.allSatisfy({ $0 >= 0 }) else { throw ValidationError("--line takes at most 10000 line ids, each 0 or more") }
    }

    func run() async throws {
        let queue = try await database.queue()
        guard let job = try await queue.job(id) else { throw MediaError(.invalidArgument, "no job \(id)") }
        guard [.succeeded, .failed, .cancelled].contains(job.state) else {
            throw MediaError(.invalidArgument, "job \(id) is \(job.state.rawValue); only a finished job can be redone",
                             hint: "wait for it to finish, or cancel it first")
        }
        var request = job.payload
        request.redo = DubRequest.LineRedo(lines: Array(Set(lines)).sorted(), token: "job-\(id)-" + String(UInt64(SystemClock.now() * 1_000_000), radix: 36))
        try await queue.requeue(id, payload: request)
        print("job \(id) queued again to redo line\(lines.count == 1 ? "" : "s") \(Set(lines).sorted().map(String.init).joined(separator: ", "))")
    }
}

struct JobsStats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Count jobs by queue and state.",
                                                    discussion: "Example:\n  dubctl jobs stats")
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let stats = try await database.queue().stats()
        if json {
            let flat = stats.mapValues { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.rawValue, $0.value) }) }
            print(try JobText.json(flat))
            return
        }
        print(JobText.row(["QUEUE"] + JobState.allCases.map(\.rawValue), widths: Self.statsWidths))
        for (queue, counts) in stats.sorted(by: { $0.key < $1.key }) {
            print(JobText.row([queue] + JobState.allCases.map { "\(counts[$0] ?? 0)" }, widths: Self.statsWidths))
        }
    }

    /// Queue names, then one column per state (wide enough for "succeeded" and "cancelled").
    static let statsWidths = [12] + JobState.allCases.map { max($0.rawValue.count + 2, 8) }
}

struct JobsPrune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Delete finished jobs older than a number of hours.",
                                                    discussion: "Example:\n  dubctl jobs prune --older-than 168")
    @OptionGroup var database: DatabaseOptions
    @Option(name: .customLong("older-than"), help: "Hours since the job finished.") var olderThan: Double = 24 * 14
    @Option(name: .customLong("data-root"), help: "dubd's data root: the deleted jobs' work folders there are removed too (default: $DUB_DATA_ROOT).")
    var dataRoot: String?

    func validate() throws {
        guard olderThan.isFinite, olderThan >= 0 else { throw ValidationError("--older-than must be 0 or more hours") }
    }

    func run() async throws {
        let deleted = try await database.queue().prune(olderThan: olderThan * 3600)
        let root = dataRoot ?? ProcessInfo.processInfo.environment["DUB_DATA_ROOT"]
        var removed = 0
        if let root {
            for id in deleted where try WorkFolder.removeJobFolder(dataRoot: root, job: id) { removed += 1 }
        }
        print("deleted \(deleted.count) finished job(s)\(root == nil ? "" : ", removed \(removed) work folder(s)")")
    }
}

extension JobState: ExpressibleByArgument {}
