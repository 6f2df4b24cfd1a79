import Foundation
import Testing
import DubSupport
import ProviderAPI
@testable import Providers
@testable import Dubbing

@Suite("Retry policy (providers.md rules)")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4)

    @Test func retriesThrottlesTimeoutsAndServerErrors() {
        for status in [408, 409, 429, 500, 502, 503] {
            #expect(policy.decide(after: .response(status: status, headers: [:], isQuotaError: false), attempt: 1, jitter: 0) == .retry(after: 0.5))
        }
        #expect(policy.decide(after: .transport, attempt: 1, jitter: 0) == .retry(after: 0.5))
    }

    @Test func neverRetriesOtherClientErrorsOrQuota() {
        for status in [400, 401, 403, 404, 413, 422] {
            guard case .fail = policy.decide(after: .response(status: status, headers: [:], isQuotaError: false), attempt: 1, jitter: 0) else {
                Issue.record("\(status) was retried"); continue
            }
        }
        guard case .fail = policy.decide(after: .response(status: 429, headers: ["Retry-After": "1"], isQuotaError: true), attempt: 1) else {
            Issue.record("quota error was retried"); return
        }
    }

    @Test func shouldRetryHeaderOverridesStatus() {
        #expect(policy.decide(after: .response(status: 400, headers: ["x-should-retry": "true"], isQuotaError: false), attempt: 1, jitter: 0) == .retry(after: 0.5))
        guard case .fail = policy.decide(after: .response(status: 503, headers: ["X-Should-Retry": "false"], isQuotaError: false), attempt: 1) else {
            Issue.record("x-should-retry: false was ignored"); return
        }
    }

    @Test func serverWaitsWinMillisecondsFirst() {
        #expect(policy.decide(after: .response(status: 429, headers: ["Retry-After": "2", "retry-after-ms": "350"], isQuotaError: false), attempt: 1) == .retry(after: 0.35))
        #expect(policy.decide(after: .response(status: 429, headers: ["Retry-After": "1.5"], isQuotaError: false), attempt: 1) == .retry(after: 1.5))
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let wait = RetryPolicy.serverRequestedWait(["Retry-After": formatter.string(from: now.addingTimeInterval(30))], now: now)
        #expect(wait.map { abs($0 - 30) < 1 } == true)
        guard case .fail = policy.decide(after: .response(status: 429, headers: ["Retry-After": "600"], isQuotaError: false), attempt: 1) else {
            Issue.record("a wait over 120 s was honoured"); return
        }
    }

    @Test func backoffDoublesWithJitterAndIsCapped() {
        let wide = RetryPolicy(maxAttempts: 10)
        let waits = (1...6).map { attempt -> Double in
            guard case .retry(let wait) = wide.decide(after: .transport, attempt: attempt, jitter: 0) else { return -1 }
            return wait
        }
        #expect(waits == [0.5, 1, 2, 4, 8, 8])
        guard case .retry(let jittered) = wide.decide(after: .transport, attempt: 2, jitter: 0.999) else { Issue.record("no retry"); return }
        #expect(jittered < 1 && jittered >= 0.75)
        guard case .fail = policy.decide(after: .transport, attempt: 4) else { Issue.record("retried past max attempts"); return }
    }
}
