import COpenSSL

/// SHA-256 and HMAC-SHA256 through OpenSSL's libcrypto, and the one hex encoder.
public enum Digest {
    /// The SHA-256 of `bytes` (32 bytes).
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let buffer = Array(bytes)
        let ok = buffer.withUnsafeBytes { dub_sha256($0.baseAddress, $0.count, &digest) }
        precondition(ok == 1, "SHA-256 failed")
        return digest
    }

    /// The HMAC-SHA256 of `message` keyed with `key` (32 bytes).
    public static func hmacSHA256(key: some Collection<UInt8>, message: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let key = Array(key), message = Array(message)
        let ok = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in dub_hmac_sha256(k.baseAddress, Int32(k.count), m.baseAddress, m.count, &digest) }
        }
        precondition(ok == 1, "HMAC-SHA256 failed")
        return digest
    }

    /// Lower-case hex of `bytes`.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
