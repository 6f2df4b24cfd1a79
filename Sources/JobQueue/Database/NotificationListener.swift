import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// LISTEN on a dedicated connection: payloads arrive on an `AsyncStream`. A lost connection is
/// re-established (with backoff) and the LISTEN renewed; a notification sent while it was down is
/// missed, which is why queue consumers also poll.
public final class NotificationListener: Sendable {
    private let configuration: Database.Configuration
    private let channel: String

    /// Listens on `channel` (an SQL identifier: letters, digits, underscores).
    public init(_ configuration: Database.Configuration, channel: String) throws {
        guard !channel.isEmpty, channel.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw DatabaseError(.query, "invalid channel name '\(channel)'")
        }
        self.configuration = configuration
        self.channel = channel
    }

    /// Notification payloads until the stream is cancelled.
    public func payloads() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        let flag = StopFlag()
        continuation.onTermination = { _ in flag.stop() }
        let thread = SerialThread()
        let configuration = configuration, channel = channel
        thread.submit {
            let holder = ConnectionHolder()
            while !flag.isStopped {
                do {
                    let connection = try holder.connection(configuration)
                    _ = try connection.query("LISTEN \(channel)", [])
                    while !flag.isStopped {
                        for note in try connection.notifications(timeoutMs: 200) where note.channel == channel {
                            continuation.yield(note.payload)
                        }
                    }
                } catch {
                    holder.drop()
                    usleep(200_000)
                }
            }
            continuation.finish()
            thread.shutdown()
        }
        return stream
    }
}

/// A thread-safe one-way switch.
final class StopFlag: @unchecked Sendable {
    private var stopped = false
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func stop() { pthread_mutex_lock(&mutex); stopped = true; pthread_mutex_unlock(&mutex) }
    var isStopped: Bool { pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }; return stopped }
}
