import Foundation
import TestSupport
import Testing

@Suite("Bad input through the command line: one clear line, the exit code, no crash or hang, nothing harmed or left behind", .tags(.endToEnd))
struct BadInputCorpusTests {
    @Test("each case", arguments: BadInput.corpus)
    func corpusCase(_ input: BadInput) async throws {
        let scratch = try await OffPool.run { try input.prepare() }
        let root = scratch.url.path
        let before = FolderSnapshot(root)
        // A hang is what this catches: the heavy cases take seconds alone, but all 40-odd cases start at once beside
        // the rest of the suite on two cores, so the limit is generous.
        let run = try await CommandRunner.run("dubctl", input.resolved(in: root), timeout: 300)
        let seconds = run.seconds
        #expect(run.status != -1, "hung: killed after \(Int(seconds)) s")
        if let most = input.maxSeconds { #expect(seconds < most, "took \(seconds) s") }
        #expect(run.status == input.exit, "exit \(run.status): \(run.stderr)")
        let text = input.exit == 0 ? run.stdout + run.stderr : run.stderr
        #expect(text.contains(input.message), "\(run.stderr)")
        for crash in ["Fatal error", "Program crashed", "Backtrace", "Segmentation"] { #expect(!run.stderr.contains(crash), "\(run.stderr)") }
        if input.exit == 1 {
            let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("dubctl: error:") }
            #expect(lines.count == 1, "\(run.stderr)")
        }
        #expect(!run.stderr.contains("sk-live"), "a secret from the input reached the output")
        Self.expectUnharmed(before: before, after: FolderSnapshot(root), outputs: input.outputs)
    }

    /// Nothing changed or removed; nothing added but the allowed outputs; no temporary file anywhere.
    static func expectUnharmed(before: FolderSnapshot, after: FolderSnapshot, outputs: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let (added, removed, modified) = before.changes(to: after)
        #expect(removed.isEmpty, "removed: \(removed)", sourceLocation: sourceLocation)
        #expect(modified.isEmpty, "changed: \(modified)", sourceLocation: sourceLocation)
        let unexpected = added.filter { path in !outputs.contains { path == $0 || path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") } }
        #expect(unexpected.isEmpty, "left behind: \(unexpected)", sourceLocation: sourceLocation)
        #expect(!after.files.keys.contains { $0.contains(".dub-tmp-") }, "temporary files left", sourceLocation: sourceLocation)
    }
}
