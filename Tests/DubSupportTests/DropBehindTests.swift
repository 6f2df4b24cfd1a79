import DubSupport
import Foundation
import TestSupport
import Testing

/// Where the temporary folder is tmpfs (the page cache is its storage), nothing can be dropped: the suite does not run.
@Suite("DropBehind: the page cache lets go of a streamed file behind the stream",
       .enabled(if: PageCache.isDiskBacked(FileManager.default.temporaryDirectory.path), "the temporary folder keeps its files in memory"))
struct DropBehindTests {
    static let megabyte = 1 << 20

    @Test("a file read to its end keeps at most the last stride behind the reading in the page cache")
    func dropsBehindAReader() throws {
        let scratch = try Scratch()
        let path = scratch.path("long.bin")
        try PageCache.writeCached(path, megabytes: 96)
        try #require(try PageCache.residentBytes(path) > 90 * Self.megabyte, "the file was not in the page cache to begin with")
        let drop = DropBehind(path: path)
        for offset in stride(from: Self.megabyte, through: 96 * Self.megabyte, by: Self.megabyte) { drop.advance(to: offset) }
        let pages = try PageCache.residency(path)
        let page = pages.count / 96
        #expect(pages.filter { $0 }.count <= 8 * page, "\(pages.filter { $0 }.count / page) MiB resident")
    }

    @Test("a file written to its end keeps at most the lag and a stride behind the writing in the page cache, its data all there")
    func dropsBehindAWriter() throws {
        let scratch = try Scratch()
        let path = scratch.path("long.bin")
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let drop = DropBehind(path: path, writing: true)
        for n in 0..<96 {
            try handle.write(contentsOf: Data(repeating: UInt8(n), count: Self.megabyte))
            drop.advanceToEnd()
        }
        try handle.close()
        let pages = try PageCache.residency(path)
        let page = pages.count / 96
        #expect(pages.filter { $0 }.count <= 40 * page, "\(pages.filter { $0 }.count / page) MiB resident")
        #expect(!pages[0..<(48 * page)].contains(true))
        // Dropped, not lost: each megabyte reads back as written.
        let reader = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        for n in 0..<96 { #expect(try reader.read(upToCount: Self.megabyte) == Data(repeating: UInt8(n), count: Self.megabyte)) }
    }

    @Test("a jump is taken for a seek: the pages skipped over, and those before it, stay in the page cache")
    func aSeekLeavesTheSkippedPages() throws {
        let scratch = try Scratch()
        let path = scratch.path("long.bin")
        try PageCache.writeCached(path, megabytes: 96)
        let drop = DropBehind(path: path)
        drop.advance(to: Self.megabyte)
        drop.advance(to: 40 * Self.megabyte)
        for offset in stride(from: 41 * Self.megabyte, through: 96 * Self.megabyte, by: Self.megabyte) { drop.advance(to: offset) }
        let pages = try PageCache.residency(path)
        let page = pages.count / 96
        // Streamed from 40 MiB on: the first 40 MiB were never streamed and stay; from there to the last advice (at
        // 96 MiB) all is dropped.
        #expect(!pages[0..<(40 * page)].contains(false))
        #expect(!pages[(40 * page)..<(96 * page)].contains(true))
    }

    @Test("after a restart (a seek the stream noted), advice starts at the next position, even one that reads as no seek")
    func restartStartsAgain() throws {
        let scratch = try Scratch()
        let path = scratch.path("long.bin")
        try PageCache.writeCached(path, megabytes: 32)
        let drop = DropBehind(path: path)
        drop.restart()
        // 12 MiB is within a stride of where advice was due: without the restart, [0, 12 MiB) would go.
        for offset in stride(from: 12 * Self.megabyte, through: 28 * Self.megabyte, by: Self.megabyte) { drop.advance(to: offset) }
        let pages = try PageCache.residency(path)
        let page = pages.count / 32
        #expect(!pages[0..<(12 * page)].contains(false))
        #expect(!pages[(12 * page)..<(28 * page)].contains(true))
    }

    @Test("going back is taken for a seek too: advice starts again from there, and nothing before it is dropped")
    func goingBackRestarts() throws {
        let scratch = try Scratch()
        let path = scratch.path("long.bin")
        try PageCache.writeCached(path, megabytes: 96)
        let drop = DropBehind(path: path)
        for offset in stride(from: 64 * Self.megabyte, through: 80 * Self.megabyte, by: Self.megabyte) { drop.advance(to: offset) }
        for offset in stride(from: 8 * Self.megabyte, through: 24 * Self.megabyte, by: Self.megabyte) { drop.advance(to: offset) }
        let pages = try PageCache.residency(path)
        let page = pages.count / 96
        #expect(!pages[(64 * page)..<(80 * page)].contains(true))
        #expect(!pages[(8 * page)..<(24 * page)].contains(true))
        #expect(!pages[0..<(8 * page)].contains(false))
        #expect(!pages[(24 * page)..<(64 * page)].contains(false))
    }
}
