@testable import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

/// The index moved to the front of an MP4, checked against the ffmpeg CLI's own `+faststart` on real files of other
/// projects (`Tests/Corpus`) and our sample: ffmpeg remuxes each twice, with the index at the end and at the front.
@Suite("FastStart: an MP4's index moved to the front, as ffmpeg's faststart does", .tags(.reference))
struct FastStartTests {
    static let files = ["Tests/Corpus/has-tags.m4a", "Tests/Corpus/ep9.m4b", "Tests/Corpus/no-tags.3g2", "Tests/Corpus/alac.m4a",
                        "samples/english.mp4"]

    /// ffmpeg's remux of `file` with the index at the end, and with it at the front (`+faststart`).
    private func remuxes(_ file: String, _ scratch: Scratch) throws -> (end: String, front: String) {
        let input = Repository.root.appendingPathComponent(file).path
        let end = scratch.path("end.mp4"), front = scratch.path("front.mp4")
        try Tool.ffmpeg(["-i", input, "-map", "0", "-c", "copy", "-f", "mp4", end])
        try Tool.ffmpeg(["-i", input, "-map", "0", "-c", "copy", "-f", "mp4", "-movflags", "+faststart", front])
        return (end, front)
    }

    /// Every packet's stream, time stamps, size and MD5, from the ffmpeg CLI (no decoding).
    private func packets(_ path: String) throws -> String {
        try Tool.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", path, "-map", "0", "-c", "copy", "-f", "framemd5", "-"])
    }

    private func copy(_ path: String, _ scratch: Scratch, _ name: String) throws -> String {
        try FileManager.default.copyItem(atPath: path, toPath: scratch.path(name))
        return scratch.path(name)
    }

    @Test("copying the data forward gives ffmpeg's faststart file byte for byte", arguments: files)
    func copiedMatchesFFmpeg(file: String) throws {
        let scratch = try Scratch()
        let (end, front) = try remuxes(file, scratch)
        #expect(try MovieBoxes.topLevel(end).last == "moov")
        #expect(try FastStart.apply(to: end, insertRange: false) == .copied)
        #expect(try Data(contentsOf: URL(fileURLWithPath: end)) == Data(contentsOf: URL(fileURLWithPath: front)))
    }

    /// Whether `folder`'s file system can insert a range into a file (ext4 and XFS), from coreutils' `stat`.
    static func insertsRanges(_ folder: String) throws -> Bool {
        let type = try Tool.run("stat", ["-f", "-c", "%T", folder]).trimmingCharacters(in: .whitespacesAndNewlines)
        return type == "ext2/ext3" || type == "xfs"
    }

    @Test("inserting blocks before the data: index first, a free box after it, every packet as in ffmpeg's faststart file",
          arguments: files)
    func insertedRangeKeepsPackets(file: String) throws {
        let scratch = try Scratch()
        let (end, front) = try remuxes(file, scratch)
        let before = try FileManager.default.attributesOfItem(atPath: end)[.size] as! Int
        let method = try FastStart.apply(to: end)
        if try Self.insertsRanges(scratch.url.path) { #expect(method == .insertedRange) }
        switch method {
        case .insertedRange:
            #expect(try MovieBoxes.topLevel(end) == ["ftyp", "moov", "free", "free", "mdat"])
            let after = try FileManager.default.attributesOfItem(atPath: end)[.size] as! Int
            #expect(after > before && after - before <= 2 * 65536, "grew by \(after - before) bytes")
            #expect(try packets(end) == packets(front))
        case .copied:
            // A file system that cannot insert a range (tmpfs): the copy, as above.
            #expect(try Data(contentsOf: URL(fileURLWithPath: end)) == Data(contentsOf: URL(fileURLWithPath: front)))
        case .none:
            Issue.record("the index was not moved")
        }
    }

    @Test("offsets past the 32-bit limit turn stco tables into co64, and every packet is still found", arguments: [true, false])
    func widensOffsetTables(insertRange: Bool) throws {
        let scratch = try Scratch()
        let (end, front) = try remuxes("Tests/Corpus/ep9.m4b", scratch)
        #expect(try Data(contentsOf: URL(fileURLWithPath: end)).contains(Array("stco".utf8)))
        let method = try FastStart.apply(to: end, insertRange: insertRange, offsetLimit: 1000)
        let inserts = try insertRange && Self.insertsRanges(scratch.url.path)
        #expect(method == (inserts ? .insertedRange : .copied))
        let moved = try Data(contentsOf: URL(fileURLWithPath: end))
        #expect(!moved.contains(Array("stco".utf8)) && moved.contains(Array("co64".utf8)))
        #expect(try MovieBoxes.topLevel(end).prefix(2) == ["ftyp", "moov"])
        #expect(try packets(end) == packets(front))
    }

    /// `FastStart` does nothing to `path`: it says so, and the bytes stay as they were.
    private func expectLeftAsItIs(_ path: String) throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try FastStart.apply(to: path) == .none)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original)
    }

    @Test("a file whose index is already at the front is left as it is")
    func alreadyFront() throws {
        let scratch = try Scratch()
        let (_, front) = try remuxes("samples/english.mp4", scratch)
        try expectLeftAsItIs(front)
    }

    @Test("a file with a box after its index is left as it is")
    func boxAfterIndex() throws {
        let scratch = try Scratch()
        let (end, _) = try remuxes("samples/english.mp4", scratch)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: end))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0, 0, 0, 16] + Array("free".utf8) + [UInt8](repeating: 0, count: 8)))
        try handle.close()
        try expectLeftAsItIs(end)
    }

    @Test("an index cut short is a mux error naming the file, not a crash")
    func truncatedIndex() throws {
        let scratch = try Scratch()
        let (end, _) = try remuxes("samples/english.mp4", scratch)
        let size = try FileManager.default.attributesOfItem(atPath: end)[.size] as! Int
        let cut = try copy(end, scratch, "cut.mp4")
        #expect(truncate(cut, off_t(size - 100)) == 0)
        let error = try #require(throws: MediaError.self) { try FastStart.apply(to: cut) }
        #expect(error.code == .muxFailed)
        #expect("\(error)".contains("cut.mp4"))
    }
}
