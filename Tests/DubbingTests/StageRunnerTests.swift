import Foundation
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Work folder and stage cache")
struct StageRunnerTests {
    struct Settings: Codable { var model: String; var lines: [String] }
    struct Lines: Codable, Equatable { var lines: [String] }

    @Test("opening a work folder removes only dub's own temporary files, only where dub writes them; a user's files survive")
    func leftovers() throws {
        let scratch = try Scratch()
        let folder = try WorkFolder(root: scratch.path("work"))
        try folder.writeJSON(Lines(lines: ["a"]), to: "lines.json")
        try folder.write(Array("x".utf8), to: "cache/synthesize/abc.json")
        // What a killed run leaves: AtomicFile temporaries at the levels dub writes.
        let junk = [".lines.json.dub-tmp-4242-1-abc", ".audio.wav.dub-tmp-99-2-x", "stems/.vocals.wav.dub-tmp-99-3-y",
                    "cache/synthesize/.abc.json.dub-tmp-17-4-z", "subtitles/.talk.es.srt.dub-tmp-1-5-q"]
        // What a user keeps in a folder they pointed --work at (with --force): never touched, whatever the name.
        let user = ["thesis.docx.partial", "notes.tmp-1", "drafts/deep/thesis.docx.partial", "drafts/.x.dub-tmp-1-1-1",
                    "cache/synthesize/nested/.y.dub-tmp-2-2-2"]
        for path in junk + user { try folder.write(Array("junk".utf8), to: path) }
        _ = try StageRunner(folder: folder)
        for path in junk { #expect(!folder.exists(path), "\(path) left behind") }
        for path in user { #expect(folder.exists(path), "\(path) deleted") }
        #expect(folder.exists("lines.json") && folder.exists("cache/synthesize/abc.json"))
    }

    @Test("a non-empty folder that is not a dub work folder is refused unless forced; a work folder is private (0700)")
    func foreignFolder() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("mine"), withIntermediateDirectories: true)
        try "thesis".write(toFile: scratch.path("mine/thesis.docx"), atomically: true, encoding: .utf8)
        let error = #expect(throws: WorkFolderError.self) { try WorkFolder(root: scratch.path("mine")) }
        #expect(error?.description.contains("--force") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("mine")) == ["thesis.docx"])
        let forced = try WorkFolder(root: scratch.path("mine"), force: true)
        #expect(forced.exists(WorkFolder.markerFile))
        #expect(throws: Never.self) { try WorkFolder(root: scratch.path("mine")) }
        let fresh = try WorkFolder(root: scratch.path("new/work"))
        let mode = try FileManager.default.attributesOfItem(atPath: fresh.root)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        #expect(WorkFolder.existing(scratch.path("nothing-here")) == nil && WorkFolder.existing(fresh.root) != nil)
        try fresh.remove()
        #expect(!FileManager.default.fileExists(atPath: fresh.root))
        // A folder that lost its marker is not dub's to delete.
        try FileManager.default.removeItem(atPath: forced.path(WorkFolder.markerFile))
        #expect(throws: WorkFolderError.self) { try forced.remove() }
        #expect(FileManager.default.fileExists(atPath: scratch.path("mine/thesis.docx")))
    }

    @Test("a stage with a matching key is skipped and its artifact read back, edits included")
    func skipAndEdit() async throws {
        let scratch = try Scratch()
        let folder = try WorkFolder(root: scratch.path("work"))
        let key = try CacheKey(Settings(model: "m1", lines: ["a", "b"]))
        let first = try StageRunner(folder: folder)
        let out = try await first.run("translate", key: key, artifacts: ["lines.json"]) { _ in Lines(lines: ["uno", "dos"]) }
        #expect(out.lines == ["uno", "dos"])
        #expect(await first.executed == ["translate"])

        // A new runner (a re-run) skips it; a hand edit to lines.json is what it reads back.
        try folder.writeJSON(Lines(lines: ["uno", "DOS"]), to: "lines.json")
        let second = try StageRunner(folder: folder)
        let again = try await second.run("translate", key: key, artifacts: ["lines.json"]) { _ -> Lines in
            Issue.record("must not run again")
            return Lines(lines: [])
        }
        #expect(again.lines == ["uno", "DOS"])
        #expect(await second.executed.isEmpty)

        // A different setting changes the key and reruns the stage.
        let changed = try CacheKey(Settings(model: "m2", lines: ["a", "b"]))
        _ = try await second.run("translate", key: changed, artifacts: ["lines.json"]) { _ in Lines(lines: ["x"]) }
        #expect(await second.executed == ["translate"])
    }

    @Test("a missing artifact makes the stage run again")
    func missingArtifact() async throws {
        let scratch = try Scratch()
        let folder = try WorkFolder(root: scratch.path("work"))
        let key = CacheKey(bytes: Array("input".utf8))
        let runner = try StageRunner(folder: folder)
        _ = try await runner.run("extract", key: key, artifacts: ["extract.json", "audio.raw"]) { folder in
            try folder.write([1, 2, 3], to: "audio.raw")
            return Lines(lines: [])
        }
        unlink(folder.path("audio.raw"))
        let rerun = try StageRunner(folder: folder)
        #expect(await !rerun.isDone("extract", key: key))
        _ = try await rerun.run("extract", key: key, artifacts: ["extract.json", "audio.raw"]) { folder in
            try folder.write([1, 2, 3], to: "audio.raw")
            return Lines(lines: [])
        }
        #expect(await rerun.executed == ["extract"])
    }

    @Test("per-line results are cached by their own key")
    func perLine() async throws {
        let scratch = try Scratch()
        let folder = try WorkFolder(root: scratch.path("work"))
        let runner = try StageRunner(folder: folder)
        for text in ["hola", "adiós", "hola"] {
            _ = try await runner.line("synthesize", key: try CacheKey(["voice-1", text])) { prefix in
                try folder.write(Array(text.utf8), to: String(prefix.dropFirst(folder.root.count + 1)) + ".wav")
                return text.count
            }
        }
        #expect(await runner.executed.count == 2)
        let key = try CacheKey(["voice-1", "adiós"])
        #expect(folder.exists("cache/synthesize/\(key.short).json"))
        #expect(folder.exists("cache/synthesize/\(key.short).wav"))
        // A re-run reuses every line; a changed line alone is redone.
        let rerun = try StageRunner(folder: folder)
        for text in ["hola", "adiós!"] {
            _ = try await rerun.line("synthesize", key: try CacheKey(["voice-1", text])) { _ in text.count }
        }
        #expect(await rerun.executed.count == 1)
    }

    @Test("keys: equal values give equal keys, file fingerprints follow content")
    func keys() throws {
        #expect(try CacheKey(["a": 1, "b": 2]) == CacheKey(["b": 2, "a": 1]))
        #expect(try CacheKey(["a"]) != CacheKey(["b"]))
        #expect(CacheKey(bytes: Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let scratch = try Scratch()
        let folder = try WorkFolder(root: scratch.path("f"))
        try folder.write(Array(repeating: 7, count: 3 << 20), to: "big")
        let a = try CacheKey.fingerprint(ofFile: folder.path("big"))
        #expect(try CacheKey.fingerprint(ofFile: folder.path("big")) == a)
        var bytes = [UInt8](repeating: 7, count: 3 << 20)
        bytes[bytes.count - 10] = 8
        try folder.write(bytes, to: "big")
        #expect(try CacheKey.fingerprint(ofFile: folder.path("big")) != a)
        #expect(throws: WorkFolderError.self) { try CacheKey.fingerprint(ofFile: folder.path("missing")) }
    }
}
