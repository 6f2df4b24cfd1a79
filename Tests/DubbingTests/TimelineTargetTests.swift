import DubSupport
import ProviderAPI
import Dubbing
import Testing

/// The timing targets on constructed timelines whose truth is known: speech at 140, 170 and 200 words a minute, dubbed
/// by an engine speaking 170 words a minute, with translations 0 %, 15 % and 30 % longer; two speakers taking turns.
/// The remedies are simulated as the pipeline does them: the engine's own speed gives exactly that speed, and a
/// re-translation gives a text that fits the length asked for.
@Suite("timing targets on constructed timelines")
struct TimelineTargetTests {
    struct Figures: CustomStringConvertible {
        var onSlot: Double, atMost115: Double, overCap: Int, largestStep: Double, slowest: Double, finalDrift: Double
        var description: String {
            "on slot \(Int(onSlot * 100)) %, <= 1.15x \(Int(atMost115 * 100)) %, over cap \(overCap), step \(largestStep.fixed(3)), slowest \(slowest.fixed(2)), drift \(finalDrift.fixed(3))"
        }
    }

    /// A dialogue of `count` lines at `rate` words a minute, its translation `expansion` longer, spoken at 170 wpm.
    static func timeline(rate: Double, expansion: Double, seed: UInt64, count: Int = 80) -> [FitLine] {
        var rng = SplitMix(seed: seed)
        var t = 0.5
        var lines: [FitLine] = []
        var speaker = "A"
        for id in 0..<count {
            let words = 4 + Double(rng.next() % 13)
            let slot = words / (rate / 60)
            let spoken = words * (1 + expansion) / (170 / 60) * (0.92 + 0.16 * rng.unit())
            lines.append(FitLine(id: id, slotStart: t, slotEnd: t + slot, duration: spoken, speaker: speaker))
            let turn = rng.unit() < 0.4
            if turn { speaker = speaker == "A" ? "B" : "A" }
            t += slot + (turn ? 0.4 + 0.6 * rng.unit() : 0.25 + 0.65 * rng.unit())
        }
        return lines
    }

    /// Plans, carries out the remedies as the fitter would (`FitPlanner.maxRounds` rounds), and plans again.
    static func fit(_ lines: [FitLine], settings: FitSettings) -> (FitPlan, [FitLine]) {
        var current = lines
        // Each line's length at natural speed, as it is now (a re-translation makes it shorter).
        var natural = Dictionary(uniqueKeysWithValues: lines.map { ($0.id, $0.duration) })
        var plan = FitPlanner(settings: settings).plan(current)
        for _ in 0..<FitPlanner.maxRounds where !plan.isFinal {
            for (id, action) in plan.actions {
                guard let i = current.firstIndex(where: { $0.id == id }) else { continue }
                switch action {
                case .resynthesize(let speed):
                    current[i].duration = (natural[id] ?? 0) / speed
                    current[i].providerSpeed = speed
                case .retranslate(let seconds):
                    natural[id] = min(natural[id] ?? 0, seconds * 0.97)
                    current[i].duration = natural[id] ?? 0
                    current[i].providerSpeed = 1
                    current[i].retranslations += 1
                }
            }
            plan = FitPlanner(settings: settings).plan(current)
        }
        return (plan, current)
    }

    static func figures(_ plan: FitPlan, _ lines: [FitLine], settings: FitSettings) -> Figures {
        let byId = Dictionary(uniqueKeysWithValues: lines.map { ($0.id, $0) })
        let decisions = plan.decisions
        let total = { (d: FitDecision) in d.factor * (byId[d.id]?.providerSpeed ?? 1) }
        var onSlot = 0
        for (i, d) in decisions.enumerated() where d.method != .dropped {
            let next = i + 1 < decisions.count ? decisions[i + 1].slotStart : .infinity
            if abs(d.start - d.slotStart) <= 0.15 + 1e-9 && d.end <= next + 1e-9 { onSlot += 1 }
        }
        var step = 0.0
        var last: [String: FitDecision] = [:]
        for d in decisions where d.method != .dropped {
            let speaker = byId[d.id]?.speaker ?? ""
            if let previous = last[speaker], d.slotStart - previous.slotEnd < settings.speakerNeighbourGap { step = max(step, abs(total(d) - total(previous))) }
            last[speaker] = d
        }
        let spoken = decisions.filter { $0.method != .dropped }
        return Figures(onSlot: Double(onSlot) / Double(decisions.count),
                       atMost115: Double(spoken.filter { total($0) <= 1.15 + 1e-9 }.count) / Double(decisions.count),
                       overCap: spoken.filter { total($0) > settings.hardCap + 1e-9 }.count, largestStep: step,
                       slowest: spoken.map(total).min() ?? 1, finalDrift: spoken.last?.shift ?? 0)
    }

