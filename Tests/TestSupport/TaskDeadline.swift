import Foundation
import Synchronization

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
