import JobQueue
import Testing

@Suite("Worker metrics in the Prometheus text format")
struct WorkerMetricsTests {
    @Test("counters with named labels: one TYPE line per name, a line per label set, sums per set, label values escaped")
    func labels() {
        let metrics = WorkerMetrics()
        metrics.add("dub_provider_requests_total", labels: ["provider": "openai"], 2)
        metrics.add("dub_provider_requests_total", labels: ["provider": "openai"], 3)
        metrics.add("dub_provider_requests_total", labels: ["provider": "elevenlabs"])
        metrics.add("dub_provider_errors_total", labels: ["provider": "odd\"name\\with\nnewline", "code": "rate_limited"])
        metrics.add("dub_jobs_rescued_total")
        let lines = metrics.render().split(separator: "\n").map(String.init)
        #expect(lines.filter { $0 == "# TYPE dub_provider_requests_total counter" }.count == 1)
        #expect(lines.contains("dub_provider_requests_total{provider=\"openai\"} 5.0"))
        #expect(lines.contains("dub_provider_requests_total{provider=\"elevenlabs\"} 1.0"))
        #expect(lines.contains("dub_provider_errors_total{provider=\"odd\\\"name\\\\with\\nnewline\",code=\"rate_limited\"} 1.0"), "\(lines)")
        #expect(lines.contains("dub_jobs_rescued_total 1.0"))
        #expect(lines.contains("# TYPE dub_claim_latency_seconds histogram"))
    }

    @Test("a queue's name is escaped in its labels")
    func keyRendering() {
        #expect(MetricKey("dub_jobs", labels: ["queue": "a\"b", "state": "queued"]).rendered == "dub_jobs{queue=\"a\\\"b\",state=\"queued\"}")
        #expect(MetricKey("dub_heartbeats_total").rendered == "dub_heartbeats_total")
    }
}
