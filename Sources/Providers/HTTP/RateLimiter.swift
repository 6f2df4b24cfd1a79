import Synchronization

/// Spaces request starts at least `1 / perSecond` apart (a provider's request-rate limit), in arrival order, on an
/// injectable clock (tests move time by hand).
final class RateLimiter: Sendable {
    private let interval: Duration
    /// When the next request may start, as time since the limiter was made.
    private let next = Mutex<Duration>(.zero)
    private let elapsed: @Sendable () -> Duration
    private let sleep: @Sendable (Duration) async throws -> Void

    /// `perSecond` nil or not positive: no limit.
    init?<C: Clock>(perSecond: Double?, clock: C = ContinuousClock()) where C.Duration == Duration {
        guard let perSecond, perSecond > 0 else { return nil }
        interval = .nanoseconds(Int64(1e9 / perSecond))
        let start = clock.now
        elapsed = { start.duration(to: clock.now) }
        sleep = { try await clock.sleep(until: start.advanced(by: $0), tolerance: nil) }
    }

    /// Waits for this request's turn.
    func wait() async throws {
        let now = elapsed()
        let slot = next.withLock { next -> Duration in
            let slot = max(next, now)
            next = slot + interval
            return slot
        }
        if slot > now { try await sleep(slot) }
    }
}
