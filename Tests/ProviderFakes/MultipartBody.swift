import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A parsed multipart/form-data body: the fakes check field names the way the real APIs do.
public struct MultipartBody: Sendable {
    public struct Part: Sendable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        public var data: [UInt8]
        public var text: String { String(decoding: data, as: UTF8.self) }
    }

    public var parts: [Part]

    /// Parses `body` using the boundary of `contentType` (`multipart/form-data; boundary=...`); nil when it is not
    /// a well-formed multipart body.
    public init?(contentType: String?, body: [UInt8]) {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
              let range = contentType.range(of: "boundary=") else { return nil }
        var boundary = String(contentType[range.upperBound...].prefix { $0 != ";" })
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        var cursor = Self.find(delimiter, in: body, from: 0)
        guard cursor != nil else { return nil }
        while let start = cursor {
            var index = start + delimiter.count
            if body.count >= index + 2, body[index] == UInt8(ascii: "-"), body[index + 1] == UInt8(ascii: "-") { break }
            index += 2 // CRLF after the delimiter
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: index),
                  let next = Self.find(Array("\r\n".utf8) + delimiter, in: body, from: headerEnd + 4) else { return nil }
            let headerText = String(decoding: body[index..<headerEnd], as: UTF8.self)
            var part = Part(name: "", filename: nil, contentType: nil, data: Array(body[(headerEnd + 4)..<next]))
            for line in headerText.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    part.name = Self.attribute("name", in: line) ?? ""
                    part.filename = Self.attribute("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            parts.append(part)
            cursor = next + 2
        }
        self.parts = parts
    }

    /// Parses on its own thread (large uploads).
    public static func parse(contentType: String?, body: [UInt8]) async -> MultipartBody? {
        await FakeWork.offPool { MultipartBody(contentType: contentType, body: body) }
    }

    /// The first part named `name`.
    public subscript(name: String) -> Part? { parts.first { $0.name == name } }

    /// Every value of a repeated text field (`timestamp_granularities[]`).
    public func values(_ name: String) -> [String] { parts.filter { $0.name == name }.map(\.text) }

    private static func attribute(_ key: String, in line: String) -> String? {
        guard let range = line.range(of: "; \(key)=\"") ?? line.range(of: ";\(key)=\"") else { return nil }
        return String(line[range.upperBound...].prefix { $0 != "\"" })
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pattern in
                // memchr for the first byte, then memcmp: fast on megabyte uploads.
                var offset = start
                while offset <= hay.count - pattern.count {
                    guard let hit = memchr(hay.baseAddress! + offset, Int32(pattern[0]), hay.count - pattern.count + 1 - offset) else { return nil }
                    let index = hay.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hay.baseAddress! + index, pattern.baseAddress!, pattern.count) == 0 { return index }
                    offset = index + 1
                }
                return nil
            }
        }
    }
}
