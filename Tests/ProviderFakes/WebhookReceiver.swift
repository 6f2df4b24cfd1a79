import Foundation
import Hummingbird
import Synchronization

/// A webhook endpoint for tests: records every POST (headers and raw body) to `/hook` and answers with the next
/// queued status (200 once the queue is empty).
public final class WebhookReceiver: Sendable {
    public struct Delivery: Sendable {
        public var headers: [String: String]
        public var body: [UInt8]
    }

    private let task: Task<Void, Error>
    private let box: StateBox
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)/hook" }

    /// Starts listening; `statuses` are answered in order, then 200.
    public static func start(statuses: [Int] = []) async throws -> WebhookReceiver {
        let router = Router()
        let box = StateBox(statuses: statuses)
        router.post("hook") { request, context -> Response in
            let body = Array(buffer: try await request.body.collect(upTo: 1 << 20))
            let status = box.record(Delivery(headers: FakeReply.headers(request), body: body))
            return Response(status: .init(code: status))
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        let task = Task { try await app.run() }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return WebhookReceiver(port: port, task: task, box: box)
    }

    private init(port: Int, task: Task<Void, Error>, box: StateBox) {
        self.port = port
        self.task = task
        self.box = box
    }

    public var received: [Delivery] { box.deliveries }

    public func stop() { task.cancel() }

    final class StateBox: Sendable {
        let state: Mutex<(deliveries: [Delivery], statuses: [Int])>
        init(statuses: [Int]) { state = Mutex(([], statuses)) }
        func record(_ delivery: Delivery) -> Int {
            state.withLock { s in
                s.deliveries.append(delivery)
                return s.statuses.isEmpty ? 200 : s.statuses.removeFirst()
            }
        }
        var deliveries: [Delivery] { state.withLock { $0.deliveries } }
    }
}
