import DubSupport
import ProviderAPI
import Providers
import Dubbing
import TestSupport
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite("Line segmentation")
struct LineSegmenterTests {
    /// Words spread evenly over [start, end].
    private func words(_ text: String, _ start: Double, _ end: Double, speaker: String? = nil) -> [Transcript.Word] {
        let parts = text.split(separator: " ").map(String.init)
        let step = (end - start) / Double(parts.count)
        return parts.enumerated().map { i, w in
            Transcript.Word(text: w, start: start + Double(i) * step, end: start + Double(i + 1) * step - 0.02, speaker: speaker)
        }
    }

    private func transcript(_ words: [Transcript.Word], duration: Double = 60) -> Transcript {
        Transcript(language: "en", duration: duration, segments: [
            Transcript.Segment(id: 0, start: words.first!.start, end: words.last!.end, text: "", words: words),
        ])
    }

    @Test("sentence ends and pauses split; lines keep their times and the gap to the next")
    func sentences() {
        let w = words("Hello there, my friend.", 1, 2.5) + words("How are you today?", 2.6, 4) + words("Fine.", 6, 7)
        let lines = LineSegmenter().lines(from: transcript(w, duration: 10))
        #expect(lines.map(\.source) == ["Hello there, my friend.", "How are you today?", "Fine."])
        #expect(lines[0].start == 1)
        #expect(abs(lines[1].end - 3.98) < 1e-9)
        #expect(abs(lines[1].gapAfter - (6 - 3.98)) < 1e-9)
        #expect(abs(lines[2].gapAfter - 3.02) < 1e-9)
        #expect(lines.map(\.id) == [0, 1, 2])
    }

    @Test("a speaker turn splits even mid-sentence; fragments merge only within a speaker")
    func turns() {
        let w = words("So what do", 0, 1.5, speaker: "A") + words("you think", 1.55, 2.5, speaker: "B")
            + words("Yes.", 2.6, 2.9, speaker: "B") + words("I agree with that completely.", 3.0, 5, speaker: "B")
        let lines = LineSegmenter().lines(from: transcript(w))
        #expect(lines.map(\.speaker) == ["A", "B", "B"])
        #expect(lines.map(\.source) == ["So what do", "you think Yes.", "I agree with that completely."])
        // A short reply is its own line when the speaker changes around it.
        let reply = words("Are you coming?", 0, 1.2, speaker: "A") + words("Okay.", 1.3, 1.6, speaker: "B")
            + words("Then let us go now.", 1.7, 3, speaker: "A")
        #expect(LineSegmenter().lines(from: transcript(reply)).map(\.source) == ["Are you coming?", "Okay.", "Then let us go now."])
    }

    @Test("a run-on longer than the cap is split at its best inner point, every piece within the cap")
    func cap() {
        let w = words("we went down to the river and walked for hours along the bank", 0, 7)
            + words("then we turned back toward the town where the market was still open and busy", 7.5, 15)
            + words("and everyone was selling fruit", 15.1, 19)
        let lines = LineSegmenter().lines(from: transcript(w))
        #expect(lines.count >= 3)
        #expect(lines.allSatisfy { $0.duration <= 8 + 1e-9 })
        #expect(lines[0].source.hasSuffix("bank"))
        #expect(lines.map(\.source).joined(separator: " ").split(separator: " ").count == w.count)
    }

    @Test("segments without word times become lines of their own; CJK text joins without spaces")
    func segmentsAndCJK() {
        let t = Transcript(language: "ja", duration: 5, segments: [
            Transcript.Segment(id: 0, start: 0.5, end: 2, text: " こんにちは。"),
            Transcript.Segment(id: 1, start: 3, end: 4.5, text: "", words: [
                Transcript.Word(text: "元気", start: 3, end: 3.5), Transcript.Word(text: "です", start: 3.5, end: 4),
                Transcript.Word(text: "か？", start: 4, end: 4.5),
            ]),
        ])
        let lines = LineSegmenter().lines(from: t)
        #expect(lines.map(\.source) == ["こんにちは。", "元気ですか？"])
    }

    @Test("the English sample's six sentences come back at their true times")
    func sample() throws {
        struct Truth: Decodable { let start: Double; let end: Double; let text: String }
        let data = try Data(contentsOf: URL(fileURLWithPath: Repository.sample("english.lines.json")))
        let truth = try JSONDecoder().decode([Truth].self, from: data)
        let w = truth.flatMap { words($0.text, $0.start, $0.end + 0.02) }
        let lines = LineSegmenter().lines(from: transcript(w, duration: 26.5))
        #expect(lines.count == truth.count)
        for (line, t) in zip(lines, truth) {
            #expect(abs(line.start - t.start) < 1e-6)
            #expect(abs(line.end - t.end) < 1e-6)
            #expect(line.source == t.text)
        }
    }
}
