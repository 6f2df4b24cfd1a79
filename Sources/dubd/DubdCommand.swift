import DubSupport
import ArgumentParser

/// The dub job daemon: claims dubbing jobs from the PostgreSQL queue and runs the pipeline.
struct DubdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dubd",
        abstract: "Run queued dubbing jobs from the PostgreSQL job queue.",
        discussion: """
        Several dubd processes, on several machines, may share one database: each claims only as many jobs as it
        has free slots and renews a lease on each while it works. SIGTERM or SIGINT stops claiming, gives running
        jobs a soft window (--shutdown-grace), then saves their checkpoints and hands them back; a second signal
        exits at once (the leases let other daemons take over). Work folders live under --data-root (DATA_ROOT/jobs/ID),
        which every daemon must see at the same path, and are removed --keep-work hours after their job ends.
        Webhooks only reach public addresses unless DUB_WEBHOOK_ALLOW lists others.

        Example:
          DUB_DATABASE_URL=postgresql://dub@db.internal/dub dubd --concurrency 2 --data-root /srv/dub --metrics-port 9464
        """,
        version: "0.1.0"
    )

    @Option(name: .customLong("database-url"),
            help: "PostgreSQL URL (default: $DUB_DATABASE_URL, then $DATABASE_URL). A password given here is visible to other users in the process list: prefer the environment.")
    var databaseURL: String?

    @Option(help: "Jobs run at once.")
    var concurrency = 1

    @Option(help: "Comma-separated queues to take jobs from.")
    var queues = "default"

    @Option(name: .customLong("data-root"), help: "Where job work folders live (shared by the daemons).")
    var dataRoot = "/var/lib/dub"

    @Option(name: .customLong("metrics-port"), help: "Serve /healthz and Prometheus /metrics on this port.")
    var metricsPort: Int?

    @Option(name: .customLong("metrics-host"), help: "Address the metrics server listens on.")
    var metricsHost = "127.0.0.1"

    @Option(name: .customLong("log-format"), help: "Log lines as text or json (one object per line).")
    var logFormat: LogFormat = .text

    @Option(help: "Seconds a lease lasts without a heartbeat.")
    var lease: Double = 90

    @Option(help: "Seconds between heartbeats.")
    var heartbeat: Double = 15

    @Option(name: .customLong("shutdown-grace"), help: "Seconds running jobs get to finish on shutdown.")
    var shutdownGrace: Double = 30

    @Option(name: .customLong("keep-work"), help: "Hours a finished job's work folder is kept before it is removed.")
    var keepWork: Double = 24

    @Option(help: "This daemon's name in job records (default: host:pid).")
    var name: String?

    @Flag(help: "Apply database migrations before starting.")
    var migrate = false

    @Flag(help: "Print the linked media library versions and exit.")
    var check = false

    enum LogFormat: String, ExpressibleByArgument { case text, json }

    func validate() throws {
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be 1–256") }
        guard heartbeat > 0, lease > heartbeat * 2 else { throw ValidationError("--lease must be more than twice --heartbeat") }
        if let metricsPort, !(1...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be 1–65535") }
        guard keepWork.isFinite, keepWork >= 0 else { throw ValidationError("--keep-work must be 0 or more hours") }
        guard shutdownGrace.isFinite, shutdownGrace >= 0 else { throw ValidationError("--shutdown-grace must be 0 or more seconds") }
    }
}
