#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking work (long decodes, C calls that wait on I/O) on a dedicated POSIX thread, off
/// Swift's cooperative pool, and resumes the caller with its result.
public enum BlockingWork {
    /// Runs `body` on a new thread and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job {
                continuation.resume(with: Result { try body() })
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
