import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

/// Speaker clustering on dialogues whose speakers are known by construction (bench/make-dialogue.py: espeak-ng voices
/// of different pitch and gender, a seeded turn order, a quiet noise floor).
@Suite("speaker clustering", .tags(.reference))
struct SpeakerClusteringTests {
    struct Turn: Decodable, Sendable { let start: Double; let end: Double; let speaker: String }

    static func dialogue(speakers: Int, seed: Int, in scratch: Scratch) throws -> (path: String, turns: [Turn]) {
        let prefix = scratch.path("dialogue-\(speakers)-\(seed)")
        _ = try Tool.run("/usr/bin/env", ["python3", Repository.root.appendingPathComponent("bench/make-dialogue.py").path, "\(speakers)", prefix, "\(seed)"])
        let turns = try JSONDecoder().decode([Turn].self, from: Data(contentsOf: URL(fileURLWithPath: prefix + ".lines.json")))
        return (prefix + ".wav", turns)
    }

    static func errorRate(_ turns: [Turn], _ labels: [String]) -> Double {
        DiarizationScore.errorRate(reference: turns.map { .init(start: $0.start, end: $0.end, speaker: $0.speaker) },
                                   hypothesis: zip(turns, labels).map { .init(start: $0.0.start, end: $0.0.end, speaker: $0.1) })
    }

    @Test("dialogues of 2, 3 and 4 espeak-ng voices are told apart with a diarization error rate of at most 10 %, without and with the speaker count",
          arguments: [(2, 1), (2, 7), (3, 1), (3, 7), (4, 1), (4, 7)])
    func generatedDialogues(speakers: Int, seed: Int) async throws {
        // Off Swift's cooperative pool (espeak-ng and the profiler take seconds in a debug build).
        let (turns, found, counted) = try await OffPool.run {
            let scratch = try Scratch()
            let (path, turns) = try Self.dialogue(speakers: speakers, seed: seed, in: scratch)
            let prints = try VoiceProfiler().profile(path: path, spans: turns.map { ($0.start, $0.end) })
            return (turns, SpeakerClusterer().labels(for: prints), SpeakerClusterer(count: speakers).labels(for: prints))
        }
        #expect(Set(found).count == speakers)
        #expect(Self.errorRate(turns, found) <= 0.10)
        #expect(Self.errorRate(turns, counted) <= 0.10)
    }

    @Test("no lines, one line, lines too short to tell, and a count above the lines: every line still gets a speaker, as few as the voices allow")
    func edgeCases() {
        let low = VoicePrint(pitch: 100, pitchSpread: 1, cepstrum: [Double](repeating: 0, count: 12), seconds: 2)
        let high = VoicePrint(pitch: 220, pitchSpread: 1, cepstrum: [Double](repeating: 1, count: 12), seconds: 2)
        let short = VoicePrint(pitch: nil, pitchSpread: 0, cepstrum: [Double](repeating: 1, count: 12), seconds: 0.1)
        #expect(SpeakerClusterer().labels(for: []).isEmpty)
        #expect(SpeakerClusterer().labels(for: [low]) == ["S1"])
        #expect(SpeakerClusterer().labels(for: [short, short]) == ["S1", "S1"])
        #expect(SpeakerClusterer().labels(for: [low, high, low, short]) == ["S1", "S2", "S1", "S2"])
        #expect(SpeakerClusterer(count: 5).labels(for: [low, high]) == ["S1", "S2"])
        #expect(SpeakerClusterer(count: 1).labels(for: [low, high]) == ["S1", "S1"])
    }

    @Test("the error rate counts time given to the wrong speaker after the best mapping of names")
    func errorRate() {
        let reference: [DiarizationScore.Turn] = [.init(start: 0, end: 2, speaker: "A"), .init(start: 2, end: 3, speaker: "B"), .init(start: 3, end: 4, speaker: "A")]
        let swapped: [DiarizationScore.Turn] = [.init(start: 0, end: 2, speaker: "x"), .init(start: 2, end: 3, speaker: "y"), .init(start: 3, end: 4, speaker: "x")]
        let oneWrong: [DiarizationScore.Turn] = [.init(start: 0, end: 2, speaker: "x"), .init(start: 2, end: 3, speaker: "x"), .init(start: 3, end: 4, speaker: "x")]
        #expect(DiarizationScore.errorRate(reference: reference, hypothesis: swapped) == 0)
        #expect(abs(DiarizationScore.errorRate(reference: reference, hypothesis: oneWrong) - 0.25) < 0.01)
        #expect(abs(DiarizationScore.errorRate(reference: reference, hypothesis: Array(swapped.prefix(1))) - 0.5) < 0.01)
        // Overlapping reference speech counts twice; a turn with times that make no span is left out.
        let overlapping: [DiarizationScore.Turn] = [.init(start: 0, end: 2, speaker: "A"), .init(start: 1, end: 2, speaker: "B"), .init(start: 3, end: -1, speaker: "A")]
        #expect(abs(DiarizationScore.errorRate(reference: overlapping, hypothesis: [.init(start: 0, end: 2, speaker: "x")]) - 1.0 / 3) < 1e-9)
    }
}
