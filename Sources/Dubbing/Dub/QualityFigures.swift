import DubSupport

/// How good a dub is, in the figures an editor checks: how hard lines were sped up, how even the pace is between
/// neighbours, how far lines moved from their slots, the drift at the end, overlaps, the round-trip check (with
/// `--verify`) and the loudness. In the report's JSON, the final summary and `report.html`.
public struct QualityFigures: Codable, Sendable, Equatable {
    /// Shares (0...1) of the spoken lines at speed factors ≤ 1.05, ≤ 1.15 and > 1.3.
    public var shareNatural: Double
    public var shareWithin115: Double
    public var shareOver130: Double
    /// The largest change of speed factor between neighbouring spoken lines.
    public var largestSpeedStep: Double
    /// The largest distance, in seconds, between a line's start and its planned slot's start.
    public var largestStartOffset: Double
    /// Where the last spoken line ends relative to its slot's end, in seconds (positive: the dub runs late).
    public var driftAtEnd: Double
    public var overlaps: Int
    /// With `--verify`: the median and worst line word error rate, and how many endings were cut off.
    public var medianWER: Double?
    public var worstWER: Double?
    public var cutOffEndings: Int?
    public var loudnessIn: Double
    public var loudnessOut: Double
    public var truePeak: Double

    enum CodingKeys: String, CodingKey {
        case shareNatural = "share_at_most_1_05"
        case shareWithin115 = "share_at_most_1_15"
        case shareOver130 = "share_over_1_3"
        case largestSpeedStep = "largest_speed_step"
        case largestStartOffset = "largest_start_offset"
        case driftAtEnd = "drift_at_end"
        case overlaps
        case medianWER = "median_wer"
        case worstWER = "worst_wer"
        case cutOffEndings = "cut_off_endings"
        case loudnessIn = "loudness_in_lufs"
        case loudnessOut = "loudness_out_lufs"
        case truePeak = "true_peak_dbtp"
    }

    /// The figures of a fitted dub.
    public init(timings: [LineTiming], checks: [LineCheck]?, loudnessIn: Double, loudnessOut: Double, truePeak: Double) {
        let spoken = timings.filter { $0.method != .dropped }.sorted { $0.start < $1.start }
        let count = Double(max(1, spoken.count))
        shareNatural = Double(spoken.filter { $0.factor <= 1.05 + 1e-9 }.count) / count
        shareWithin115 = Double(spoken.filter { $0.factor <= 1.15 + 1e-9 }.count) / count
        shareOver130 = Double(spoken.filter { $0.factor > 1.3 + 1e-9 }.count) / count
        largestSpeedStep = zip(spoken, spoken.dropFirst()).map { abs($0.factor - $1.factor) }.max() ?? 0
        largestStartOffset = spoken.map { abs($0.start - $0.slotStart) }.max() ?? 0
        driftAtEnd = spoken.last.map { $0.start + $0.duration - $0.slotEnd } ?? 0
        overlaps = Self.overlaps(in: timings)
        if let checks, !checks.isEmpty {
            let rates = checks.map(\.errorRate).sorted()
            medianWER = rates.count % 2 == 1 ? rates[rates.count / 2] : (rates[rates.count / 2 - 1] + rates[rates.count / 2]) / 2
            worstWER = rates.last
            cutOffEndings = checks.filter(\.cutOff).count
        }
        self.loudnessIn = loudnessIn
        self.loudnessOut = loudnessOut
        self.truePeak = truePeak
    }

    /// How many spoken lines run into the next one (in time order).
    static func overlaps(in timings: [LineTiming]) -> Int {
        let spoken = timings.filter { $0.method != .dropped }.sorted { $0.start < $1.start }
        return zip(spoken, spoken.dropFirst()).filter { $0.start + $0.duration > $1.start + 1e-6 }.count
    }

    /// One line for a person: "quality: 92 % of lines at ≤ 1.05x, ...".
    public var summary: String {
        func percent(_ share: Double) -> String { "\(Int((share * 100).rounded())) %" }
        var parts = ["\(percent(shareNatural)) of lines at ≤ 1.05x, \(percent(shareWithin115)) ≤ 1.15x, \(percent(shareOver130)) > 1.3x",
                     "largest step between neighbours \(largestSpeedStep.fixed(2))",
                     "largest start offset \(largestStartOffset.fixed(2)) s", "drift at the end \(driftAtEnd.fixed(2)) s",
                     "\(overlaps) overlap\(overlaps == 1 ? "" : "s")"]
        if let medianWER, let worstWER, let cutOffEndings {
            parts.append("WER median \(medianWER.fixed(2)), worst \(worstWER.fixed(2)), \(cutOffEndings) cut-off ending\(cutOffEndings == 1 ? "" : "s")")
        }
        parts.append("loudness \(loudnessIn.fixed(1)) → \(loudnessOut.fixed(1)) LUFS, true peak \(truePeak.fixed(1)) dBTP")
        return parts.joined(separator: "; ")
    }
}
