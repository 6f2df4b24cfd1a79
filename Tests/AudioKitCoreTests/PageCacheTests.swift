@testable import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A long work file streamed through once (a 60-minute float WAV is 1.4 GB) must not stay whole in the page cache.
/// Where the temporary folder is tmpfs (the page cache is its storage), nothing can be dropped: the suite does not run.
@Suite("Long sound files leave the page cache behind their readers and writers",
       .enabled(if: PageCache.isDiskBacked(FileManager.default.temporaryDirectory.path), "the temporary folder keeps its files in memory"))
struct PageCacheTests {
    /// 96 MiB of float stereo at 48 kHz (262 s), written in one-second blocks.
    static func writeLongWav(_ path: String) throws -> SoundFileWriter {
        let writer = try SoundFileWriter(path: path, format: try SoundFileFormat(container: .wav, encoding: .float32), sampleRate: 48000, channels: 2)
        let second = (0..<96000).map { Float(sin(Double($0 / 2) * 0.05)) * 0.25 }
        var frames = 0
        while frames * 8 < 96 << 20 {
            try writer.write(second)
            frames += 48000
        }
        return writer
    }

    @Test("a long WAV written through SoundFileWriter goes to the disk as it is written: its first half is not in the page cache")
    func writerDropsBehind() throws {
        let scratch = try Scratch()
        let path = scratch.path("long.wav")
        let writer = try Self.writeLongWav(path)
        try writer.close()
        let pages = try PageCache.residency(path)
                // Closing reads the header back, and the kernel reads ahead of it: a megabyte or so of the start comes back.
        let resident = pages[0..<(pages.count / 2)].filter { $0 }.count
        #expect(resident <= pages.count / 32, "\(resident) of the first half's \(pages.count / 2) pages resident")
    }

    @Test("reading a long WAV through SoundFileReader, ChunkReader and AudioReader drops what was read from the page cache")
    func readersDropBehind() throws {
        let scratch = try Scratch()
        let path = scratch.path("long.wav")
        try Self.writeLongWav(path).close()
        let readers: [(String, () throws -> Int)] = [
            ("SoundFileReader", {
                let reader = try SoundFileReader(path: path)
                var count = 0
                while case let chunk = try reader.read(), !chunk.isEmpty { count += chunk.count }
                return count
            }),
            ("ChunkReader", {
                let reader = try ChunkReader(path: path, sampleRate: 48000, channels: 2)
                var count = 0
                while let chunk = try reader.next() { count += chunk.count }
                return count
            }),
            ("AudioReader", {
                let reader = try AudioReader(path: path, options: AudioReadOptions(sampleRate: 48000, channels: 2))
                var count = 0
                while let chunk = try reader.next() { count += chunk.count }
                return count
            }),
        ]
        for (name, read) in readers {
            try PageCache.readThrough(path)
            try #require(try PageCache.residency(path).allSatisfy { $0 }, "the file was not in the page cache before \(name) read it")
            #expect(try read() * 4 >= 96 << 20, "\(name) read the whole file")
            let pages = try PageCache.residency(path)
            // Opening a reader reads the header, and the kernel reads ahead of it; pages the kernel is still busy with
            // when advised stay too (under a loaded test run, up to a fifth of the first half did): most must be gone.
            let resident = pages[0..<(pages.count / 2)].filter { $0 }.count
            #expect(resident <= pages.count / 8, "\(name): \(resident) of the first half's \(pages.count / 2) pages resident")
        }
    }
}
