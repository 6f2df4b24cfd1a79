import DubSupport
import ProviderAPI
/// Builds dubbing lines from recognised words: split at sentence ends, speaker turns and long pauses,
/// cap each line's length (splitting at the best point inside it), and merge fragments too short to
/// dub on their own into a neighbour of the same speaker.
public struct LineSegmenter: Sendable {
    /// Tunables.
    public struct Settings: Sendable, Equatable {
        /// The longest a line may last, in seconds (`--max-line`).
        public var maxLine: Double = 8
        /// Lines shorter than this are merged into a neighbour when possible, in seconds.
        public var minLine: Double = 1.0
        /// A pause at least this long always ends a line, in seconds.
        public var maxPause: Double = 0.9
        /// Fragments are merged only across pauses shorter than this, in seconds.
        public var mergeGap: Double = 0.6

        public init() {}
    }

    public var settings: Settings

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// The lines of `transcript`, in time order, with ids from 0. `mediaEnd` bounds the last gap.
    public func lines(from transcript: Transcript, mediaEnd: Double? = nil) -> [DubLine] {
        var groups: [[Transcript.Word]] = []
        var current: [Transcript.Word] = []
        for word in words(of: transcript) {
            if let last = current.last {
                let pause = word.start - last.end
                let turn = word.speaker != last.speaker
                let sentenceEnd = Self.endsSentence(last.text) && span(current) >= settings.minLine
                if turn || pause >= settings.maxPause || sentenceEnd {
                    groups.append(current)
                    current = []
                }
            }
            current.append(word)
        }
        if !current.isEmpty { groups.append(current) }
        let capped = groups.flatMap(cap)
        let merged = merge(capped)
        let end = mediaEnd ?? max(transcript.duration, merged.last?.last?.end ?? 0)
        return merged.enumerated().map { i, group in
            let next = i + 1 < merged.count ? merged[i + 1].first!.start : end
            return DubLine(id: i, start: group.first!.start, end: group.last!.end, speaker: group.first!.speaker,
                           source: Self.join(group.map(\.text)), gapAfter: max(0, next - group.last!.end))
        }
    }

    /// Words with speakers filled in from their segment; segments without words become one pseudo-word each.
    private func words(of transcript: Transcript) -> [Transcript.Word] {
        transcript.segments.sorted { $0.start < $1.start }.flatMap { segment -> [Transcript.Word] in
            guard !segment.words.isEmpty else {
                let text = segment.text.trimmed
                return text.isEmpty ? [] : [Transcript.Word(text: text, start: segment.start, end: segment.end, speaker: segment.speaker)]
            }
            return segment.words.map { word in
                var w = word
                w.text = w.text.trimmed
                if w.speaker == nil { w.speaker = segment.speaker }
                return w
            }.filter { !$0.text.isEmpty }
        }
    }

    /// Splits a group longer than `maxLine` at its best inner point: a clause mark, else the longest pause.
    private func cap(_ group: [Transcript.Word]) -> [[Transcript.Word]] {
        guard span(group) > settings.maxLine, group.count > 1 else { return [group] }
        let candidates = 1..<group.count
        let best = candidates.max { a, b in score(group, at: a) < score(group, at: b) }!
        return cap(Array(group[..<best])) + cap(Array(group[best...]))
    }

    /// How good it is to split before word `i`: clause punctuation and pauses help; lopsided halves hurt.
    private func score(_ group: [Transcript.Word], at i: Int) -> Double {
        let pause = group[i].start - group[i - 1].end
        let mark = Self.endsSentence(group[i - 1].text) ? 2.0 : (Self.endsClause(group[i - 1].text) ? 1.0 : 0)
        let left = group[i - 1].end - group[0].start
        let right = group.last!.end - group[i].start
        let balance = min(left, right) / max(span(group), 0.001)
        let fits = left <= settings.maxLine && right <= settings.maxLine ? 1.0 : 0
        return mark + pause * 2 + balance + fits * 3
    }

    /// Merges lines shorter than `minLine` into the closer same-speaker neighbour when the result stays within `maxLine`.
    private func merge(_ groups: [[Transcript.Word]]) -> [[Transcript.Word]] {
        var result = groups
        var i = 0
        while i < result.count {
            guard span(result[i]) < settings.minLine, result.count > 1 else { i += 1; continue }
            let before = i > 0 ? mergeCost(result[i - 1], result[i]) : nil
            let after = i + 1 < result.count ? mergeCost(result[i], result[i + 1]) : nil
            if let b = before, after.map({ b <= $0 }) ?? true {
                result[i - 1] += result.remove(at: i)
                i -= 1
            } else if after != nil {
                result[i] += result.remove(at: i + 1)
            } else {
                i += 1
            }
        }
        return result
    }

    /// The pause between two groups, or nil when they must not merge.
    private func mergeCost(_ a: [Transcript.Word], _ b: [Transcript.Word]) -> Double? {
        let gap = b.first!.start - a.last!.end
        guard a.last!.speaker == b.first!.speaker, gap < settings.mergeGap, b.last!.end - a.first!.start <= settings.maxLine else { return nil }
        return gap
    }

    private func span(_ group: [Transcript.Word]) -> Double {
        guard let first = group.first, let last = group.last else { return 0 }
        return last.end - first.start
    }

    static func endsSentence(_ text: String) -> Bool {
        guard let last = text.last(where: { !"\"'”’)]»".contains($0) }) else { return false }
        return ".?!…。？！".contains(last)
    }

    static func endsClause(_ text: String) -> Bool {
        guard let last = text.last else { return false }
        return ",;:、，；：—".contains(last)
    }

    /// Joins words with spaces, except before closing punctuation and between CJK ideographs/kana.
    static func join(_ words: [String]) -> String {
        var out = ""
        for word in words {
            if out.isEmpty {
                out = word
                continue
            }
            let noSpace = word.first.map { ".,;:!?…)]}%。，、？！：；".contains($0) } == true
                || (isCJK(out.last!) && isCJK(word.first!))
            out += noSpace ? word : " " + word
        }
        return out
    }

    private static func isCJK(_ c: Character) -> Bool {
        guard let scalar = c.unicodeScalars.first?.value else { return false }
        return (0x3040...0x30FF).contains(scalar) || (0x4E00...0x9FFF).contains(scalar) || (0x3400...0x4DBF).contains(scalar)
    }
}
