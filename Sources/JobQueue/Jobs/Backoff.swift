import DubSupport
/// The retry schedule: `min(base · 4^(attempt−1), cap)`, with ±`jitter` spread.
public struct Backoff: Sendable, Equatable {
    public var base: Double = 30
    public var factor: Double = 4
    public var cap: Double = 3600
    public var jitter: Double = 0.1

    public init() {}

    /// The delay before retrying after failed attempt `attempt` (1-based), without jitter.
    public func baseDelay(afterAttempt attempt: Int) -> Double {
        var delay = base
        for _ in 1..<max(attempt, 1) {
            delay *= factor
            if delay >= cap { return cap }
        }
        return min(delay, cap)
    }

    /// The delay with jitter; `unit` is a random number in [0, 1).
    public func delay(afterAttempt attempt: Int, unit: Double) -> Double {
        baseDelay(afterAttempt: attempt) * (1 + jitter * (2 * unit - 1))
    }

    /// The base delays for attempts 1...count, for statements that schedule many jobs at once.
    func table(_ count: Int = 12) -> String {
        "{" + (1...count).map { "\(baseDelay(afterAttempt: $0))" }.joined(separator: ",") + "}"
    }
}
