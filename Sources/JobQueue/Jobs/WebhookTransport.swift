import DubSupport
/// One signed report on its way to a receiver.
public struct WebhookDelivery: Sendable {
    public var url: String
    /// curl's `host:port:address` pin: the addresses `WebhookURL.resolve` checked, used for the connection.
    public var pin: String
    public var headers: [String: String]
    public var body: [UInt8]
    /// Seconds one attempt may take, connecting included.
    public var timeout: Double
}

/// How reports reach receivers: an HTTP client with its retry rules (408, 429, 5xx and transport errors retried),
/// injected so the job queue has no HTTP stack of its own (`Providers.WebhookHTTPTransport` is the real one).
public protocol WebhookTransport: Sendable {
    /// Posts the report, retrying; returns the receiver's 2xx status, or throws `WebhookDeliveryError`.
    func post(_ delivery: WebhookDelivery) async throws -> Int
}

/// A report that could not be delivered.
public struct WebhookDeliveryError: Error, CustomStringConvertible, Sendable {
    /// The last HTTP status, 0 when none came.
    public var status: Int
    public var attempts: Int
    public var message: String
    /// Whether the address was refused before any connection.
    public var addressRefused: Bool

    public init(status: Int, attempts: Int, message: String, addressRefused: Bool = false) {
        self.status = status
        self.attempts = attempts
        self.message = message
        self.addressRefused = addressRefused
    }

    /// One line on why a delivery failed (status or transport error, attempts); no URL, no secret.
    public var description: String {
        if addressRefused { return "address not allowed: \(message)" }
        let what = status != 0 ? "HTTP \(status)" : message
        return "\(what) after \(attempts) attempt\(attempts == 1 ? "" : "s")"
    }
}
