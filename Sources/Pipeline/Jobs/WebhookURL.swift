import Foundation

/// Checks a job's webhook address before it is stored and before anything is sent to it.
public enum WebhookURL {
    /// Why a webhook address is refused.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "invalid webhook URL: \(reason)" }
    }

    /// An absolute http(s) URL with a host and no user or password in it (logs show the URL; the signature, not
    /// the address, authenticates dub). Tokens in the query are fine: logs leave the query out.
    public static func validate(_ url: String) throws(Invalid) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased() else {
            throw Invalid(reason: "not an absolute URL")
        }
        guard scheme == "https" || scheme == "http" else { throw Invalid(reason: "use http:// or https://, not \(scheme)://") }
        guard let host = parts.host, !host.isEmpty else { throw Invalid(reason: "no host") }
        guard parts.user == nil && parts.password == nil else {
            throw Invalid(reason: "credentials in the URL would end up in logs; use a token in the query instead")
        }
    }
}
