import DubSupport
import ProviderAPI
import Synchronization

/// Spaces request starts at least `1 / perSecond` apart (a provider's request-rate limit), in arrival order.
final class RateLimiter: Sendable {
    private let interval: Duration
    /// When the next request may start.
    private let next = Mutex<ContinuousClock.Instant>(.now)

    /// `perSecond` nil or not positive: no limit.
    init?(perSecond: Double?) {
        guard let perSecond, perSecond > 0 else { return nil }
        interval = .nanoseconds(Int64(1e9 / perSecond))
    }

    /// Waits for this request's turn.
    func wait() async throws {
        let slot = next.withLock { next -> ContinuousClock.Instant in
            let slot = max(next, .now)
            next = slot + interval
            return slot
        }
        if slot > .now { try await Task.sleep(until: slot, clock: .continuous) }
    }
}