    @Test("with an engine speed and a translator: >= 95 % on their slots, >= 90 % at 1.15x or less, none over the cap, steps <= 0.10, none below 0.95x, no drift at the end",
          arguments: [140.0, 170, 200], [0.0, 0.15, 0.30])
    func targets(rate: Double, expansion: Double) {
        var settings = FitSettings()
        settings.providerSpeedRange = 0.7...1.2
        Self.expectTargets(rate: rate, expansion: expansion, seeds: (1...3).map { UInt64($0) * 7 + UInt64(rate) }, settings: settings)
    }

    /// Fits three timelines of `rate` and `expansion` and expects every target.
    static func expectTargets(rate: Double, expansion: Double, seeds: [UInt64], settings: FitSettings) {
        for seed in seeds {
            let (plan, lines) = fit(timeline(rate: rate, expansion: expansion, seed: seed), settings: settings)
            let f = figures(plan, lines, settings: settings)
            #expect(f.onSlot >= 0.95, "\(f)")
            #expect(f.atMost115 >= 0.90, "\(f)")
            #expect(f.overCap == 0 && f.largestStep <= 0.10 + 1e-9 && f.slowest >= 0.95 && f.finalDrift < 1e-9, "\(f)")
        }
    }

    @Test("without a translator (lines given translated), where the arithmetic allows (at most about 1.15x needed on average): the same targets from the engine's speed and the time-stretch alone",
          arguments: [(140.0, 0.0), (140, 0.15), (170, 0), (170, 0.15), (200, 0)])
    func targetsWithoutTranslator(rate: Double, expansion: Double) {
        var settings = FitSettings()
        settings.providerSpeedRange = 0.7...1.2
        settings.maxRetranslations = 0
        Self.expectTargets(rate: rate, expansion: expansion, seeds: (1...3).map { UInt64($0) * 11 + UInt64(rate) }, settings: settings)
    }

    @Test("one long line among short ones is condensed, and the short lines around it keep their slots and natural speed")
    func oneLongLine() {
        var settings = FitSettings()
        settings.providerSpeedRange = 0.7...1.2
        var lines = (0..<9).map { FitLine(id: $0, slotStart: Double($0) * 2, slotEnd: Double($0) * 2 + 1.4, duration: 1.2, speaker: "A") }
        lines[4].duration = 3.5
        let (plan, fitted) = Self.fit(lines, settings: settings)
        let f = Self.figures(plan, fitted, settings: settings)
        #expect(fitted[4].retranslations > 0)
        #expect(f.onSlot == 1 && f.atMost115 == 1 && f.largestStep <= 0.10 + 1e-9 && f.finalDrift == 0, "\(f)")
        #expect(plan.decisions.filter { $0.id != 4 }.allSatisfy { $0.start == $0.slotStart && $0.factor == 1 })
    }

    @Test("sparse lines are left alone: on their slots, at natural speed, nothing asked of the engine or the translator")
    func sparse() {
        let lines = (0..<20).map { FitLine(id: $0, slotStart: Double($0) * 5, slotEnd: Double($0) * 5 + 2, duration: 1.5 + 0.05 * Double($0 % 5)) }
        let plan = FitPlanner().plan(lines)
        #expect(plan.isFinal)
        #expect(plan.decisions.allSatisfy { $0.start == $0.slotStart && $0.factor == 1 && $0.method == .fits })
    }
}
