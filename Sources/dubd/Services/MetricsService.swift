import Hummingbird
import ServiceLifecycle
import Logging
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import DubJobs

/// `/healthz` (database reachable) and Prometheus `/metrics` (jobs by state from the database, plus
/// this daemon's counters), served by Hummingbird.
enum MetricsService {
    static func make(host: String, port: Int, queue: JobQueue<DubJob>, metrics: WorkerMetrics, logger: Logger) -> some Service {
        let router = Router()
        router.get("healthz") { _, _ -> Response in
            do {
                try await queue.database.query("SELECT 1")
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
            } catch {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "database unreachable\n")))
            }
        }
        router.get("metrics") { _, _ -> Response in
            var text = "# TYPE dub_jobs gauge\n"
            if let stats = try? await queue.stats() {
                for (name, counts) in stats.sorted(by: { $0.key < $1.key }) {
                    for state in JobState.allCases {
                        text += "\(MetricKey("dub_jobs", labels: ["queue": name, "state": state.rawValue]).rendered) \(counts[state] ?? 0)\n"
                    }
                }
            }
            text += metrics.render()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        var log = logger
        log.logLevel = .warning
        return Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: log)
    }
}
