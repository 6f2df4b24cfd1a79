import DubSupport
import ProviderAPI
/// Plans the whole dubbed timeline at once: for every line, where it starts, how fast it plays and
/// what remedy made it fit, so that no two lines overlap and speed changes stay within limits.
///
/// A line longer than its slot is fixed by, in order: the silence after it (up to the next line's start
/// minus a gap); re-synthesis at the provider's own speed, if it has one; time-stretching up to
/// `maxSpeed`; re-translation shorter (at most `maxRetranslations` times); and only then a stretch up to
/// `hardCap` with later lines shifted. Lines are never slowed below `minSpeed`. Steps that need new
/// audio come back as `actions`; the caller performs them, measures again and plans again.
public struct FitPlanner: Sendable {
    public var settings: FitSettings

    public init(settings: FitSettings = FitSettings()) {
        self.settings = settings
    }

    /// Plans `lines` (any order; planned in time order).
    public func plan(_ lines: [FitLine]) -> FitPlan {
        let ordered = lines.sorted { ($0.slotStart, $0.id) < ($1.slotStart, $1.id) }
        var decisions: [FitDecision] = []
        var actions: [(id: Int, action: FitAction)] = []
        var previousEnd = -Double.infinity
        for (i, line) in ordered.enumerated() {
            let gapBefore = i > 0 ? gap(between: ordered[i - 1], and: line) : 0
            let start = max(line.slotStart, previousEnd + gapBefore)
            let windowEnd = windowEnd(after: i, in: ordered)
            let available = max(windowEnd - start, 0.05)
            var decision = FitDecision(id: line.id, slotStart: line.slotStart, slotEnd: line.slotEnd, rawDuration: line.duration,
                                       start: start, duration: line.duration, factor: 1, shift: start - line.slotStart,
                                       method: .fits, driftExceeded: false)
            if start - line.slotStart > settings.driftLimit + 1e-9 {
                // The drift limit is hard: a line that cannot start in time is left out rather than shifting the rest.
                decision.method = .dropped
                decision.start = line.slotStart
                decision.shift = 0
                decision.duration = 0
                decision.driftExceeded = true
                decisions.append(decision)
                continue
            }
            let slotLeft = line.slotEnd - start
            let remedyMethod: FitMethod = line.retranslations > 0 ? .retranslated : (line.providerSpeed != 1 ? .providerSpeed : .fits)
            if line.duration <= slotLeft {
                decision.method = remedyMethod
                if settings.slowShortLines, slotLeft > 0, line.duration < slotLeft {
                    decision.factor = max(settings.minSpeed, line.duration / slotLeft)
                }
            } else if line.duration <= available {
                decision.method = remedyMethod == .fits ? .silence : remedyMethod
            } else {
                let needed = line.duration / available
                // Speed already gained from the provider counts against the limits.
                let stretchCap = settings.maxSpeed / line.providerSpeed
                let hardStretchCap = settings.hardCap / line.providerSpeed
                if let range = settings.providerSpeedRange, line.providerSpeed == 1, range.upperBound > 1 {
                    actions.append((line.id, .resynthesize(speed: min(needed, settings.maxSpeed, range.upperBound))))
                    decision.factor = min(needed, hardStretchCap)
                    decision.method = .providerSpeed
                } else if needed <= stretchCap {
                    decision.factor = needed
                    decision.method = line.retranslations > 0 ? .retranslated : .stretched
                } else if line.retranslations < settings.maxRetranslations {
                    actions.append((line.id, .retranslate(targetSeconds: available * settings.maxSpeed)))
                    decision.factor = min(needed, hardStretchCap)
                    decision.method = .retranslated
                } else {
                    decision.factor = min(needed, hardStretchCap)
                    decision.method = .exceeded
                }
            }
            decision.duration = line.duration / decision.factor
            decisions.append(decision)
            previousEnd = decision.end
        }
        smooth(&decisions, ordered)
        return FitPlan(decisions: decisions, actions: actions)
    }

    /// The latest a line may end: the next line's slot start minus the gap, or the media end.
    private func windowEnd(after index: Int, in lines: [FitLine]) -> Double {
        if index + 1 < lines.count {
            return lines[index + 1].slotStart - gap(between: lines[index], and: lines[index + 1])
        }
        return settings.mediaEnd ?? .infinity
    }

    private func gap(between a: FitLine, and b: FitLine) -> Double {
        a.speaker != nil && b.speaker != nil && a.speaker != b.speaker ? settings.turnGap : settings.minGap
    }

    /// Raises the slower of two close neighbours so their factors differ by at most `maxSpeedStep`.
    /// Raising only shortens a line, so no overlap can appear; a raise never goes past `maxSpeed`
    /// (or the line's own factor when that is already higher).
    private func smooth(_ decisions: inout [FitDecision], _ lines: [FitLine]) {
        guard decisions.count > 1 else { return }
        for _ in 0..<3 {
            var changed = false
            for i in 0..<(decisions.count - 1) where decisions[i].method != .dropped && decisions[i + 1].method != .dropped {
                let a = decisions[i]
                let b = decisions[i + 1]
                guard b.start - a.end < settings.neighbourGap else { continue }
                let (low, high) = a.factor < b.factor ? (i, i + 1) : (i + 1, i)
                let target = min(decisions[high].factor - settings.maxSpeedStep, settings.maxSpeed)
                if target > decisions[low].factor + 1e-9 {
                    decisions[low].factor = target
                    decisions[low].duration = decisions[low].rawDuration / target
                    changed = true
                }
            }
            if !changed { break }
        }
    }
}
