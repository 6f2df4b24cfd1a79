#if canImport(Glibc)
import Glibc
#endif

/// Reads the small text files a user hands dub (subtitles, glossaries, voice maps, edited work files) safely:
/// regular files only (a FIFO or a device such as `/dev/zero` is refused without blocking), at most a stated size,
/// and decoded as text whatever its encoding (UTF-8, UTF-16 with or without a byte-order mark, else Windows-1252)
/// or refused as binary, never silently turned into U+FFFD.
public enum InputFile {
    /// Subtitle files: 16 MiB is over 100,000 cues.
    public static let subtitleLimit = 16 << 20
    /// Glossaries and voice maps.
    public static let smallLimit = 1 << 20
    /// dub's own JSON files in a work folder (which a user may edit).
    public static let workFileLimit = 256 << 20

    /// The bytes of `path`. `what` names the file in errors ("subtitles", "glossary").
    public static func read(_ path: String, what: String, limit: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let err = errno
            if err == ENOENT { throw MediaError(.fileNotFound, "no such \(what) file", path: path, hint: "check the path") }
            throw MediaError(err == EACCES ? .permissionDenied : .fileNotFound, "cannot open the \(what) file", path: path,
                             underlying: String(cString: strerror(err)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            let kind = (info.st_mode & S_IFMT) == S_IFDIR ? "a folder" : "not a regular file"
            throw MediaError(.notARegularFile, "the \(what) file is \(kind):", path: path)
        }
        guard Int(info.st_size) <= limit else {
            throw MediaError(.tooLarge, "the \(what) file is too large (\(info.st_size) bytes, at most \(limit)):", path: path)
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var total = 0
        while total < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MediaError(.decodeFailed, "cannot read the \(what) file", path: path, underlying: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            total += n
            if total > limit { throw MediaError(.tooLarge, "the \(what) file is too large (over \(limit) bytes):", path: path) }
            if total == bytes.count { bytes += [UInt8](repeating: 0, count: 1 << 16) } // it grew while being read
        }
        return Array(bytes.prefix(total))
    }

    /// The text of `path` and, when it was not UTF-8, a note saying which encoding it was read as.
    public static func text(_ path: String, what: String, limit: Int) throws -> (text: String, note: String?) {
        try decode(try read(path, what: what, limit: limit), what: what, path: path)
    }

    /// Decodes `bytes` as text (see the type's rules).
    public static func decode(_ bytes: [UInt8], what: String, path: String?) throws -> (text: String, note: String?) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return try decode(Array(bytes.dropFirst(3)), what: what, path: path) }
        if bytes.starts(with: [0xFF, 0xFE]) { return (utf16(bytes.dropFirst(2), bigEndian: false), "read as UTF-16") }
        if bytes.starts(with: [0xFE, 0xFF]) { return (utf16(bytes.dropFirst(2), bigEndian: true), "read as UTF-16") }
        if bytes.count >= 4, bytes.count % 2 == 0 {
            // UTF-16 without a byte-order mark: ASCII text has a zero in every other byte.
            let even = stride(from: 0, to: min(bytes.count, 400), by: 2).filter { bytes[$0] == 0 }.count
            let odd = stride(from: 1, to: min(bytes.count, 400), by: 2).filter { bytes[$0] == 0 }.count
            let pairs = min(bytes.count, 400) / 2
            if odd * 10 >= pairs * 9, even == 0 { return (utf16(bytes[...], bigEndian: false), "read as UTF-16") }
            if even * 10 >= pairs * 9, odd == 0 { return (utf16(bytes[...], bigEndian: true), "read as UTF-16") }
        }
        if bytes.contains(0) {
            throw MediaError(.notText, "the \(what) file is binary, not text:", path: path, hint: "give a UTF-8 text file")
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, nil) }
        return (String(bytes.map { windows1252($0) }), "not UTF-8: read as Windows-1252 (Latin-1)")
    }

    private static func utf16(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> String {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = bytes.startIndex
        while i + 1 < bytes.endIndex {
            let (a, b) = (UInt16(bytes[i]), UInt16(bytes[i + 1]))
            units.append(bigEndian ? a << 8 | b : b << 8 | a)
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Windows-1252, which is Latin-1 except for 0x80–0x9F.
    private static func windows1252(_ byte: UInt8) -> Character {
        let high: [UInt32] = [0x20AC, 0x81, 0x201A, 0x192, 0x201E, 0x2026, 0x2020, 0x2021, 0x2C6, 0x2030, 0x160, 0x2039, 0x152, 0x8D, 0x17D, 0x8F,
                              0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x2DC, 0x2122, 0x161, 0x203A, 0x153, 0x9D, 0x17E, 0x178]
        let scalar = (0x80...0x9F).contains(byte) ? high[Int(byte) - 0x80] : UInt32(byte)
        return Character(Unicode.Scalar(scalar)!)
    }
}
