import DubSupport

/// Lays spoken lines out as subtitles a viewer can read, by common broadcast norms: at most `maxLineLength`
/// characters a line and `maxLines` lines a cue, at most `maxReadingSpeed` characters a second where the gaps allow,
/// on screen at least `minDuration` and at most `maxDuration` seconds. A long line becomes several cues, split at the
/// strongest boundary (sentence, then clause, then word) near where the text balances, its time shared by length;
/// a cue's two lines are balanced the same way. Text is never truncated.
public struct SubtitleLayout: Sendable, Equatable {
    public var maxLineLength: Int
    public var maxLines: Int
    /// Characters a second (spaces and line breaks included; 17 for children's programmes, 20–21 for adults).
    public var maxReadingSpeed: Double
    public var minDuration: Double
    public var maxDuration: Double
    /// The least time between two cues (two frames at 25 fps), so a viewer sees the change.
    public var minGap: Double

    public init(maxLineLength: Int = 42, maxLines: Int = 2, maxReadingSpeed: Double = 20, minDuration: Double = 0.8,
                maxDuration: Double = 7, minGap: Double = 0.08) {
        self.maxLineLength = maxLineLength
        self.maxLines = maxLines
        self.maxReadingSpeed = maxReadingSpeed
        self.minDuration = minDuration
        self.maxDuration = maxDuration
        self.minGap = minGap
    }

    /// One spoken line: when it is heard and what it says.
    public struct Span: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var text: String
        public var speaker: String?
        public init(start: Double, end: Double, text: String, speaker: String? = nil) {
            self.start = start
            self.end = end
            self.text = text
            self.speaker = speaker
        }
    }

    /// The cues of `spans` (in time order), numbered from 1.
    public func cues(for spans: [Span]) -> [SubtitleCue] {
        var cues: [SubtitleCue] = []
        for span in spans.sorted(by: { $0.start < $1.start }) {
            let text = span.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            guard !text.isEmpty else { continue }
            let parts = split(text, duration: max(0, span.end - span.start))
            let total = Double(parts.reduce(0) { $0 + $1.count })
            var start = span.start
            for part in parts {
                let share = (span.end - span.start) * Double(part.count) / total
                cues.append(SubtitleCue(index: 0, start: start, end: start + share, text: lines(part).joined(separator: "\n"),
                                        speaker: span.speaker))
                start += share
            }
        }
        // In time order (a dropped line's text shows over its slot, which a late line before it may overlap).
        return retime(cues.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element))
    }

    /// The text in as few parts as fit a cue each (by length and by the longest time a cue may stay up), split at the
    /// strongest boundaries near the balance points.
    func split(_ text: String, duration: Double) -> [String] {
        let capacity = maxLineLength * maxLines
        let byLength = Int((Double(text.count) / Double(capacity)).rounded(.up))
        let byTime = Int((duration / maxDuration).rounded(.up))
        let wanted = max(1, byLength, byTime)
        var parts = [text]
        // Split the longest part until there are enough parts and every part fits (balanced halves, then balanced
        // thirds, ... by repeated bisection of the longest).
        while parts.count < wanted || parts.contains(where: { !fits($0) }) {
            guard let index = parts.indices.max(by: { parts[$0].count < parts[$1].count }),
                  parts[index].contains(" ") || !fits(parts[index]),
                  let (left, right) = bisect(parts[index]) else { break }
            parts.replaceSubrange(index...index, with: [left, right])
        }
        return parts
    }

    /// Whether a part can be laid out in `maxLines` lines of `maxLineLength`.
    func fits(_ part: String) -> Bool { part.count <= maxLineLength * maxLines && lines(part).count <= maxLines }

    /// The best place to cut `text` in two: the boundary with the least cost, where cost is the distance from the
    /// middle (as a share of the length) plus a penalty by kind (sentence end < clause < plain space).
    func bisect(_ text: String) -> (String, String)? {
        let characters = Array(text)
        var best: (index: Int, cost: Double)?
        for i in characters.indices where characters[i] == " " && i > 0 {
            let before = characters[i - 1]
            let penalty: Double = ".!?…。".contains(before) ? 0 : ",;:—–)".contains(before) ? 0.12 : 0.3
            let cost = abs(Double(i) / Double(characters.count) - 0.5) + penalty
            if best == nil || cost < best!.cost { best = (i, cost) }
        }
        guard let cut = best?.index else {
            // One long word: a hard cut in the middle.
            guard characters.count > 1 else { return nil }
            let middle = characters.count / 2
            return (String(characters[..<middle]), String(characters[middle...]))
        }
        return (String(characters[..<cut]), String(characters[(cut + 1)...]))
    }

    /// A cue's text as lines of at most `maxLineLength`: one line when it fits, else two balanced at a boundary
    /// (clause punctuation preferred), else as many as the words need.
    func lines(_ part: String) -> [String] {
        guard part.count > maxLineLength else { return [part] }
        let characters = Array(part)
        var best: (index: Int, cost: Double)?
        for i in characters.indices where characters[i] == " " && i > 0 {
            let first = i, second = characters.count - i - 1
            guard first <= maxLineLength, second <= maxLineLength else { continue }
            let penalty: Double = ".!?…,;:—–".contains(characters[i - 1]) ? 0 : 4
            let cost = Double(abs(first - second)) + penalty
            if best == nil || cost < best!.cost { best = (i, cost) }
        }
        if let cut = best?.index { return [String(characters[..<cut]), String(characters[(cut + 1)...])] }
        // No balanced two-line cut: fill lines word by word, hard-cutting words longer than a line.
        var result: [String] = [], current = ""
        for word in part.split(separator: " ") {
            var word = Substring(word)
            while word.count > maxLineLength {
                if !current.isEmpty { result.append(current); current = "" }
                result.append(String(word.prefix(maxLineLength)))
                word = word.dropFirst(maxLineLength)
            }
            if current.isEmpty { current = String(word) } else if current.count + 1 + word.count <= maxLineLength { current += " " + word } else {
                result.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// Holds each cue long enough to read (the reading speed and the least duration), taking only the free time after
    /// it (up to `minGap` before the next cue), and never longer than `maxDuration`; numbers the cues.
    func retime(_ cues: [SubtitleCue]) -> [SubtitleCue] {
        var result = cues
        for i in result.indices {
            let reading = Double(result[i].text.count) / maxReadingSpeed
            let wanted = min(maxDuration, max(minDuration, reading))
            // Only a cue that starts later limits this one (one that starts with it overlaps in the speech itself).
            let limit = i + 1 < result.count && result[i + 1].start > result[i].start ? result[i + 1].start - minGap : .infinity
            if result[i].end - result[i].start < wanted {
                result[i].end = max(result[i].end, min(result[i].start + wanted, limit))
            }
            result[i].end = min(result[i].end, result[i].start + maxDuration, max(limit, result[i].start + 0.1))
            result[i].index = i + 1
        }
        return result
    }
}
