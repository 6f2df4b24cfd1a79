import DubSupport

/// How well one labelling of speech turns by speaker agrees with another: the diarization error rate (the share of
/// the reference's speech time given to the wrong speaker, missed, or given to a speaker where there is none), after
/// the one-to-one mapping of labels that agrees best. Measured on a 10 ms grid.
public enum DiarizationScore {
    /// One labelled stretch of speech.
    public struct Turn: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var speaker: String
        public init(start: Double, end: Double, speaker: String) {
            self.start = start
            self.end = end
            self.speaker = speaker
        }
    }

    static let step = 0.01

    /// The error rate of `hypothesis` against `reference`, from 0 (every turn right) up; 0 when the reference holds no
    /// speech.
    public static func errorRate(reference: [Turn], hypothesis: [Turn]) -> Double {
        let end = (reference + hypothesis).map(\.end).max() ?? 0
        let ticks = Int((end / step).rounded(.up))
        func labels(_ turns: [Turn]) -> [Set<String>] {
            var grid = [Set<String>](repeating: [], count: ticks + 1)
            for turn in turns {
                let first = Int((turn.start / step).rounded()), last = Int((turn.end / step).rounded())
                guard first < last else { continue }
                for t in first..<min(last, grid.count) { grid[t].insert(turn.speaker) }
            }
            return grid
        }
        let (ref, hyp) = (labels(reference), labels(hypothesis))
        let refSpeakers = Array(Set(reference.map(\.speaker))).sorted(), hypSpeakers = Array(Set(hypothesis.map(\.speaker))).sorted()
        // Overlap time of each reference speaker with each hypothesis speaker.
        var overlap = [[Int]](repeating: [Int](repeating: 0, count: hypSpeakers.count), count: refSpeakers.count)
        var speech = 0, errors = 0
        for t in ref.indices {
            speech += ref[t].count
            errors += max(ref[t].count, hyp[t].count)
            for (i, r) in refSpeakers.enumerated() where ref[t].contains(r) {
                for (j, h) in hypSpeakers.enumerated() where hyp[t].contains(h) { overlap[i][j] += 1 }
            }
        }
        guard speech > 0 else { return 0 }
        // Correct time is the best one-to-one mapping's total overlap.
        return Double(errors - bestMatching(overlap)) / Double(speech)
    }

    /// The largest total of a one-to-one assignment of rows to columns (exhaustive for up to 8 columns, greedy above).
    static func bestMatching(_ weights: [[Int]]) -> Int {
        guard let columns = weights.first?.count, columns > 0 else { return 0 }
        if columns > 8 || weights.count > 8 {
            var used = Set<Int>(), total = 0
            let pairs = weights.indices.flatMap { i in (0..<columns).map { (i, $0, weights[i][$0]) } }.sorted { $0.2 > $1.2 }
            var rows = Set<Int>()
            for (i, j, w) in pairs where !rows.contains(i) && !used.contains(j) { rows.insert(i); used.insert(j); total += w }
            return total
        }
        func search(_ row: Int, _ used: Set<Int>) -> Int {
            guard row < weights.count else { return 0 }
            var best = search(row + 1, used)
            for j in 0..<columns where !used.contains(j) { best = max(best, weights[row][j] + search(row + 1, used.union([j]))) }
            return best
        }
        return search(0, [])
    }
}
