import Hummingbird
import Logging
import ServiceLifecycle

/// A Hummingbird application on 127.0.0.1 and a free port, run in its own service group so that `stop()` shuts it
/// down gracefully: no new connections, and requests under way (a stalled one included) finish in the background.
/// Cancelling the task that runs the application instead can drop a connection accepted at that moment without
/// finishing its writer, which SwiftNIO treats as a fatal error; and the group sets no time limits, since it ends a
/// process that overruns one.
final class LoopbackServer: Sendable {
    let port: Int
    private let group: ServiceGroup

    /// Starts `router` and returns once it is listening.
    static func start(_ router: Router<BasicRequestContext>, label: String) async throws -> LoopbackServer {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw CancellationError()
        }
        return LoopbackServer(port: port, group: group)
    }

    private init(port: Int, group: ServiceGroup) {
        self.port = port
        self.group = group
    }

    /// Begins a graceful shutdown and returns at once.
    func stop() {
        Task { [group] in await group.triggerGracefulShutdown() }
    }
}
