
import DubSupport
import Foundation
import TestSupport
import Testing

@Suite("AtomicFile: one temporary file per write, renamed into place")
struct AtomicFileTests {
    @Test("two writers of one target never share a temporary file: the target is always one writer's whole content")
    func concurrentWriters() async throws {
        let scratch = try Scratch()
        let target = scratch.path("out.bin")
        let a = [UInt8](repeating: 0xAA, count: 3 << 20), b = [UInt8](repeating: 0xBB, count: 3 << 20)
        for _ in 0..<10 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for content in [a, b] {
                    group.addTask { try await BlockingWork.run { try AtomicFile.write(content, to: target) } }
                }
                try await group.waitForAll()
            }
            let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: target)))
            #expect(written == a || written == b, "a mix of both writers: \(written.count) bytes")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["out.bin"])
    }

    @Test("temporary names carry the marker and differ per write; a failed write leaves nothing and names the target")
    func namesAndFailures() throws {
        let scratch = try Scratch()
        let target = scratch.path("x.wav")
        let first = AtomicFile.temporaryPath(for: target), second = AtomicFile.temporaryPath(for: target)
        #expect(first != second)
        for temp in [first, second] {
            let name = String(temp.split(separator: "/").last!)
            #expect(AtomicFile.isTemporary(name: name) && name.hasPrefix(".x.wav"))
            AtomicFile.discard(temp)
        }
        #expect(!AtomicFile.isTemporary(name: "thesis.docx.partial") && !AtomicFile.isTemporary(name: "a.tmp-123"))
        struct Boom: Error {}
        #expect(throws: Boom.self) { try AtomicFile.write(to: target) { temp in
            FileManager.default.createFile(atPath: temp, contents: Data([1, 2, 3]))
            throw Boom()
        } }
        let error = #expect(throws: MediaError.self) { try AtomicFile.write(to: target) { temp in
            throw MediaError(.writeFailed, "cannot write", path: temp)
        } }
        #expect(error?.path == target)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
    }

    @Test("finished outputs are private (0600) unless DUB_OUTPUT_MODE says otherwise")
    func mode() throws {
        let scratch = try Scratch()
        try AtomicFile.write(Array("x".utf8), to: scratch.path("a.txt"))
        let attributes = try FileManager.default.attributesOfItem(atPath: scratch.path("a.txt"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        try AtomicFile.write(Array("x".utf8), to: scratch.path("b.txt"), mode: 0o644)
        #expect((try FileManager.default.attributesOfItem(atPath: scratch.path("b.txt"))[.posixPermissions] as? Int) == 0o644)
    }
}

@Suite("Outputs never overwrite inputs")
struct OutputPathsTests {
    @Test("the same file through a symbolic link, a hard link, '..' or a relative path is refused; different files pass")
    func sameFile() throws {
        let scratch = try Scratch()
        let input = scratch.path("in.srt")
        try "1\n".write(toFile: input, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: scratch.path("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.srt"), withDestinationPath: input)
        try FileManager.default.linkItem(atPath: input, toPath: scratch.path("hard.srt"))
        for output in [scratch.path("link.srt"), scratch.path("hard.srt"), scratch.path("sub/../in.srt"), input] {
            #expect(throws: MediaError.self, "\(output)") {
                try OutputPaths.refuseOverwriting(inputs: [("--subtitles", input)], outputs: [("subtitles", output)])
            }
        }
        #expect(throws: MediaError.self) {
            try OutputPaths.refuseOverwriting(inputs: [("input", scratch.url.path + "//./in.srt")], outputs: [("output", input)])
        }
        try OutputPaths.refuseOverwriting(inputs: [("input", input)], outputs: [("output", scratch.path("new/out.srt")), ("other", scratch.path("o.srt"))])
        #expect(throws: MediaError.self) {
            try OutputPaths.refuseOverwriting(inputs: [], outputs: [("vocals", scratch.path("a.wav")), ("background", scratch.path("sub/../a.wav"))])
        }
    }
}
