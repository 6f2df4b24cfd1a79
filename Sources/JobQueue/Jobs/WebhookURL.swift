import DubSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks a job's webhook address before it is stored and before anything is sent to it.
///
/// A webhook must not reach into the daemon's own network: loopback, private, link-local (cloud metadata at
/// 169.254.169.254), carrier-grade NAT, multicast and reserved addresses are refused, after DNS resolution, unless the
/// operator allows them (`DUB_WEBHOOK_ALLOW`: host names, addresses or CIDR ranges, comma-separated). The addresses
/// checked are the ones the connection uses (pinned), so a name cannot resolve differently in between.
public enum WebhookURL {
    /// Why a webhook address is refused.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "invalid webhook URL: \(reason)" }
    }

    /// An absolute http(s) URL with a host, no user or password in it (logs show the URL; the signature, not the
    /// address, authenticates dub) and no control characters or spaces. Tokens in the query are fine: logs leave the
    /// query out. A literal address (or `localhost`) is also checked against `allow`.
    public static func validate(_ url: String, allow: AllowList = .fromEnvironment()) throws(Invalid) {
        guard url.count <= 2048 else { throw Invalid(reason: "longer than 2048 characters") }
        guard !url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) else {
            throw Invalid(reason: "control characters or spaces in the URL")
        }
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased() else {
            throw Invalid(reason: "not an absolute URL")
        }
        guard scheme == "https" || scheme == "http" else { throw Invalid(reason: "use http:// or https://, not \(scheme)://") }
        guard let host = parts.host, !host.isEmpty else { throw Invalid(reason: "no host") }
        guard parts.user == nil && parts.password == nil else {
            throw Invalid(reason: "credentials in the URL would end up in logs; use a token in the query instead")
        }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if allow.allowsHost(bare) { return }
        if bare.lowercased() == "localhost" || bare.lowercased().hasSuffix(".localhost") {
            throw Invalid(reason: "'\(bare)' is this machine; add it to DUB_WEBHOOK_ALLOW to allow it")
        }
        if let address = IPAddress(bare), !address.isPublic, !allow.allows(address) {
            throw Invalid(reason: "\(bare) is a private, loopback, link-local or reserved address; add it to DUB_WEBHOOK_ALLOW to allow it")
        }
    }

    /// Resolves `url`'s host and checks every address; returns curl's pin (`host:port:addr,...`) for the connection.
    public static func resolve(_ url: String, allow: AllowList) throws(Invalid) -> String {
        try validate(url, allow: allow)
        guard let parts = URLComponents(string: url), let rawHost = parts.host else { throw Invalid(reason: "no host") }
        let host = rawHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let port = parts.port ?? (parts.scheme?.lowercased() == "https" ? 443 : 80)
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, "\(port)", &hints, &list)
        guard rc == 0, let first = list else {
            throw Invalid(reason: "cannot resolve '\(host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            if let address = IPAddress(current.pointee.ai_addr), !addresses.contains(address) { addresses.append(address) }
            node = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw Invalid(reason: "'\(host)' has no address") }
        if !allow.allowsHost(host) {
            for address in addresses where !address.isPublic && !allow.allows(address) {
                throw Invalid(reason: "'\(host)' resolves to \(address), a private, loopback, link-local or reserved address; add it to DUB_WEBHOOK_ALLOW to allow it")
            }
        }
        let pinnedHost = rawHost.hasPrefix("[") ? rawHost : host
        return "\(pinnedHost):\(port):" + addresses.map { $0.isV6 ? "[\($0)]" : "\($0)" }.joined(separator: ",")
    }

    /// The operator's exceptions: host names, addresses and CIDR ranges.
    public struct AllowList: Sendable, Equatable {
        public var hosts: Set<String> = []
        public var ranges: [(IPAddress, Int)] = []

        public init(_ text: String) {
            for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
                let pieces = item.split(separator: "/", maxSplits: 1)
                if let address = IPAddress(String(pieces[0])) {
                    let bits = pieces.count == 2 ? Int(pieces[1]) ?? -1 : (address.isV6 ? 128 : 32)
                    if bits >= 0 && bits <= (address.isV6 ? 128 : 32) { ranges.append((address, bits)) }
                } else {
                    hosts.insert(item.lowercased())
                }
            }
        }

        /// `DUB_WEBHOOK_ALLOW` from the environment.
        public static func fromEnvironment() -> AllowList {
            AllowList(getenv("DUB_WEBHOOK_ALLOW").map { String(cString: $0) } ?? "")
        }

        func allowsHost(_ host: String) -> Bool { hosts.contains(host.lowercased()) }

        func allows(_ address: IPAddress) -> Bool { ranges.contains { address.isIn($0.0, prefix: $0.1) } }

        public static func == (a: AllowList, b: AllowList) -> Bool {
            a.hosts == b.hosts && a.ranges.map { "\($0.0)/\($0.1)" } == b.ranges.map { "\($0.0)/\($0.1)" }
        }
    }
}

