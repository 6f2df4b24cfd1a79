import DubSupport
import ProviderAPI
/// Plans the whole dubbed timeline at once: for every line, where it starts, how fast it plays and what made it fit,
/// so that no two lines overlap, lines stay on their slots, and the speed is as close to natural and as even from line
/// to line as the time allows.
///
/// Each line has a window: from up to `borrowBefore` of the silence before its slot (never into the previous line's
/// slot) to the next line's slot (less the gap between them), or the media's end. Its least speed-up is what fits it
/// there (never slower than natural: a short line leaves the silence). The speeds of all lines are then chosen together
/// as the smallest that keep neighbouring lines within `maxSpeedStep` of each other (consecutive lines of one speaker,
/// and any close pair): the least fixed point of raising the slower of two neighbours, which only ever shortens lines,
/// so it never makes an overlap. Lines are then placed on their slots, starting early only by what they need.
///
/// A line whose speed-up is above 1.05 is first asked again of the engine at that speed, when the engine has a speed of
/// its own (it sounds better than any time-stretch); one above `maxSpeed` is re-translated shorter (at most
/// `maxRetranslations` times); only then stretched up to `hardCap` with the next lines shifted, which they pay back
/// from their own silence. Steps that need new audio come back as `actions`; the caller performs them, measures again
/// and plans again.
public struct FitPlanner: Sendable {
    public var settings: FitSettings

    /// How many rounds of remedies (re-translate, speak at the engine's speed) a caller carries out before the plan
    /// it has is final.
    public static let maxRounds = 5

    /// Speed-ups below this are left to the time-stretch (asking the engine again would not be worth a request).
    static let engineThreshold = 1.05

    public init(settings: FitSettings = FitSettings()) {
        self.settings = settings
    }

    /// Plans `lines` (any order; planned in time order).
    public func plan(_ lines: [FitLine]) -> FitPlan {
        let ordered = lines.sorted { ($0.slotStart, $0.id) < ($1.slotStart, $1.id) }
        let windows = ordered.indices.map { window(of: $0, in: ordered) }
        // 1. Each line's least stretch where it can be, given where the line before it ends at its own least stretch:
        // the silence between two slots is shared, first come first served.
        var spaces: [(start: Double, end: Double)] = []
        var factors: [Double] = []
        var previousEnd = -Double.infinity
        for (i, line) in ordered.enumerated() {
            let gapBefore = i > 0 ? gap(between: ordered[i - 1], and: line) : 0
            let space = (start: min(max(windows[i].start, previousEnd + gapBefore), line.slotStart + settings.driftLimit), end: windows[i].end)
            let factor = leastFactor(line, in: space)
            spaces.append(space)
            factors.append(factor)
            previousEnd = place(line, factor: factor, in: space).end
        }
        // 2. Speeds chosen together: the least that keep neighbours within a step of each other.
        smooth(&factors, ordered)
        // 3. Placed with those speeds; remedies asked for the lines that need them.
        var decisions: [FitDecision] = []
        var actions: [(id: Int, action: FitAction)] = []
        previousEnd = -Double.infinity
        for (i, line) in ordered.enumerated() {
            let gapBefore = i > 0 ? gap(between: ordered[i - 1], and: line) : 0
            let space = (start: max(windows[i].start, previousEnd + gapBefore), end: windows[i].end)
            var factor = factors[i]
            if space.start - line.slotStart > settings.driftLimit + 1e-9 {
                // The drift limit is hard: a line that cannot start in time is left out rather than shifting the rest.
                decisions.append(FitDecision(id: line.id, slotStart: line.slotStart, slotEnd: line.slotEnd, rawDuration: line.duration,
                                             start: line.slotStart, duration: 0, factor: 1, shift: 0, method: .dropped, driftExceeded: true))
                continue
            }
            if space.start + line.duration / factor > space.end + 1e-9 {
                // Pushed by the line before: speed up within the hard cap to stay in the window, else run on (and shift).
                factor = min(max(factor, line.duration / max(space.end - space.start, 0.05)), settings.hardCap / line.providerSpeed)
            }
            let placed = place(line, factor: factor, in: space)
            var decision = FitDecision(id: line.id, slotStart: line.slotStart, slotEnd: line.slotEnd, rawDuration: line.duration, start: placed.start,
                                       duration: line.duration / factor, factor: factor, shift: max(0, placed.start - line.slotStart),
                                       method: .fits, driftExceeded: false)
            let natural = line.duration * line.providerSpeed
            let room = spaces[i].end - max(spaces[i].start, line.slotStart - settings.startTolerance)
            let canAskEngine = settings.providerSpeedRange.map { $0.upperBound > 1 } ?? false
            if natural / max(room, 0.05) > settings.maxSpeed + 1e-9, line.retranslations < settings.maxRetranslations {
                // Too long to say at a comfortable speed: a shorter text, to fit at natural speed, before any speed-up.
                actions.append((line.id, .retranslate(targetSeconds: max(room, 0.05))))
            } else if line.providerSpeed == 1, canAskEngine, factor > Self.engineThreshold, let range = settings.providerSpeedRange {
                actions.append((line.id, .resynthesize(speed: min(factor, settings.maxSpeed, range.upperBound))))
            }
            decision.method = method(for: line, decision: decision, total: factor * line.providerSpeed)
            decisions.append(decision)
            previousEnd = decision.end
        }
        // Shorter texts change the speeds around them: the engine is asked for speeds once they are settled.
        if actions.contains(where: { if case .retranslate = $0.action { true } else { false } }) {
            actions.removeAll { if case .resynthesize = $0.action { true } else { false } }
        }
        return FitPlan(decisions: decisions, actions: actions)
    }

