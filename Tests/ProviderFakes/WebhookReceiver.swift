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

    private let server: LoopbackServer
    private let box: StateBox
    public var port: Int { server.port }
    public var url: String { "http://127.0.0.1:\(port)/hook" }

    /// Starts listening; `statuses` are answered in order, then 200; `replyBytes` bytes of body come with each answer
    /// (a receiver that answers with far more than anyone needs).
    public static func start(statuses: [Int] = [], replyBytes: Int = 0) async throws -> WebhookReceiver {
        let router = Router()
        let box = StateBox(statuses: statuses)
        router.post("hook") { request, context -> Response in
            let body = Array(buffer: try await request.body.collect(upTo: 1 << 20))
            let status = box.record(Delivery(headers: FakeReply.headers(request), body: body))
            guard replyBytes > 0 else { return Response(status: .init(code: status)) }
            return Response(status: .init(code: status), body: ResponseBody(byteBuffer: ByteBuffer(repeating: 0x61, count: replyBytes)))
        }
        return WebhookReceiver(server: try await LoopbackServer.start(router, label: "webhook-receiver"), box: box)
    }

    private init(server: LoopbackServer, box: StateBox) {
        self.server = server
        self.box = box
    }

    /// Every POST, in arrival order.
    public var received: [Delivery] { box.deliveries }

    /// The distinct reports, in arrival order: delivery is at least once (an attempt that timed out on a loaded
    /// machine may have arrived), and a report sent again carries the same body.
    public var reports: [Delivery] {
        var seen = Set<[UInt8]>()
        return received.filter { seen.insert($0.body).inserted }
    }

    public func stop() { server.stop() }

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
