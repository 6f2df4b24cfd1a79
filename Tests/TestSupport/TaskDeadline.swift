import Foundation
import Synchronization
import Testing

/// The value of `task`, or nil if it has not finished within `seconds` of wall time (the task is left running). A test
/// that waits on work it cannot cancel uses this, so a bug makes it fail instead of holding up the whole suite.
public func value<T: Sendable>(of task: Task<T, Never>, within seconds: Double) async -> T? {
    await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        let once = ResumeOnce(continuation)
        Task { once.resume(await task.value) }
        Task { try? await Task.sleep(for: .seconds(seconds)); once.resume(nil) }
    }
}

/// A continuation that the first of several racers resumes.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, Never>?>
    init(_ continuation: CheckedContinuation<T?, Never>) { self.continuation = Mutex(continuation) }
    func resume(_ value: T?) { continuation.withLock { $0.take() }?.resume(returning: value) }
}

/// Checks `condition` every `interval` until it holds, for up to `seconds` of wall time; if it never does, records an
/// issue saying `what` was awaited. For tests that wait on work running elsewhere (a worker, a daemon, a database).
public func eventually(_ what: String = "condition", within seconds: Double, every interval: Duration = .milliseconds(25),
                       sourceLocation: SourceLocation = #_sourceLocation,
                       _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    if try await condition() { return }
    Issue.record("\(what): not met within \(seconds) s", sourceLocation: sourceLocation)
}
