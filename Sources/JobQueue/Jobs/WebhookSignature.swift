import DubSupport

/// The signature on a job webhook: `sha256=` and the hex HMAC-SHA256, keyed with the shared secret, of
/// `"<timestamp>.<body>"` (the timestamp is also sent as `X-Dub-Timestamp`, so a receiver can refuse old replays).
///
/// To verify: recompute `HMAC-SHA256(secret, X-Dub-Timestamp + "." + raw body)`, compare it in constant time with
/// `X-Dub-Signature` (after `sha256=`), and reject timestamps more than a few minutes old.
public enum WebhookSignature {
    /// The `X-Dub-Signature` value for `body` sent at `timestamp` (unix seconds): `sha256=` and 64 hex digits.
    public static func sign(body: [UInt8], timestamp: Int, secret: String) -> String {
        "sha256=" + Digest.hex(Digest.hmacSHA256(key: Array(secret.utf8), message: Array("\(timestamp).".utf8) + body))
    }
}