/// An IPv4 or IPv6 address as bytes.
public struct IPAddress: Sendable, Equatable, CustomStringConvertible {
    public let bytes: [UInt8]
    public var isV6: Bool { bytes.count == 16 }

    public init?(_ text: String) {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: v6) { Array($0) }
        } else {
            return nil
        }
    }

    init?(_ sockaddr: UnsafeMutablePointer<sockaddr>?) {
        guard let sockaddr else { return nil }
        switch Int32(sockaddr.pointee.sa_family) {
        case AF_INET:
            bytes = sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in withUnsafeBytes(of: p.pointee.sin_addr) { Array($0) } }
        case AF_INET6:
            bytes = sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) } }
        default:
            return nil
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        bytes.withUnsafeBytes { raw in _ = inet_ntop(isV6 ? AF_INET6 : AF_INET, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(cString: buffer)
    }

    /// Whether the first `prefix` bits equal `network`'s.
    func isIn(_ network: IPAddress, prefix: Int) -> Bool {
        guard network.bytes.count == bytes.count else { return false }
        for bit in 0..<prefix where (bytes[bit / 8] ^ network.bytes[bit / 8]) & (0x80 >> UInt8(bit % 8)) != 0 { return false }
        return true
    }

    /// Reachable on the public internet: not loopback, private, link-local, CGNAT, multicast, documentation, benchmark
    /// or reserved (IPv4-mapped and NAT64 IPv6 addresses are judged by their IPv4 part).
    public var isPublic: Bool {
        if isV6 {
            if isIn(IPAddress(bytes: [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 0, 0, 0, 0]), prefix: 96)
                || isIn(IPAddress(bytes: [0x00, 0x64, 0xFF, 0x9B] + [UInt8](repeating: 0, count: 12)), prefix: 96) {
                return IPAddress(bytes: Array(bytes.suffix(4))).isPublic
            }
            let blocked: [([UInt8], Int)] = [([], 128), ([0xFC], 7), ([0xFE, 0x80], 10), ([0xFF], 8), ([0x20, 0x01, 0x0D, 0xB8], 32),
                                             ([0x01, 0x00], 64), ([0xFE, 0xC0], 10)]
            if bytes.allSatisfy({ $0 == 0 }) || bytes == [UInt8](repeating: 0, count: 15) + [1] { return false }
            return !blocked.dropFirst().contains { isIn(IPAddress(bytes: $0.0 + [UInt8](repeating: 0, count: 16 - $0.0.count)), prefix: $0.1) }
        }
        let blocked: [([UInt8], Int)] = [([0, 0, 0, 0], 8), ([10, 0, 0, 0], 8), ([100, 64, 0, 0], 10), ([127, 0, 0, 0], 8),
                                         ([169, 254, 0, 0], 16), ([172, 16, 0, 0], 12), ([192, 0, 0, 0], 24), ([192, 0, 2, 0], 24),
                                         ([192, 168, 0, 0], 16), ([198, 18, 0, 0], 15), ([198, 51, 100, 0], 24), ([203, 0, 113, 0], 24),
                                         ([224, 0, 0, 0], 4), ([240, 0, 0, 0], 4)]
        return !blocked.contains { isIn(IPAddress(bytes: $0.0), prefix: $0.1) }
    }
}
