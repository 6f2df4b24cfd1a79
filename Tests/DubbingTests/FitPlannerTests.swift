import DubSupport
import ProviderAPI
import Providers
import Dubbing
import Testing

@Suite("Fit planner")
struct FitPlannerTests {
    /// Checks what must hold for every plan: no overlaps (with the gap), factor limits, no line earlier than the silence
    /// it may borrow before its slot.
    private func checkInvariants(_ plan: FitPlan, _ settings: FitSettings, _ lines: [FitLine]) {
        let byId = Dictionary(uniqueKeysWithValues: lines.map { ($0.id, $0) })
        for d in plan.decisions {
            #expect(d.shift <= settings.driftLimit + 1e-9, "line \(d.id) shifted \(d.shift) s, past the hard drift limit")
            if d.method == .dropped { continue }
            let total = d.factor * (byId[d.id]?.providerSpeed ?? 1)
            // Never slowed: a short line leaves the silence.
            #expect(d.factor >= 1 - 1e-9, "line \(d.id) slowed to \(d.factor)")
            #expect(total <= settings.hardCap + 1e-9, "line \(d.id) sped up \(total)")
            #expect(d.start >= d.slotStart - settings.borrowBefore - 1e-9)
            #expect(abs(d.duration - d.rawDuration / d.factor) < 1e-9)
        }
        let spoken = plan.decisions.filter { $0.method != .dropped }
        for (a, b) in zip(spoken, spoken.dropFirst()) {
            #expect(a.end + settings.minGap <= b.start + 1e-9, "lines \(a.id) and \(b.id) overlap: \(a.end) vs \(b.start)")
        }
    }

    @Test("lines that fit stay on their slots at natural speed; a short one is not slowed (the silence is left)")
    func fitting() {
        let lines = [FitLine(id: 0, slotStart: 1, slotEnd: 3, duration: 1.9), FitLine(id: 1, slotStart: 4, slotEnd: 6, duration: 0.8)]
        let plan = FitPlanner().plan(lines)
        #expect(plan.isFinal)
        #expect(plan.decisions.map(\.start) == [1, 4])
        #expect(plan.decisions.allSatisfy { $0.method == .fits && $0.factor == 1 })
        checkInvariants(plan, FitSettings(), lines)
    }

    @Test("a line too long for the time after its slot borrows a little before it, up to the start tolerance, rather than speed up")
    func borrowsBefore() {
        let lines = [FitLine(id: 0, slotStart: 0, slotEnd: 1, duration: 1), FitLine(id: 1, slotStart: 2, slotEnd: 3, duration: 1.1),
                     FitLine(id: 2, slotStart: 3.05, slotEnd: 4, duration: 0.5)]
        let plan = FitPlanner().plan(lines)
        #expect(plan.isFinal)
        #expect(plan.decisions[1].factor == 1)
        #expect(abs(plan.decisions[1].borrowedBefore - 0.13) < 1e-9)
        #expect(abs(plan.decisions[1].end - 2.97) < 1e-9)
        checkInvariants(plan, FitSettings(), lines)
    }

    @Test("a long line uses the silence after it before anything else")
    func usesSilence() {
        let lines = [FitLine(id: 0, slotStart: 1, slotEnd: 3, duration: 3.5), FitLine(id: 1, slotStart: 5, slotEnd: 6, duration: 1)]
        let plan = FitPlanner().plan(lines)
        #expect(plan.decisions[0].method == .silence)
        #expect(plan.decisions[0].factor == 1)
        checkInvariants(plan, FitSettings(), lines)
    }

    @Test("then the provider's own speed, then time-stretch up to max speed")
    func providerThenStretch() {
        var settings = FitSettings()
        settings.providerSpeedRange = 0.7...1.2
        let lines = [FitLine(id: 0, slotStart: 0, slotEnd: 2, duration: 2.3), FitLine(id: 1, slotStart: 2.1, slotEnd: 4, duration: 1.5)]
        let first = FitPlanner(settings: settings).plan(lines)
        #expect(first.actions.count == 1)
        guard case .resynthesize(let speed)? = first.actions.first?.action else {
            Issue.record("expected a re-synthesis request")
            return
        }
        #expect(abs(speed - 2.3 / 2.02) < 1e-6)
        // After re-synthesis at that speed the line measures shorter and is settled without stretching.
        let redone = [FitLine(id: 0, slotStart: 0, slotEnd: 2, duration: 2.0, providerSpeed: speed), lines[1]]
        let second = FitPlanner(settings: settings).plan(redone)
        #expect(second.isFinal)
        #expect(second.decisions[0].method == .providerSpeed)
        checkInvariants(second, settings, redone)

        let stretched = FitPlanner().plan(lines)
        #expect(stretched.isFinal)
        #expect(stretched.decisions[0].method == .stretched)
        #expect(abs(stretched.decisions[0].factor - 2.3 / 2.02) < 1e-9)
        checkInvariants(stretched, FitSettings(), lines)
    }

