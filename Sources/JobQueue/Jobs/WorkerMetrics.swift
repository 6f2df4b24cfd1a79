import DubSupport
import Synchronization

/// Counters a worker keeps for `/metrics`: claims and their latency, outcomes, heartbeats, lost leases, and what the
/// job handler adds (by name and labels).
public final class WorkerMetrics: Sendable {
    private struct State {
        var counters: [MetricKey: Double] = [:]
        var claimLatency = Histogram(bounds: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5])
        var jobSeconds = Histogram(bounds: [1, 10, 60, 300, 900, 1800, 3600, 7200])
    }

    private let state = Mutex(State())

    public init() {}

    /// A claim of `count` jobs; `seconds` is its latency, nil for a claim sent in the same round trip as a job's
    /// completion (its latency is the pair's, so it is not observed; such claims are counted apart).
    func claimed(count: Int, seconds: Double?) {
        state.withLock {
            $0.counters[MetricKey("dub_jobs_claimed_total"), default: 0] += Double(count)
            if let seconds {
                if count > 0 { $0.claimLatency.observe(seconds) }
            } else {
                $0.counters[MetricKey("dub_claims_with_completion_total"), default: 0] += 1
            }
        }
    }

    func claimError() { add("dub_claim_errors_total") }
    func heartbeat() { add("dub_heartbeats_total") }
    func leaseLost() { add("dub_leases_lost_total") }

    func finished(_ jobState: JobState, seconds: Double) {
        state.withLock {
            $0.counters[MetricKey("dub_jobs_finished_total", labels: ["state": jobState.rawValue]), default: 0] += 1
            if jobState == .retrying { $0.counters[MetricKey("dub_job_retries_total"), default: 0] += 1 }
            $0.jobSeconds.observe(seconds)
        }
    }

    /// Adds `value` to the counter `name` with `labels`, e.g. `add("dub_provider_errors_total", labels: ["provider": "openai"])`.
    public func add(_ name: String, labels: KeyValuePairs<String, String> = [:], _ value: Double = 1) {
        let key = MetricKey(name, labels: labels)
        state.withLock { $0.counters[key, default: 0] += value }
    }

    /// The counters and histograms in Prometheus text format: each counter's type once, then its label sets.
    public func render() -> String {
        state.withLock { state in
            var lines: [String] = []
            var typed: Set<String> = []
            for (key, value) in state.counters.sorted(by: { $0.key < $1.key }) {
                if typed.insert(key.name).inserted { lines.append("# TYPE \(key.name) counter") }
                lines.append("\(key.rendered) \(value)")
            }
            lines += state.claimLatency.render("dub_claim_latency_seconds")
            lines += state.jobSeconds.render("dub_job_duration_seconds")
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
