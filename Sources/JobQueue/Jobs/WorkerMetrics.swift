import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// Counters a worker keeps for `/metrics`: claims and their latency, outcomes, heartbeats, lost leases.
public final class WorkerMetrics: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var counters: [String: Double] = [:]
    private var claimLatency = Histogram(bounds: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5])
    private var jobSeconds = Histogram(bounds: [1, 10, 60, 300, 900, 1800, 3600, 7200])

    public init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    func claimed(count: Int, seconds: Double) {
        locked {
            counters["dub_jobs_claimed_total", default: 0] += Double(count)
            if count > 0 { claimLatency.observe(seconds) }
        }
    }

    func claimError() { locked { counters["dub_claim_errors_total", default: 0] += 1 } }
    func heartbeat() { locked { counters["dub_heartbeats_total", default: 0] += 1 } }
    func leaseLost() { locked { counters["dub_leases_lost_total", default: 0] += 1 } }

    func finished(_ state: JobState, seconds: Double) {
        locked {
            counters["dub_jobs_finished_total{state=\"\(state.rawValue)\"}", default: 0] += 1
            if state == .retrying { counters["dub_job_retries_total", default: 0] += 1 }
            jobSeconds.observe(seconds)
        }
    }

    /// Adds `value` to a named counter (labels inline, e.g. `dub_provider_errors_total{provider="openai"}`).
    public func add(_ name: String, _ value: Double = 1) { locked { counters[name, default: 0] += value } }

    /// The counters and histograms in Prometheus text format.
    public func render() -> String {
        locked {
            var lines: [String] = []
            for (name, value) in counters.sorted(by: { $0.key < $1.key }) {
                lines.append("\(name) \(value)")
            }
            lines += claimLatency.render("dub_claim_latency_seconds")
            lines += jobSeconds.render("dub_job_duration_seconds")
            return lines.joined(separator: "\n") + "\n"
        }
    }

    struct Histogram {
        let bounds: [Double]
        var buckets: [Double]
        var sum = 0.0
        var count = 0.0

        init(bounds: [Double]) {
            self.bounds = bounds
            buckets = Array(repeating: 0, count: bounds.count)
        }

        mutating func observe(_ value: Double) {
            for (i, bound) in bounds.enumerated() where value <= bound { buckets[i] += 1 }
            sum += value
            count += 1
        }

        func render(_ name: String) -> [String] {
            ["# TYPE \(name) histogram"] + zip(bounds, buckets).map { "\(name)_bucket{le=\"\($0)\"} \($1)" }
                + ["\(name)_bucket{le=\"+Inf\"} \(count)", "\(name)_sum \(sum)", "\(name)_count \(count)"]
        }
    }
}
