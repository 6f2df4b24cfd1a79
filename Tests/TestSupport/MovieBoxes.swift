import Foundation

/// An MP4/MOV file's top-level boxes, read independently of the code under test.
public enum MovieBoxes {
    /// The four-character types of the file's top-level boxes, in order.
    public static func topLevel(_ path: String) throws -> [String] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var types: [String] = [], at = 0
        while at + 8 <= bytes.count {
            var size = bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) }
            if size == 1, at + 16 <= bytes.count { size = bytes[(at + 8)..<(at + 16)].reduce(0) { $0 << 8 | Int($1) } }
            if size == 0 { size = bytes.count - at }
            guard size >= 8 else { break }
            types.append(String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self))
            at += size
        }
        return types
    }
}
