import AudioKitCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the lines come from: target-language subtitles (no recognition, no translation), or recognition
/// and translation by a provider.
extension DubPipeline {
    func makeLines(_ runner: StageRunner, duration: Double) async throws -> [DubLine] {
        guard let subtitles = request.subtitles else {
            throw MediaError(.unsupported, "dubbing without --subtitles needs a speech recognition and translation provider, which this build cannot reach yet",
                             hint: "pass --subtitles FILE.srt in the target language")
        }
        let key = try CacheKey(["lines-subtitles-1", try CacheKey.fingerprint(ofFile: subtitles).hex])
        return try await runner.run("lines", key: key, artifacts: ["lines.json"]) { _ in
            guard let format = SubtitleFormat(path: subtitles) else {
                throw MediaError(.invalidArgument, "subtitles must be .srt or .vtt", path: subtitles)
            }
            guard let bytes = try WorkFolder.readFile(subtitles) else { throw MediaError(.fileNotFound, "no such file", path: subtitles) }
            let cues = try format.parse(String(decoding: bytes, as: UTF8.self), path: subtitles)
            return cues.enumerated().map { i, cue in
                let next = i + 1 < cues.count ? cues[i + 1].start : max(duration, cue.end)
                return DubLine(id: i, start: cue.start, end: cue.end, speaker: cue.speaker, source: "",
                               text: cue.text.replacingNewlines(), gapAfter: max(0, next - cue.end))
            }
        }
    }
}

extension String {
    func replacingNewlines() -> String { split(separator: "\n").joined(separator: " ") }
}
