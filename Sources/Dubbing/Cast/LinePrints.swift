import DubSupport
import AudioKitCore

/// The `VoicePrint` of every line, measured once per voices audio and cut (cached under `cache/voiceprints/`): the
/// lines stage clusters by them and the cast stage hears each speaker by them, from one pass over the audio.
enum LinePrints {
    static let stage = "voiceprints"

    static func measure(_ voices: String, lines: [DubLine], runner: StageRunner) async throws -> [VoicePrint] {
        let spans = lines.map { (start: $0.start, end: $0.end) }
        let key = try CacheKey(["prints-2", try CacheKey.fingerprint(ofFile: voices).hex, try CacheKey(spans.map { [$0.start, $0.end] }).hex])
        return try await runner.line(stage, key: key) { _ in
            try await BlockingWork.run { try VoiceProfiler().profile(path: voices, spans: spans) }
        }
    }
}
