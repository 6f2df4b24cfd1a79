import AudioKitCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the lines come from: target-language subtitles (no recognition, no translation), source-language
/// subtitles (no recognition), or the recognised transcript cut into dubbing lines by `LineSegmenter`.
/// `lines.json` is the stage's artifact; hand edits to it are kept on re-runs.
extension DubPipeline {
    func makeLines(_ runner: StageRunner, transcript: Transcript?, duration: Double) async throws -> [DubLine] {
        if let subtitles = request.subtitles ?? request.sourceSubtitles {
            let translated = request.subtitles != nil
            let key = try CacheKey([translated ? "lines-subtitles-1" : "lines-source-subtitles-1", try CacheKey.fingerprint(ofFile: subtitles).hex])
            return try await runner.run("lines", key: key, artifacts: ["lines.json"]) { _ in
                let cues = try Self.readCues(subtitles)
                return cues.enumerated().map { i, cue in
                    let next = i + 1 < cues.count ? cues[i + 1].start : max(duration, cue.end)
                    let text = cue.text.replacingNewlines()
                    return DubLine(id: i, start: cue.start, end: cue.end, speaker: cue.speaker, source: translated ? "" : text,
                                   text: translated ? text : nil, gapAfter: max(0, next - cue.end))
                }
            }
        }
        guard let transcript else {
            throw MediaError(.invalidArgument, "no lines: give --subtitles, --source-subtitles or a speech recognition provider (--asr)")
        }
        var settings = LineSegmenter.Settings()
        if let maxLine = request.maxLine { settings.maxLine = maxLine }
        let segmenter = LineSegmenter(settings: settings)
        let key = try CacheKey(["lines-asr-1", try CacheKey(transcript).hex, "\(settings.maxLine)"])
        return try await runner.run("lines", key: key, artifacts: ["lines.json"]) { _ in
            segmenter.lines(from: transcript, mediaEnd: duration)
        }
    }

    static func readCues(_ path: String) throws -> [SubtitleCue] {
        guard let format = SubtitleFormat(path: path) else {
            throw MediaError(.invalidArgument, "subtitles must be .srt or .vtt", path: path)
        }
        guard let bytes = try WorkFolder.readFile(path) else { throw MediaError(.fileNotFound, "no such file", path: path) }
        return try format.parse(String(decoding: bytes, as: UTF8.self), path: path)
    }
}

extension String {
    func replacingNewlines() -> String { split(separator: "\n").joined(separator: " ") }
}
