import DubSupport
/// A failed provider call: which provider, the HTTP status (0 when none came), the provider's request id and
/// message. The description is one line for users and never holds a key.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for programs.
    public enum Code: String, Sendable {
        case transport, timeout, http, quota, authentication, badResponse, insecureURL, notConfigured, cancelled
        /// The answer was larger than the request allows (never retried).
        case tooLarge
        /// The address is not allowed (a webhook to a private network; never retried).
        case addressNotAllowed
        /// The provider or model cannot do what was asked (a language it does not know, a limit), found before sending.
        case unsupported
    }

    public let code: Code
    public let provider: String
    public let status: Int
    public let requestID: String?
    public let message: String
    public let attempts: Int

    public init(code: Code, provider: String, status: Int = 0, requestID: String? = nil, message: String, attempts: Int = 1) {
        self.code = code
        self.provider = provider
        self.status = status
        self.requestID = requestID
        self.message = message
        self.attempts = attempts
    }

    public var description: String {
        var parts = ["\(provider): \(message)"]
        if status != 0 { parts.append("HTTP \(status)") }
        if let requestID { parts.append("request id \(requestID)") }
        if attempts > 1 { parts.append("after \(attempts) attempts") }
        return parts.joined(separator: ", ") + advice
    }

    private var advice: String {
        switch code {
        case .authentication: " — check the API key in the environment or config file"
        case .quota: " — the account is out of quota or credits"
        case .insecureURL: " — use https:// (plain http is allowed only to a loopback host)"
        case .notConfigured: " — set the environment variable or config entry"
        default: ""
        }
    }
}
