import Dubbing
import Testing

@Suite("Subtitle layout: broadcast norms on long lines")
struct SubtitleLayoutTests {
    static let long = "When we finally reached the harbour, the boats had already left, and nobody could tell us when the next one "
        + "would come. So we sat on the wall, watched the gulls, and waited; it was the longest afternoon of the whole summer."

    /// Spans of varied length with room after each (1.5 s gaps), like dubbed speech.
    static func spans() -> [SubtitleLayout.Span] {
        let texts = [Self.long, "Yes.", "I know what you mean, but it is not that simple, is it?",
                     "Absolutely unbelievable", String(repeating: "word ", count: 60).trimmingCharacters(in: .whitespaces)]
        var start = 1.0
        return texts.map { text in
            let duration = max(0.4, Double(text.count) / 16)
            defer { start += duration + 1.5 }
            return SubtitleLayout.Span(start: start, end: start + duration, text: text)
        }
    }

    @Test("every cue: at most 42 characters a line and 2 lines, 0.8 to 7 s, at most 20 characters a second, no overlap")
    func cuesMeetTheNorms() {
        let layout = SubtitleLayout()
        let cues = layout.cues(for: Self.spans())
        #expect(cues.count > Self.spans().count, "long lines become several cues")
        for (n, cue) in cues.enumerated() {
            let lines = cue.text.split(separator: "\n")
            #expect(lines.count <= 2, "cue \(n + 1) has \(lines.count) lines")
            #expect(lines.allSatisfy { $0.count <= 42 }, "cue \(n + 1): \(lines)")
            let duration = cue.end - cue.start
            #expect(duration >= 0.8 - 1e-9 && duration <= 7 + 1e-9, "cue \(n + 1) lasts \(duration) s")
            #expect(Double(cue.text.count) / duration <= 20 + 1e-9, "cue \(n + 1): \(Double(cue.text.count) / duration) characters a second")
            #expect(cue.index == n + 1)
            if n + 1 < cues.count { #expect(cue.end <= cues[n + 1].start - 0.08 + 1e-9, "cue \(n + 1) runs into the next") }
        }
    }

    @Test("long lines are split, not truncated: the cues' words are the lines' words, in order")
    func splittingKeepsEveryWord() {
        let spans = Self.spans()
        let cues = SubtitleLayout().cues(for: spans)
        let words = { (text: String) in text.split(whereSeparator: \.isWhitespace).map(String.init) }
        #expect(cues.flatMap { words($0.text) } == spans.flatMap { words($0.text) })
    }

    @Test("splits fall at sentence and clause boundaries, and two-line cues are balanced")
    func splitsAtClausesAndBalancesLines() {
        let cues = SubtitleLayout().cues(for: [SubtitleLayout.Span(start: 0, end: 12, text: Self.long)])
        // Every cue but the last ends at punctuation: the long line has enough clause boundaries.
        for cue in cues.dropLast() {
            #expect(",.;!?".contains(cue.text.last!), "cue ends mid-clause: \(cue.text)")
        }
        for cue in cues {
            let lines = cue.text.split(separator: "\n")
            if lines.count == 2 { #expect(abs(lines[0].count - lines[1].count) <= 16, "unbalanced: \(lines)") }
        }
        // The cues keep to the time the line is heard, shared by length.
        #expect(cues.first!.start == 0)
        #expect(abs(cues.last!.end - 12) < 1e-9)
    }

    @Test("a short line stays up at least 0.8 s, and the reading speed is configurable")
    func shortLinesAndSlowerReadingSpeed() {
        let short = SubtitleLayout().cues(for: [SubtitleLayout.Span(start: 2, end: 2.3, text: "Yes."),
                                                SubtitleLayout.Span(start: 5, end: 6, text: "No.")])
        #expect(abs(short[0].end - 2.8) < 1e-9)
        let text = "I know what you mean, but it is not that simple."
        let fast = SubtitleLayout().cues(for: [SubtitleLayout.Span(start: 0, end: 2, text: text)])
        let slow = SubtitleLayout(maxReadingSpeed: 12).cues(for: [SubtitleLayout.Span(start: 0, end: 2, text: text)])
        #expect(abs(fast[0].end - Double(text.count) / 20) < 1e-9)
        #expect(abs(slow[0].end - Double(text.count) / 12) < 1e-9)
    }

    @Test("a cue never runs into the next line's: reading speed gives way when the speech leaves no room")
    func crowdedLinesDoNotOverlap() {
        let cues = SubtitleLayout().cues(for: [SubtitleLayout.Span(start: 0, end: 1, text: "A rather long sentence spoken very fast."),
                                               SubtitleLayout.Span(start: 1.05, end: 2, text: "And another one.")])
        #expect(cues.count == 2)
        #expect(cues[0].end <= cues[1].start)
    }
}
