import DubSupport

/// How well one labelling of speech turns by speaker agrees with another: the diarization error rate (the share of
/// the reference's speech time given to the wrong speaker, missed, or given to a speaker where there is none), after
/// the one-to-one mapping of labels that agrees best. Computed over the exact intervals between turn boundaries (a
/// sweep: memory in the number of turns, not the media's length).
public enum DiarizationScore {
    /// One labelled stretch of speech.
    public struct Turn: Sendable, Equatable {
        /// Where it starts and ends, in seconds.
        public var start: Double
        public var end: Double
        /// Who speaks.
        public var speaker: String

        /// A turn of `speaker` from `start` to `end`.
        public init(start: Double, end: Double, speaker: String) {
            self.start = start
            self.end = end
            self.speaker = speaker
        }
    }

    /// The error rate of `hypothesis` against `reference`, from 0 (every turn right) up; 0 when the reference holds no
    /// speech. Turns with times that are not finite, or that end before they start, are left out.
    public static func errorRate(reference: [Turn], hypothesis: [Turn]) -> Double {
        let valid = { (turn: Turn) in turn.start.isFinite && turn.end.isFinite && turn.end > turn.start }
        let (ref, hyp) = (reference.filter(valid), hypothesis.filter(valid))
        let refSpeakers = Array(Set(ref.map(\.speaker))).sorted(), hypSpeakers = Array(Set(hyp.map(\.speaker))).sorted()
        let refIndex = Dictionary(uniqueKeysWithValues: refSpeakers.enumerated().map { ($1, $0) })
        let hypIndex = Dictionary(uniqueKeysWithValues: hypSpeakers.enumerated().map { ($1, $0) })
        // Boundary events: +1 / −1 per speaker, in time order (ends before starts at the same instant).
        var events: [(time: Double, delta: Int, reference: Bool, speaker: Int)] = []
        for turn in ref { events += [(turn.start, 1, true, refIndex[turn.speaker]!), (turn.end, -1, true, refIndex[turn.speaker]!)] }
        for turn in hyp { events += [(turn.start, 1, false, hypIndex[turn.speaker]!), (turn.end, -1, false, hypIndex[turn.speaker]!)] }
        events.sort { ($0.time, $0.delta) < ($1.time, $1.delta) }
        var refActive = [Int](repeating: 0, count: refSpeakers.count), hypActive = [Int](repeating: 0, count: hypSpeakers.count)
        var overlap = [[Double]](repeating: [Double](repeating: 0, count: hypSpeakers.count), count: refSpeakers.count)
        var speech = 0.0, errors = 0.0
        var last = events.first?.time ?? 0
        for event in events {
            let span = event.time - last
            if span > 0 {
                let refs = refActive.indices.filter { refActive[$0] > 0 }, hyps = hypActive.indices.filter { hypActive[$0] > 0 }
                speech += Double(refs.count) * span
                errors += Double(max(refs.count, hyps.count)) * span
                for r in refs { for h in hyps { overlap[r][h] += span } }
            }
            last = event.time
            if event.reference { refActive[event.speaker] += event.delta } else { hypActive[event.speaker] += event.delta }
        }
        guard speech > 0 else { return 0 }
        // Correct time is the best one-to-one mapping's total overlap.
        return max(0, errors - bestMatching(overlap)) / speech
    }

    /// The largest total of a one-to-one assignment of rows to columns (exhaustive for up to 8 of each, greedy above).
    static func bestMatching(_ weights: [[Double]]) -> Double {
        guard let columns = weights.first?.count, columns > 0 else { return 0 }
        if columns > 8 || weights.count > 8 {
            var rows = Set<Int>(), used = Set<Int>(), total = 0.0
            let pairs = weights.indices.flatMap { i in (0..<columns).map { (i, $0, weights[i][$0]) } }.sorted { $0.2 > $1.2 }
            for (i, j, w) in pairs where !rows.contains(i) && !used.contains(j) { rows.insert(i); used.insert(j); total += w }
            return total
        }
        func search(_ row: Int, _ used: Set<Int>) -> Double {
            guard row < weights.count else { return 0 }
            var best = search(row + 1, used)
            for j in 0..<columns where !used.contains(j) { best = max(best, weights[row][j] + search(row + 1, used.union([j]))) }
            return best
        }
        return search(0, [])
    }
}
