import DubSupport
import ProviderAPI
import Foundation

/// The retry rules shared by every provider (`providers.md`, "Retry rules"): retry transport errors, timeouts,
/// 408, 409, 429 and 5xx; never other 4xx; never a quota error; `x-should-retry` overrides the status rule;
/// `retry-after-ms` then `Retry-After` (seconds or HTTP date) win over backoff; waits over the cap are failures.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// First backoff wait, in seconds.
    public var initialBackoff: Double
    /// Largest backoff wait, in seconds.
    public var maxBackoff: Double
    /// Largest server-requested wait that is honoured; a longer one ends the retries.
    public var maxServerWait: Double

    public init(maxAttempts: Int = 4, initialBackoff: Double = 0.5, maxBackoff: Double = 8, maxServerWait: Double = 120) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxServerWait = maxServerWait
    }

    /// What to do after one failed attempt.
    public enum Decision: Sendable, Equatable {
        /// Try again after this many seconds.
        case retry(after: Double)
        /// Give up; the reason is for the error message.
        case fail(reason: String)
    }

    /// What one attempt ended with.
    public enum Outcome: Sendable {
        /// No HTTP response (connection refused, reset, timeout, truncated body).
        case transport
        /// An HTTP response that is not a success.
        case response(status: Int, headers: HTTPHeaders, isQuotaError: Bool)
    }

    /// Decides whether attempt number `attempt` (1-based) is followed by another, and after how long.
    /// `jitter` is a number in 0..<1 (random in production, fixed in tests).
    public func decide(after outcome: Outcome, attempt: Int, jitter: Double = Double.random(in: 0..<1)) -> Decision {
        var serverWait: Double?
        switch outcome {
        case .transport:
            break
        case .response(let status, let headers, let isQuotaError):
            if isQuotaError { return .fail(reason: "quota exhausted") }
            let retryable: Bool
            switch headers["x-should-retry"]?.lowercased() {
            case "true": retryable = true
            case "false": retryable = false
            default: retryable = Self.isRetryable(status: status)
            }
            if !retryable { return .fail(reason: "HTTP \(status) is not retryable") }
            serverWait = Self.serverRequestedWait(headers)
        }
        if attempt >= maxAttempts { return .fail(reason: "gave up after \(attempt) attempts") }
        if let wait = serverWait {
            if wait > maxServerWait { return .fail(reason: "server asked to wait \(Int(wait)) s") }
            return .retry(after: max(0, wait))
        }
        let base = min(maxBackoff, initialBackoff * pow(2, Double(attempt - 1)))
        // Full wait minus up to a quarter, as the official SDKs do.
        return .retry(after: base * (1 - 0.25 * jitter))
    }

    /// 408, 409, 429 and 5xx are worth another try.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || status >= 500
    }

    /// `retry-after-ms` first, then `Retry-After` as seconds (possibly fractional) or an HTTP date.
    public static func serverRequestedWait(_ headers: HTTPHeaders, now: Date = Date()) -> Double? {
        if let ms = headers["retry-after-ms"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) {
            return ms / 1000
        }
        guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: value) { return max(0, date.timeIntervalSince(now)) }
        return nil
    }
}
