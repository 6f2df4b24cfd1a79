#if canImport(Glibc)
import Glibc
#endif

/// One dedicated POSIX thread that runs submitted blocking work in order, off Swift's cooperative
/// pool. It owns whatever C handle is only ever touched from it (a database connection, say).
public final class SerialThread: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var queue: [() -> Void] = []
    private var stopping = false
    private var thread = pthread_t()

    /// Starts the thread.
    public init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { raw in
            let owner = Unmanaged<SerialThread>.fromOpaque(raw!).takeRetainedValue()
            owner.loop()
            return nil
        }, context)
        precondition(rc == 0, "cannot start a worker thread")
        // Nobody joins it: it exits after `shutdown` and its resources go back at once.
        pthread_detach(thread)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// Asks the thread to finish the queued work and exit.
    public func shutdown() {
        pthread_mutex_lock(&mutex)
        stopping = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    /// Runs `body` on the thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Whether the caller runs on this thread.
    public var isCurrent: Bool { pthread_equal(pthread_self(), thread) != 0 }

    /// Queues `work` without waiting for it.
    public func submit(_ work: @escaping () -> Void) {
        pthread_mutex_lock(&mutex)
        queue.append(work)
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }

    private func loop() {
        while true {
            pthread_mutex_lock(&mutex)
            while queue.isEmpty && !stopping { pthread_cond_wait(&condition, &mutex) }
            if queue.isEmpty && stopping {
                pthread_mutex_unlock(&mutex)
                return
            }
            let work = queue.removeFirst()
            pthread_mutex_unlock(&mutex)
            work()
        }
    }
}

/// The thread as an actor's executor: an actor whose `unownedExecutor` is a `SerialThread` runs its jobs on that
/// thread, so blocking work the thread owns (a database connection's statements) runs inline from the actor, with no
/// hop to another thread and back.
extension SerialThread: SerialExecutor {
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job), executor = asUnownedSerialExecutor()
        submit { job.runSynchronously(on: executor) }
    }

    public func checkIsolated() {
        precondition(isCurrent, "not on the serial thread")
    }
}
