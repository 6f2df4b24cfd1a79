import ArgumentParser
import AudioKitCore
import Logging
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import DubJobs
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

extension DubdCommand {
    func run() async throws {
        if check {
            for (name, version) in MediaLibraries.versions.sorted(by: { $0.key < $1.key }) { print("\(name) \(version)") }
            return
        }
        umask(0o077) // work folders and outputs are private unless DUB_OUTPUT_MODE says otherwise
        let format = logFormat
        LoggingSystem.bootstrap { label in
            format == .json ? JSONLogHandler(label: label) as any LogHandler : StreamLogHandler.standardError(label: label)
        }
        var logger = Logger(label: "dubd")
        logger.logLevel = .info
        let owner = name ?? Self.defaultName()
        logger[metadataKey: "daemon"] = "\(owner)"

        guard let url = databaseURL ?? Database.urlFromEnvironment() else {
            throw ValidationError("no database configured: pass --database-url or set DUB_DATABASE_URL")
        }
        let configuration = Database.Configuration(url: url)
        let database = Database(configuration)
        if migrate { try await SchemaMigrator.migrate(database) }
        try await SchemaMigrator.requireCompatible(database)

        let queue = JobQueue<DubJob>(database: database, leaseSeconds: lease)
        var settings = JobWorker<PipelineJobHandler>.Settings(owner: owner)
        settings.queues = queues.split(separator: ",").map { String($0) }
        settings.concurrency = concurrency
        settings.heartbeat = heartbeat
        settings.selfStop = min(60, lease * 2 / 3)
        settings.softShutdown = shutdownGrace
        let metrics = WorkerMetrics()
        let handler = PipelineJobHandler(dataRoot: dataRoot, metrics: metrics)
        let webhooks = WebhookNotifier(secret: getenv("DUB_WEBHOOK_SECRET").map { String(cString: $0) }, transport: WebhookHTTPTransport(),
                                       logger: logger)
        if !webhooks.isEnabled {
            logger.notice("job webhooks are off: DUB_WEBHOOK_SECRET is not set (dub never sends unsigned webhooks)")
        }
        let worker = JobWorker(queue: Self.workerQueue(configuration, lease: lease), handler: handler, settings: settings,
                               logger: logger, metrics: metrics, webhooks: webhooks)

        var services: [any Service] = [
            worker,
            MaintenanceService(queue: Self.workerQueue(configuration, lease: lease), metrics: metrics, interval: min(15, lease / 3),
                               logger: logger, webhooks: webhooks, dataRoot: dataRoot, keepWork: keepWork * 3600),
        ]
        if let metricsPort {
            services.append(MetricsService.make(host: metricsHost, port: metricsPort, queue: queue, metrics: metrics, logger: logger))
        }
        logger.info("dubd started", metadata: ["queues": "\(queues)", "concurrency": "\(concurrency)", "data_root": "\(dataRoot)"])
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        let watcher = SecondSignal.watch(logger: logger)
        defer { watcher.cancel() }
        try await group.run()
        logger.info("dubd stopped")
    }

    /// Each long-lived part gets its own connection, so a slow statement in one never delays another's heartbeat.
    static func workerQueue(_ configuration: Database.Configuration, lease: Double) -> JobQueue<DubJob> {
        JobQueue(database: Database(configuration), leaseSeconds: lease)
    }

    static func defaultName() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        return "\(String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)):\(getpid())"
    }
}
