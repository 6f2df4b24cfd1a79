import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// Moves a finished MP4/MOV file's index (its `moov` box) from the end to the front, after `ftyp`, so that a player
/// can start before the whole file has arrived: what FFmpeg's `+faststart` does, without its cost.
///
/// FFmpeg's faststart shifts the whole file forward through a buffer twice the index's size, while the muxer still
/// holds its index in memory: the peak of a long dub. Here the muxer is gone first, and:
/// - where the file system can insert a range into a file (ext4, XFS), the media data stays where it is on disk and
///   a whole number of blocks is inserted before it: `ftyp`, the index, then a `free` box padding the rest;
/// - elsewhere the data is copied back to front through a 1 MiB buffer, giving the same bytes as FFmpeg's faststart.
///
/// The chunk offsets (`stco`, `co64`) move with the data; a 32-bit table whose offsets no longer fit becomes a
/// 64-bit one, as FFmpeg would have written it.
enum FastStart {
    /// What was done to the file.
    enum Method: Equatable {
        /// Nothing: the index is already before the media data, or the file's layout is not the one expected (no
        /// `ftyp` first, no `mdat` before the index, something after the index, or an index over 1 GiB).
        case none
        /// The index was put into blocks inserted before the data.
        case insertedRange
        /// The data was copied forward to make room for the index.
        case copied
    }

    /// Moves the index of the file at `path` to its front. `insertRange: false` always copies; `offsetLimit` is the
    /// largest offset a 32-bit table may hold (smaller in tests). Blocking.
    @discardableResult
    static func apply(to path: String, insertRange: Bool = true, offsetLimit: UInt64 = UInt64(UInt32.max)) throws -> Method {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw MediaError(.writeFailed, "cannot open", path: path, underlying: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot read the size of", path) }
        let fileSize = UInt64(info.st_size)
        let boxes = try topLevelBoxes(fd, size: fileSize, path: path)
        // An index over 1 GiB stays where it is (the file plays, once the index has loaded).
        guard let ftyp = boxes.first, ftyp.type == "ftyp", ftyp.size <= 1 << 20, let moov = boxes.last, moov.type == "moov",
              moov.size <= 1 << 30, boxes.dropLast().contains(where: { $0.type == "mdat" }) else { return .none }
        let index = try read(fd, count: Int(moov.size), at: moov.offset, path: path)
        let head = try read(fd, count: Int(ftyp.size), at: 0, path: path)
        // Offsets into the data between `ftyp` and the index move by the room made for it.
        let moved = ftyp.size..<moov.offset
        func rewritten(shift: UInt64) throws -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(index.count)
            try rewrite(index, 0..<index.count, into: &out, limit: offsetLimit, path: path) { moved.contains($0) ? $0 + shift : $0 }
            return out
        }

        if insertRange {
            // Blocks inserted at the very start: `ftyp`, the index and a `free` box (at least its 8-byte header) fill
            // them and the old `ftyp`'s place after them. A 64-bit table can make the index larger: settle the size.
            let block = UInt64(max(Int(info.st_blksize), 512))
            func room(for size: Int) -> UInt64 { (UInt64(size) + 8 + block - 1) / block * block }
            var shift = room(for: index.count)
            var front = try rewritten(shift: shift)
            while room(for: front.count) != shift {
                shift = room(for: front.count)
                front = try rewritten(shift: shift)
            }
            switch FileSpace.insert(fd, at: 0, length: Int64(shift)) {
            case .inserted:
                let padding = UInt64(shift) - UInt64(front.count)
                try write(fd, head, at: 0, path: path)
                try write(fd, front, at: ftyp.size, path: path)
                try write(fd, be32(UInt32(padding)) + Array("free".utf8), at: ftyp.size + UInt64(front.count), path: path)
                guard ftruncate(fd, off_t(moov.offset + shift)) == 0 else { throw failure("cannot shorten", path) }
                return .insertedRange
            case .failed(let code):
                errno = code
                throw failure("cannot make room for the index at the front of", path)
            case .unsupported:
                // Not here (tmpfs, btrfs, a network file system): copy instead, the file as it was.
                break
            }
        }

        var shift = UInt64(index.count)
        var front = try rewritten(shift: shift)
        while UInt64(front.count) != shift {
            shift = UInt64(front.count)
            front = try rewritten(shift: shift)
        }
        // Back to front, so nothing is overwritten before it has been read.
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var end = moved.upperBound
        while end > moved.lowerBound {
            try WorkCancellation.check()
            let count = Int(min(UInt64(buffer.count), end - moved.lowerBound))
            let start = end - UInt64(count)
            try buffer.withUnsafeMutableBytes { raw in
                try readFully(fd, raw.baseAddress!, count: count, at: start, path: path)
                try writeFully(fd, raw.baseAddress!, count: count, at: start + shift, path: path)
            }
            end = start
        }
        try write(fd, front, at: ftyp.size, path: path)
        guard ftruncate(fd, off_t(moov.offset + shift)) == 0 else { throw failure("cannot shorten", path) }
        return .copied
    }

