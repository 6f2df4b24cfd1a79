import DubSupport
import ProviderAPI
import Foundation

/// One HTTP request to a provider. Secrets go in `secretHeaders`, which are sent but never logged.
public struct HTTPRequest: Sendable {
    public enum Body: Sendable {
        case none
        case bytes([UInt8], contentType: String)
        /// multipart/form-data; file parts are streamed from disk by curl's MIME API.
        case multipart([MultipartPart])
    }

    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var secretHeaders: HTTPHeaders
    public var body: Body
    /// Seconds to connect, and for the whole request (the server's think time included): see `HTTPTimeouts`.
    public var connectTimeout: Double = 10
    public var totalTimeout: Double = 120
    /// Seconds without a byte moving while uploading, or once the answer's body has started, before the transfer is
    /// abandoned (and retried). Waiting for the first byte of the answer is not a stall.
    public var stallTimeout: Double = 60
    /// When set, a 2xx response body is streamed to this file (replaced on every attempt) instead of being held
    /// in memory; error bodies stay in `HTTPResponse.body`.
    public var responseFile: String?
    /// The most bytes an answer may have: held in memory (error bodies and JSON), or streamed to `responseFile`.
    public var maxResponseBytes = 64 << 20
    public var maxFileBytes: Int64 = 4 << 30
    /// Addresses to use for host names instead of asking DNS (`host:port:address`, curl's `CURLOPT_RESOLVE`): a
    /// webhook's host is resolved and checked once, then pinned for the connection.
    public var pinnedAddresses: [String] = []
    /// False for a request that must not be sent twice (it creates something, such as a cloned voice): it is then
    /// retried only after a 429, which the service answers without doing the work, and its answer is not asked again.
    public var isIdempotent = true

    public init(method: String = "POST", url: String, headers: HTTPHeaders = [:], secretHeaders: HTTPHeaders = [:], body: Body = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.secretHeaders = secretHeaders
        self.body = body
    }

    /// A JSON body from an Encodable value.
    public static func json<T: Encodable>(_ url: String, _ value: T, secretHeaders: HTTPHeaders = [:]) throws -> HTTPRequest {
        let data = try JSONEncoder().encode(value)
        return HTTPRequest(url: url, secretHeaders: secretHeaders, body: .bytes(Array(data), contentType: "application/json"))
    }

    /// `text` percent-encoded for a form field, a query value or one path segment: everything but letters, digits and
    /// `-._~` escaped (`/`, `&` and `=` included).
    public static func escaped(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A form-urlencoded body.
    public static func form(_ url: String, _ fields: [(String, String)], secretHeaders: HTTPHeaders = [:]) -> HTTPRequest {
        let text = fields.map { name, value in
            "\(escaped(name))=\(escaped(value))"
        }.joined(separator: "&")
        return HTTPRequest(url: url, secretHeaders: secretHeaders,
                           body: .bytes(Array(text.utf8), contentType: "application/x-www-form-urlencoded"))
    }
}

/// One part of a multipart/form-data body.
public struct MultipartPart: Sendable {
    public enum Content: Sendable {
        case text(String)
        case file(path: String, filename: String, contentType: String)
    }
    public var name: String
    public var content: Content
    public init(name: String, _ content: Content) {
        self.name = name
        self.content = content
    }
}

/// A provider's answer.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
