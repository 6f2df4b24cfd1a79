#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs blocking work (long decodes, C calls that wait on I/O) on a dedicated POSIX thread, off Swift's
/// cooperative pool, and resumes the caller with its result. Cancelling the calling task sets the work's
/// `CancelFlag`, which the long loops check (`WorkCancellation.check()`) at least every ~100 ms of work.
public enum BlockingWork {
    /// Runs `body` on a new thread and returns its result; throws `CancellationError` if the calling task is
    /// cancelled while the work checks its flag.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let flag = CancelFlag(deadline: WorkCancellation.deadline)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let job = Job {
                    continuation.resume(with: Result { try WorkCancellation.with(flag) { try body() } })
                }
                var attributes = pthread_attr_t()
                pthread_attr_init(&attributes)
                defer { pthread_attr_destroy(&attributes) }
                pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
                pthread_attr_setstacksize(&attributes, 8 << 20)
                var thread = pthread_t()
                let context = Unmanaged.passRetained(job).toOpaque()
                let rc = pthread_create(&thread, &attributes, { raw in
                    let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                    job.work()
                    return nil
                }, context)
                if rc != 0 {
                    Unmanaged<Job>.fromOpaque(context).release()
                    continuation.resume(throwing: ThreadStartError(code: rc))
                }
            }
        } onCancel: {
            flag.set()
        }
    }

    /// The thread could not be started.
    public struct ThreadStartError: Error, CustomStringConvertible {
        public let code: Int32
        public var description: String { "cannot start a worker thread: \(String(cString: strerror(code)))" }
    }

    private final class Job: @unchecked Sendable {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }
}

/// A flag set from a cancellation handler and read by blocking work on another thread; with a deadline, it also
/// counts as set once the deadline has passed.
public final class CancelFlag: Sendable {
    private let value = Atomic<Bool>(false)
    private let deadline: Deadline?
    private let parent: CancelFlag?
    /// A flag that is also set when `parent` is (the work that started a thread of its own).
    public init(deadline: Deadline? = nil, parent: CancelFlag? = nil) {
        self.deadline = deadline
        self.parent = parent
    }
    /// Whether cancellation was requested (or the deadline passed, or the parent was cancelled).
    public var isSet: Bool { value.load(ordering: .relaxed) || deadline?.hasPassed == true || parent?.isSet == true }
    /// Requests cancellation.
    public func set() { value.store(true, ordering: .relaxed) }
}

/// A moment on the monotonic clock (which keeps running while the process is stopped) after which work must stop:
/// a job's lease. The worker moves it on with every renewed lease; a process frozen past it (SIGSTOP, a stalled VM)
/// stops writing the moment it runs again, before any heartbeat could tell it the lease is gone.
public final class Deadline: Sendable {
    private let nanoseconds: Atomic<UInt64>

    /// A deadline `seconds` from now.
    public init(secondsFromNow seconds: Double) {
        nanoseconds = Atomic(Self.now() + UInt64(max(0, seconds) * 1e9))
    }

    /// Moves the deadline to `seconds` after `since` (a `Deadline.now()` reading), never earlier than it is.
    public func extend(seconds: Double, since start: UInt64) {
        let target = start + UInt64(max(0, seconds) * 1e9)
        var current = nanoseconds.load(ordering: .relaxed)
        while target > current {
            let (exchanged, original) = nanoseconds.compareExchange(expected: current, desired: target, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
    }

    /// Whether the deadline has passed.
    public var hasPassed: Bool { Self.now() > nanoseconds.load(ordering: .relaxed) }

    /// The monotonic clock in nanoseconds.
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// The cancel flag of the blocking work running on the current thread (set by `BlockingWork.run`), so the media
/// loops deep inside AudioKitCore can stop promptly without a flag threaded through every signature; outside
/// blocking work, the current task's cancellation and its `deadline`.
public enum WorkCancellation {
    /// The deadline of the work the current task does (a job's lease), if it has one.
    @TaskLocal public static var deadline: Deadline?

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "cannot create a thread-local key")
        return key
    }()

    /// Runs `body` with `flag` as this thread's cancel flag.
    public static func with<T>(_ flag: CancelFlag, _ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(flag).toOpaque())
        defer { pthread_setspecific(key, previous) }
        return try withExtendedLifetime(flag) { try body() }
    }

    /// The cancel flag of the blocking work on this thread, if any (for work it hands on to threads of its own).
    public static var currentFlag: CancelFlag? {
        pthread_getspecific(key).map { Unmanaged<CancelFlag>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Whether the work on this thread has been cancelled: its `BlockingWork` flag, or the Swift task running
    /// this code (for synchronous code called from async code).
    public static var isCancelled: Bool {
        if let raw = pthread_getspecific(key) { return Unmanaged<CancelFlag>.fromOpaque(raw).takeUnretainedValue().isSet }
        return withUnsafeCurrentTask { $0?.isCancelled ?? false } || deadline?.hasPassed == true
    }

    /// Throws `CancellationError` when the work on this thread has been cancelled.
    public static func check() throws {
        if isCancelled { throw CancellationError() }
    }
}
