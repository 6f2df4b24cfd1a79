import Dispatch
import Synchronization

/// Blocking work split over threads that run at once.
public enum ParallelWork {
    /// Runs `body(0)` … `body(count - 1)` at once, each on a thread of GCD's (`concurrentPerform`), each stopping with
    /// the work that called this and as soon as another fails (`WorkCancellation`). Returns the results in order, or
    /// throws the error that stopped one of them rather than the cancellation it caused in the others. Blocking.
    public static func run<T: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        let results = Mutex<[Result<T, any Error>?]>(Array(repeating: nil, count: count))
        let flag = CancelFlag(parent: WorkCancellation.currentFlag)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let result = Result { try WorkCancellation.with(flag) { try body(index) } }
            if case .failure = result { flag.set() }
            results.withLock { $0[index] = result }
        }
        let all = results.withLock { $0.map { $0! } }
        for case .failure(let error) in all where !(error is CancellationError) { throw error }
        return try all.map { try $0.get() }
    }
}