    /// A top-level box: its four-character type, where it starts and its whole size.
    struct Box {
        let type: String
        let offset: UInt64
        let size: UInt64
    }

    /// The file's top-level boxes in order; throws when one runs past the end of the file.
    static func topLevelBoxes(_ fd: Int32, size fileSize: UInt64, path: String) throws -> [Box] {
        var boxes: [Box] = []
        var offset: UInt64 = 0
        while offset + 8 <= fileSize {
            let header = try read(fd, count: Int(min(16, fileSize - offset)), at: offset, path: path)
            var size = UInt64(be32(header, 0))
            var headerSize: UInt64 = 8
            if size == 1 {
                guard header.count == 16 else { throw malformed(path) }
                size = be64(header, 8)
                headerSize = 16
            } else if size == 0 {
                size = fileSize - offset
            }
            guard size >= headerSize, size <= fileSize - offset else { throw malformed(path) }
            boxes.append(Box(type: String(decoding: header[4..<8], as: UTF8.self), offset: offset, size: size))
            offset += size
        }
        return boxes
    }

    /// The boxes that hold the chunk offset tables, directly or further down.
    private static let containers: Set<String> = ["moov", "trak", "mdia", "minf", "stbl"]

    /// Appends the boxes of `source[range]` to `out` with every chunk offset passed through `shift`: containers are
    /// rewritten with their new sizes, `stco` tables whose offsets pass `limit` become `co64`, everything else is copied.
    private static func rewrite(_ source: [UInt8], _ range: Range<Int>, into out: inout [UInt8], limit: UInt64, path: String,
                                shift: (UInt64) -> UInt64) throws {
        var at = range.lowerBound
        while at < range.upperBound {
            guard range.upperBound - at >= 8 else { throw malformed(path) }
            var size = UInt64(be32(source, at))
            var header = 8
            if size == 1 {
                guard range.upperBound - at >= 16 else { throw malformed(path) }
                size = be64(source, at + 8)
                header = 16
            } else if size == 0 {
                size = UInt64(range.upperBound - at)
            }
            guard size >= UInt64(header), size <= UInt64(range.upperBound - at) else { throw malformed(path) }
            let end = at + Int(size)
            let type = String(decoding: source[(at + 4)..<(at + 8)], as: UTF8.self)
            if containers.contains(type) {
                let start = out.count
                out += source[at..<(at + header)]
                try rewrite(source, (at + header)..<end, into: &out, limit: limit, path: path, shift: shift)
                let newSize = UInt64(out.count - start)
                if header == 16 {
                    out.replaceSubrange((start + 8)..<(start + 16), with: be64(newSize))
                } else {
                    guard newSize <= UInt64(UInt32.max) else { throw malformed(path) }
                    out.replaceSubrange(start..<(start + 4), with: be32(UInt32(newSize)))
                }
            } else if type == "stco" || type == "co64" {
                // version and flags (4 bytes), the entry count (4), then the offsets (4 or 8 bytes each).
                let body = at + header
                guard end - body >= 8 else { throw malformed(path) }
                let wide = type == "co64"
                let count = Int(be32(source, body + 4))
                guard count <= (end - body - 8) / (wide ? 8 : 4) else { throw malformed(path) }
                let offsets = (0..<count).map { i in
                    shift(wide ? be64(source, body + 8 + 8 * i) : UInt64(be32(source, body + 8 + 4 * i)))
                }
                let widen = wide || offsets.contains { $0 > limit }
                out += be32(UInt32(16 + count * (widen ? 8 : 4)))
                out += Array((widen ? "co64" : "stco").utf8)
                out += source[body..<(body + 8)]
                for offset in offsets { out += widen ? be64(offset) : be32(UInt32(offset)) }
            } else {
                out += source[at..<end]
            }
            at = end
        }
    }

    private static func be32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func be64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        bytes[at..<(at + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func be32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }

    private static func be64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }

    private static func malformed(_ path: String) -> MediaError {
        MediaError(.muxFailed, "the muxer's output is malformed or cut short (a box runs past its end):", path: path)
    }

    private static func failure(_ what: String, _ path: String) -> MediaError {
        MediaError(.writeFailed, what, path: path, underlying: String(cString: strerror(errno)))
    }

    private static func read(_ fd: Int32, count: Int, at offset: UInt64, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { try readFully(fd, $0.baseAddress!, count: count, at: offset, path: path) }
        return bytes
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8], at offset: UInt64, path: String) throws {
        try bytes.withUnsafeBytes { try writeFully(fd, UnsafeMutableRawPointer(mutating: $0.baseAddress!), count: bytes.count, at: offset, path: path) }
    }

    private static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, count: Int, at offset: UInt64, path: String) throws {
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw n == 0 ? malformed(path) : failure("cannot read", path) }
            done += n
        }
    }

    private static func writeFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, count: Int, at offset: UInt64, path: String) throws {
        var done = 0
        while done < count {
            let n = pwrite(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw MediaError(.writeFailed, "cannot write", path: path, underlying: String(cString: strerror(errno)), hint: "is the disk full?") }
            done += n
        }
    }
}
