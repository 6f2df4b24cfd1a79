import Foundation
import HTTPTypes
import Hummingbird

/// Building blocks the provider fakes share: JSON and binary replies, request ids, and the transport-level faults
/// (stall, truncated body, malformed JSON) that look the same for every provider.
enum FakeReply {
    static func json(_ status: Int, _ object: Any, headers: [(String, String)] = []) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        var fields: HTTPFields = [.contentType: "application/json"]
        for (name, value) in headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
    }

    static func bytes(_ bytes: [UInt8], contentType: String, headers: [(String, String)] = []) -> Response {
        var fields: HTTPFields = [.contentType: contentType]
        for (name, value) in headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func requestID() -> String { UUID().uuidString.lowercased() }

    /// The reply for a transport-level fault, or nil for faults each provider words itself (rate limit, quota, 5xx).
    /// A stall sleeps and then returns nil so the normal answer follows.
    static func transport(_ fault: FakeFault) async throws -> Response? {
        switch fault {
        case .stall(let seconds):
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        case .stallMidBody(let seconds):
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(bytes: [UInt8](repeating: 0, count: 4096)))
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                throw CancellationError()
            })
        case .truncatedBody:
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(bytes: [UInt8](repeating: 0, count: 4096)))
                throw CancellationError()
            })
        case .malformedJSON:
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"text\": \"unterminated")))
        default:
            return nil
        }
    }

    static func headers(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for field in request.headers { out[field.name.canonicalName] = field.value }
        return out
    }
}
