import ProviderAPI
import DubSupport
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A content address: the SHA-256 of everything that determines a result (inputs, settings, provider,
/// model, voice). Equal keys mean the cached result can be reused.
public struct CacheKey: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Lower-case hex digest.
    public let hex: String

    /// The key of raw bytes.
    public init(bytes: some Collection<UInt8>) {
        hex = Digest.hex(Digest.sha256(bytes))
    }

    /// The key of a value's canonical JSON (sorted keys), so equal values give equal keys.
    public init(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.init(bytes: try encoder.encode(value))
    }

    /// A fingerprint of a file that is cheap for large media: its size, modification time, and the
    /// first and last mebibyte of its content.
    public static func fingerprint(ofFile path: String) throws -> CacheKey {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw WorkFolderError(path: path, message: "cannot read", reason: String(cString: strerror(errno)))
        }
        let size = Int(info.st_size)
        let chunk = 1 << 20
        guard let file = fopen(path, "rb") else {
            throw WorkFolderError(path: path, message: "cannot open", reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes = Array("\(size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):".utf8)
        var head = [UInt8](repeating: 0, count: min(chunk, size))
        bytes += head.prefix(fread(&head, 1, head.count, file))
        if size > chunk {
            fseeko(file, off_t(max(chunk, size - chunk)), SEEK_SET)
            var tail = [UInt8](repeating: 0, count: min(chunk, size - chunk))
            bytes += tail.prefix(fread(&tail, 1, tail.count, file))
        }
        return CacheKey(bytes: bytes)
    }

    /// The first 16 hex digits, for file names and logs.
    public var short: String { String(hex.prefix(16)) }

    public var description: String { hex }

    public init(from decoder: any Decoder) throws {
        hex = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