    @Test("too long for max speed: re-translate twice, then exceed up to the hard cap and shift")
    func retranslateThenExceed() {
        let settings = FitSettings()
        let tooLong = FitLine(id: 0, slotStart: 0, slotEnd: 2, duration: 3.0)
        let next = FitLine(id: 1, slotStart: 2.1, slotEnd: 3, duration: 0.5)
        let plan = FitPlanner().plan([tooLong, next])
        guard case .retranslate(let target)? = plan.actions.first?.action else {
            Issue.record("expected a re-translation request")
            return
        }
        // Shortened to be said at natural speed in the time it has.
        #expect(abs(target - 2.02) < 1e-9)
        var exhausted = tooLong
        exhausted.retranslations = 2
        exhausted.duration = 2.7
        let final = FitPlanner().plan([exhausted, next])
        #expect(final.isFinal)
        #expect(final.decisions[0].method == .exceeded)
        #expect(abs(final.decisions[0].factor - 1.3) < 1e-9)
        #expect(final.decisions[1].shift > 0)
        checkInvariants(final, settings, [exhausted, next])
    }

    @Test("a crowded timeline never overlaps (the no-overlap guarantee) and keeps neighbours' speeds close", arguments: [1, 2, 3, 4, 5])
    func crowded(seed: Int) {
        var rng = SplitMix(seed: UInt64(seed))
        var lines: [FitLine] = []
        var t = 0.5
        for id in 0..<60 {
            let slot = 0.6 + rng.unit() * 3
            let duration = slot * (0.5 + rng.unit() * 1.2)
            lines.append(FitLine(id: id, slotStart: t, slotEnd: t + slot, duration: duration, speaker: rng.unit() < 0.5 ? "A" : "B",
                                 retranslations: 2))
            t += slot + rng.unit() * 0.4
        }
        let settings = FitSettings()
        let plan = FitPlanner(settings: settings).plan(lines)
        #expect(plan.isFinal)
        checkInvariants(plan, settings, lines)
        for (a, b) in zip(plan.decisions, plan.decisions.dropFirst()) where b.start - a.end < settings.neighbourGap {
            let bothNormal = a.factor <= settings.maxSpeed && b.factor <= settings.maxSpeed
            if bothNormal {
                #expect(abs(a.factor - b.factor) <= settings.maxSpeedStep + 1e-9, "lines \(a.id), \(b.id): \(a.factor) vs \(b.factor)")
            }
        }
    }

    @Test("the drift limit is hard: overlong lines back to back never push later lines past it; a line that cannot start in time is dropped")
    func hardDriftLimit() {
        // 200 lines each 1.6x too long for its 1 s slot, back to back: shifts would grow without bound.
        let lines = (0..<200).map { FitLine(id: $0, slotStart: Double($0) * 1.05, slotEnd: Double($0) * 1.05 + 1, duration: 1.6, retranslations: 2) }
        let settings = FitSettings()
        let plan = FitPlanner(settings: settings).plan(lines)
        #expect(plan.isFinal)
        checkInvariants(plan, settings, lines)
        let dropped = plan.decisions.filter { $0.method == .dropped }
        #expect(!dropped.isEmpty && dropped.count < lines.count / 2, "\(dropped.count) dropped")
        #expect(dropped.allSatisfy { $0.driftExceeded })
        let last = plan.decisions.filter { $0.method != .dropped }.last!
        #expect(last.end - (lines.last!.slotEnd) < settings.driftLimit + 1.6, "the timeline drifted to \(last.end)")
    }

    @Test("speaker turns keep the larger gap")
    func turns() {
        let lines = [FitLine(id: 0, slotStart: 0, slotEnd: 1, duration: 1.4, speaker: "A"),
                     FitLine(id: 1, slotStart: 1.3, slotEnd: 2, duration: 0.6, speaker: "B")]
        let plan = FitPlanner().plan(lines)
        #expect(plan.decisions[0].end <= 1.3 - FitSettings().turnGap + 1e-9)
        #expect(plan.decisions[1].start == 1.3)
        checkInvariants(plan, FitSettings(), lines)
    }

    @Test("the last line stays inside the media")
    func mediaEnd() {
        var settings = FitSettings()
        settings.mediaEnd = 5
        settings.maxRetranslations = 0
        let plan = FitPlanner(settings: settings).plan([FitLine(id: 0, slotStart: 3, slotEnd: 4.5, duration: 2.2)])
        #expect(plan.decisions[0].end <= 5 + 1e-9)
        #expect(plan.decisions[0].method == .stretched)
    }
}

/// A small deterministic generator for constructed timelines.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
