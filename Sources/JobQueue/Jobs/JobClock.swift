import DubSupport

/// Where the queue's "now" comes from. By default the database server's clock, so several machines
/// agree; tests inject their own to move time forward without waiting.
public struct JobClock: Sendable {
    let current: @Sendable () -> Double?

    /// The database server's `now()`.
    public static let database = JobClock { nil }

    /// A clock that reads `source` (seconds since 1970).
    public static func custom(_ source: @escaping @Sendable () -> Double) -> JobClock { JobClock { source() } }

    /// The time to pass to SQL as `$n`: epoch seconds, or NULL for the server's clock.
    var parameter: String? { current().map { "\($0)" } }

    /// Seconds since 1970 on this machine.
    public static func systemNow() -> Double { SystemClock.now() }
}
