import Synchronization

/// "Nothing is running": waiters resume when it becomes true, or when their own task is cancelled (so a race against
/// a timeout never leaves a waiter behind).
final class IdleSignal: Sendable {
    private let state = Mutex<(idle: Bool, waiters: [Int: CheckedContinuation<Void, Never>], next: Int)>((true, [:], 0))

    /// Records whether anything is running; becoming idle wakes every waiter.
    func set(idle: Bool) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.idle = idle
            guard idle else { return [] }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once idle (at once when idle now), or when the calling task is cancelled.
    func wait() async {
        let id = state.withLock { state -> Int in state.next += 1; return state.next }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.idle || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
