import DubSupport
import ProviderAPI
import AudioKitCore

/// The one owner of the dub's timeline: it plans every line with `FitPlanner`, carries out the remedies (re-synthesis
/// at the engine's speed, shorter re-translation, both cached per line), stretches each clip by its final factor
/// (cached per clip and factor), and is the only writer of `timing.json` and of the translated `lines.json` (the texts
/// as they are spoken, hand-editable). The fit stage runs it; `--verify` runs it again after retakes.
struct TimelineFitter: Sendable {
    /// The per-line timing report.
    static let timingFile = "timing.json"
    /// The lines with the texts as spoken, written only here; a hand-edited text is carried into the next run by the
    /// lines stage.
    static let linesFile = "lines.json"

    /// The fastest time-stretch (`--max-speed`).
    let maxSpeed: Double
    let voice: LineVoice
    /// The translation stage, for shorter re-translations; nil when the lines came translated (`--subtitles`).
    let retranslator: TranslateStage?

    /// Plans, carries out the remedies, stretches the clips, and writes `timing.json` (and `lines.json`, with the
    /// texts as spoken).
    func fit(_ input: FitStage.Input, in context: StageContext) async throws -> FitStage.Output {
        var settings = FitSettings()
        settings.maxSpeed = maxSpeed
        settings.providerSpeedRange = voice.synthesizer.speedRange
        let retranslator = retranslator.flatMap { $0.canRetranslate(input.lines, in: context) ? $0 : nil }
        settings.maxRetranslations = retranslator == nil ? 0 : 2
        settings.mediaEnd = input.mediaEnd
        let planner = FitPlanner(settings: settings)
        var current = input.spoken
        var lines = input.lines
        var retranslations: [Int: Int] = [:]
        func fitLines() -> [FitLine] {
            lines.compactMap { line in
                current[line.id].map { FitLine(id: line.id, slotStart: line.start, slotEnd: line.end, duration: $0.audio.duration,
                                               speaker: line.speaker, providerSpeed: $0.speed, retranslations: retranslations[line.id] ?? 0) }
            }
        }
        var plan = planner.plan(fitLines())
        for _ in 0..<FitPlanner.maxRounds where !plan.isFinal {
            for (id, action) in plan.actions {
                guard let index = lines.firstIndex(where: { $0.id == id }) else { continue }
                switch action {
                case .resynthesize(let speed):
                    current[id] = try await voice.speak(lines[index], among: lines, speed: speed, runner: context.runner)
                case .retranslate(let seconds):
                    guard let retranslator else { continue }
                    lines[index].text = try await retranslator.retranslate(lines[index], among: lines, seconds: seconds, in: context)
                    retranslations[id, default: 0] += 1
                    current[id] = try await voice.speak(lines[index], among: lines, speed: 1, runner: context.runner)
                }
            }
            plan = planner.plan(fitLines())
        }
        try context.work.writeJSON(lines, to: Self.linesFile)
        let texts = Dictionary(lines.map { ($0.id, $0.text ?? "") }) { first, _ in first }
        var timings: [LineTiming] = []
        var clips: [MixClip] = []
        for decision in plan.decisions {
            guard let spoken = current[decision.id] else { continue }
            if decision.method == .dropped {
                await context.warn("line \(decision.id) (\(SubtitleFormat.timestamp(decision.slotStart, separator: "."))) left out: the lines before it "
                                   + "run more than \(settings.driftLimit) s past its start even at \(settings.hardCap)x; shorten them (edit lines.json)")
                timings.append(LineTiming(id: decision.id, slotStart: decision.slotStart, slotEnd: decision.slotEnd, rawDuration: decision.rawDuration,
                                          start: decision.slotStart, duration: 0, factor: 1, shift: 0, method: .dropped, text: texts[decision.id] ?? ""))
                continue
            }
            var path = spoken.audio.path
            if abs(decision.factor - 1) > 0.001 {
                path = try await stretch(spoken.audio, factor: decision.factor, runner: context.runner)
            }
            clips.append(MixClip(path: path, start: decision.start))
            timings.append(LineTiming(id: decision.id, slotStart: decision.slotStart, slotEnd: decision.slotEnd,
                                      rawDuration: input.spoken[decision.id]?.audio.duration ?? decision.rawDuration, start: decision.start,
                                      duration: decision.duration, factor: decision.factor * spoken.speed, shift: decision.shift,
                                      method: decision.method, text: texts[decision.id] ?? "", engineSpeed: spoken.speed, stretch: decision.factor,
                                      borrowedBefore: decision.borrowedBefore, borrowedAfter: decision.borrowedAfter,
                                      condensed: (retranslations[decision.id] ?? 0) > 0, audio: context.work.relative(path)))
        }
        try context.work.writeJSON(timings, to: Self.timingFile)
        return FitStage.Output(timings: timings, clips: clips)
    }

    /// The clip time-stretched by `factor`, cached per clip and factor.
    private func stretch(_ audio: SynthesizedAudio, factor: Double, runner: StageRunner) async throws -> String {
        let key = try CacheKey(["fit-1", audio.path, "\(factor)"])
        return try await runner.line(FitStage.name, key: key) { prefix in
            let out = prefix + ".wav"
            try await BlockingWork.run {
                let reader = try SoundFileReader(path: audio.path)
                let samples = try reader.readAll()
                let target = Int((Double(reader.frameCount) / factor).rounded())
                let stretched = try TimeStretcher.stretch(samples, channels: reader.channels, sampleRate: reader.sampleRate, outputFrames: target)
                let writer = try SoundFileWriter(path: out, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                                 sampleRate: reader.sampleRate, channels: reader.channels)
                try writer.write(stretched)
                try writer.close()
            }
            return out
        }
    }
}
