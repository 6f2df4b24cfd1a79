import AudioKitCore
import DubSupport
import ProviderAPI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `report.html` in the work folder: a self-contained static page (no scripts, fonts or server; it opens from disk
/// offline) showing the dub the way an editor reviews it: a timeline with a lane per speaker (the original slots and the
/// dubbed lines over them, coloured by speed, shifts and flags marked) above the loudness of the source and of the
/// mix, the quality figures and usage, and a table of the lines (flagged first) with players for the original segment
/// and the dubbed line (16 kHz mono FLAC excerpts in `report/`).
public struct ReviewReport: Sendable {
    public static let file = "report.html"
    static let excerpts = "report"

    /// One line as the report shows it.
    public struct Line: Sendable, Equatable {
        public var id: Int
        public var speaker: String
        public var voice: String?
        public var source: String
        public var text: String
        public var timing: LineTiming
        public var check: LineCheck?
        public var flags: [String]
    }

    public var lines: [Line]
    public var quality: QualityFigures
    public var usage: [String: ProviderUsage]
    public var costUSD: [String: Double]
    public var warnings: [String]
    public var title: String
    public var duration: Double
    /// The loudness of the source and of the mix, each second (LUFS).
    public var sourceCurve: [Double]
    public var mixCurve: [Double]

    /// The flags of a line, worst first: left out, over the maximum speed, failing the round trip, shifted, re-asked.
    static func flags(for timing: LineTiming, check: LineCheck?, maxSpeed: Double) -> [String] {
        var flags: [String] = []
        if timing.method == .dropped { flags.append("left out") }
        if timing.factor > maxSpeed + 1e-6 { flags.append("over max speed") }
        if let check, !check.passed { flags.append(check.cutOff ? "verify: cut off" : "verify: failed") }
        if timing.shift > 0.05 { flags.append("shifted") }
        if timing.condensed == true { flags.append("translation re-asked") }
        return flags
    }

    /// The lines of a dub as the report and `dubctl lines` show them, in the order of `dubLines`: each with its timing
    /// (a line the fit has none for shows as left out, over its slot), voice, round-trip check and flags.
    static func lines(_ dubLines: [DubLine], timings: [LineTiming], checks: [LineCheck]?, maxSpeed: Double,
                      voice: (DubLine) -> String?) -> [Line] {
        let timingsByID = Dictionary(timings.map { ($0.id, $0) }) { first, _ in first }
        let checksByID = Dictionary((checks ?? []).map { ($0.id, $0) }) { _, last in last }
        return dubLines.map { line in
            let timing = timingsByID[line.id] ?? LineTiming(id: line.id, slotStart: line.start, slotEnd: line.end, rawDuration: 0, start: line.start,
                                                             duration: 0, factor: 1, shift: 0, method: .dropped, text: line.text ?? "")
            let check = checksByID[line.id]
            return Line(id: line.id, speaker: line.speaker ?? "speaker", voice: voice(line), source: line.source, text: timing.text,
                        timing: timing, check: check, flags: flags(for: timing, check: check, maxSpeed: maxSpeed))
        }
    }

    /// Writes the first half of the excerpts the page plays into a new excerpts folder in `work`: each line's original
    /// segment (its slot). Only the lines are needed, so the pipeline writes these while the speech is synthesized,
    /// on a core the providers leave idle. Blocking (reads and encodes audio).
    static func writeOriginalExcerpts(of lines: [(id: Int, start: Double, end: Double)], original: String, in work: WorkFolder) throws {
        // The excerpts are written into a folder of their own and replace the last ones only once all are there, so a
        // run stopped meanwhile leaves the last report whole.
        let folder = newExcerpts(in: work)
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try inTwo(lines, into: folder) { line in
            try excerpt(of: original, from: line.start, duration: max(0.05, line.end - line.start), to: "\(folder)/line-\(line.id).original.flac")
        }
    }

    /// Removes excerpts written for a report that will not be finished (the run failed after the originals).
    static func discardNewExcerpts(in work: WorkFolder) {
        try? FileManager.default.removeItem(atPath: newExcerpts(in: work))
    }

    /// The folder the excerpts are written into before they replace the last ones.
    private static func newExcerpts(in work: WorkFolder) -> String { work.path(excerpts + ".new") }

    /// Writes the second half (after `writeOriginalExcerpts`): each line's dubbed line from `clips`; removes the
    /// originals of lines the report does not show, and puts the new excerpts (`report/`) in place of the last ones.
    /// Blocking.
    func writeDubExcerpts(in work: WorkFolder, clips: [Int: String]) throws {
        let folder = Self.newExcerpts(in: work)
        try Self.inTwo(lines.compactMap { line in clips[line.id].map { (id: line.id, clip: $0) } }, into: folder) { line in
            try Self.excerpt(of: line.clip, from: 0, duration: nil, to: "\(folder)/line-\(line.id).dub.flac")
        }
        let shown = Set(lines.map { "line-\($0.id).original.flac" })
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".original.flac") && !shown.contains(name) {
            try FileManager.default.removeItem(atPath: "\(folder)/\(name)")
        }
        try? FileManager.default.removeItem(atPath: work.path(Self.excerpts))
        try FileManager.default.moveItem(atPath: folder, toPath: work.path(Self.excerpts))
    }

    /// Runs `body` on every item with two workers (the excerpts are many small decodes: 1800 files for an hour of
    /// dialogue), each stopping with the work that called this and when the other fails; on a failure removes `folder`,
    /// the excerpts written so far, and throws the error.
    private static func inTwo<Item: Sendable>(_ items: [Item], into folder: String, _ body: @Sendable (Item) throws -> Void) throws {
        do {
            _ = try ParallelWork.run(2) { worker in
                for item in items.enumerated().filter({ $0.offset % 2 == worker }).map(\.element) { try body(item) }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
    }

    /// Writes `report.html` into `work` (after `writeDubExcerpts`; `hasDub`: the lines with a dubbed excerpt); returns
    /// its path.
    func writePage(in work: WorkFolder, hasDub: Set<Int>) throws -> String {
        try work.write(Array(html(hasDub: hasDub).utf8), to: Self.file)
        return work.path(Self.file)
    }

    /// A small excerpt of `path` (16 kHz mono FLAC; FFmpeg's resampler, quick to set up for many short files).
    static func excerpt(of path: String, from start: Double, duration: Double?, to output: String) throws {
        let format = try SoundFileFormat(container: .flac, encoding: .int16)
        let reader = try AudioReader(path: path, options: AudioReadOptions(sampleRate: 16_000, channels: 1, start: start, duration: duration, resampler: .swr))
        // Written in place, not atomically: the excerpts are previews the next run writes again, and a durable rename
        // per file (two fsyncs) costs seconds over an hour's lines.
        let writer = try SoundFileWriter(path: output, format: format, sampleRate: 16_000, channels: 1)
        while let chunk = try reader.next() { try writer.write(chunk) }
        try writer.close()
    }
}