    /// The least stretch (never below natural speed, at most the hard cap) that fits a line in `space`, starting no
    /// earlier than `startTolerance` before its slot unless only borrowing more keeps it within `maxSpeed`.
    private func leastFactor(_ line: FitLine, in space: (start: Double, end: Double)) -> Double {
        let cap = settings.hardCap / line.providerSpeed
        let comfortable = space.end - max(space.start, line.slotStart - settings.startTolerance)
        let factor = max(1, line.duration / max(comfortable, 0.05))
        guard factor * line.providerSpeed > settings.maxSpeed else { return min(factor, cap) }
        return min(max(1, line.duration / max(space.end - space.start, 0.05)), cap)
    }

    /// Where a line at `factor` goes in `space`: on its slot when it fits, earlier only by what it needs, later only
    /// when the space starts later.
    private func place(_ line: FitLine, factor: Double, in space: (start: Double, end: Double)) -> (start: Double, end: Double) {
        let duration = line.duration / factor
        let start = max(space.start, min(line.slotStart, space.end - duration))
        return (start, start + duration)
    }

    /// What made the line fit, for the report.
    private func method(for line: FitLine, decision: FitDecision, total: Double) -> FitMethod {
        if total > settings.maxSpeed + 1e-9, line.retranslations >= settings.maxRetranslations, decision.factor > 1 + 1e-9 { return .exceeded }
        if line.retranslations > 0 { return .retranslated }
        if line.providerSpeed != 1 { return .providerSpeed }
        if decision.factor > 1 + 1e-9 { return .stretched }
        return decision.end > line.slotEnd + 1e-9 || decision.start < line.slotStart - 1e-9 ? .silence : .fits
    }

    /// Where a line may be: from its slot (less the silence it may borrow before it) to the next line's slot (less the
    /// gap), or the media's end.
    private func window(of index: Int, in lines: [FitLine]) -> (start: Double, end: Double) {
        let line = lines[index]
        var start = max(0, line.slotStart - settings.borrowBefore)
        if index > 0 { start = max(start, lines[index - 1].slotEnd + gap(between: lines[index - 1], and: line)) }
        let end = index + 1 < lines.count ? lines[index + 1].slotStart - gap(between: line, and: lines[index + 1]) : settings.mediaEnd ?? .infinity
        return (min(start, line.slotStart), max(end, min(start, line.slotStart) + 0.05))
    }

    private func gap(between a: FitLine, and b: FitLine) -> Double {
        a.speaker != nil && b.speaker != nil && a.speaker != b.speaker ? settings.turnGap : settings.minGap
    }

    /// The least speeds at or above `factors` whose neighbours differ by at most `maxSpeedStep`: consecutive lines of
    /// one speaker less than `speakerNeighbourGap` apart (up to the hard cap), and any two lines less than `neighbourGap`
    /// apart (up to `maxSpeed`). Raising only shortens a line, so no overlap can appear.
    private func smooth(_ factors: inout [Double], _ lines: [FitLine]) {
        var pairs: [(Int, Int, cap: Double)] = []
        var lastOf: [String: Int] = [:]
        for (i, line) in lines.enumerated() {
            if i > 0, line.slotStart - lines[i - 1].slotEnd < settings.neighbourGap { pairs.append((i - 1, i, settings.maxSpeed)) }
            let speaker = line.speaker ?? ""
            if let j = lastOf[speaker], line.slotStart - lines[j].slotEnd < settings.speakerNeighbourGap { pairs.append((j, i, settings.maxSpeed)) }
            lastOf[speaker] = i
        }
        // Total speed (engine × stretch) is what a listener hears.
        var total = zip(factors, lines).map { $0 * $1.providerSpeed }
        for _ in 0..<(4 * lines.count + 10) {
            var changed = false
            for (a, b, cap) in pairs {
                let (low, high) = total[a] < total[b] ? (a, b) : (b, a)
                let target = min(total[high] - settings.maxSpeedStep, cap)
                if target > total[low] + 1e-9 {
                    total[low] = target
                    changed = true
                }
            }
            if !changed { break }
        }
        factors = zip(total, lines).map { max($0 / $1.providerSpeed, 1) }
    }
}
