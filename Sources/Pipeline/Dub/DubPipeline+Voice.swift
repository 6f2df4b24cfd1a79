import AudioKitCore

/// Synthesis and fitting: every line spoken, measured, and planned onto the timeline as a whole.
extension DubPipeline {
    /// A synthesized line and the key it is cached under.
    struct Spoken: Codable, Sendable {
        let audio: SynthesizedAudio
        let speed: Double
        var characters: Int { audio.characters }
    }

    struct Fitted: Sendable {
        let timings: [LineTiming]
        /// Clip files and where they start.
        let clips: [MixClip]
    }

    /// Speaks one line (cached per line); `take` > 0 asks for a fresh rendition of the same request (`--verify` retakes).
    func speak(_ runner: StageRunner, _ line: DubLine, language: LanguageCode, speed: Double, take: Int = 0) async throws -> Spoken {
        let request = SynthesisRequest(text: line.text ?? "", language: language.alpha2 ?? language.alpha3, voice: line.speaker.flatMap { voices[$0] } ?? self.request.voice,
                                       speed: speed)
        let key = try CacheKey(["synthesize-1", synthesizer.name, try CacheKey(request).hex] + (take > 0 ? ["take-\(take)"] : []))
        let synthesizer = synthesizer
        return try await runner.line("synthesize", key: key) { prefix in
            Spoken(audio: try await synthesizer.synthesize(request, to: prefix + ".wav"), speed: speed)
        }
    }

    /// Speaks every line, up to `synthesisConcurrency` at once (the provider client bounds its own requests too),
    /// reporting lines done as they finish.
    func synthesizeAll(_ runner: StageRunner, lines: [DubLine], language: LanguageCode) async throws -> [Int: Spoken] {
        let todo = lines.filter { !($0.text ?? "").trimmed.isEmpty }
        var spoken: [Int: Spoken] = [:]
        try await withThrowingTaskGroup(of: (Int, Spoken).self) { group in
            var next = 0
            func start() {
                let line = todo[next]
                next += 1
                group.addTask { (line.id, try await speak(runner, line, language: language, speed: 1)) }
            }
            while next < min(Self.synthesisConcurrency, todo.count) { start() }
            while let (id, result) = try await group.next() {
                spoken[id] = result
                await onProgress(DubProgress(stage: "synthesize", done: spoken.count, total: todo.count))
                if next < todo.count { start() }
            }
        }
        return spoken
    }

    /// Lines synthesized at once.
    static let synthesisConcurrency = 6

    /// Plans the timeline (re-synthesizing faster where the engine can, re-translating shorter where a budget-aware
    /// translator made the line), then time-stretches what still needs it.
    func fit(_ runner: StageRunner, lines: [DubLine], spoken: [Int: Spoken], language: LanguageCode, mediaEnd: Double?) async throws -> Fitted {
        var settings = FitSettings()
        settings.maxSpeed = request.maxSpeed ?? 1.15
        settings.providerSpeedRange = synthesizer.speedRange
        settings.maxRetranslations = canRetranslate(lines) ? 2 : 0
        settings.mediaEnd = mediaEnd
        let planner = FitPlanner(settings: settings)
        var current = spoken
        var lines = lines
        var retranslations: [Int: Int] = [:]
        func fitLines() -> [FitLine] {
            lines.compactMap { line in
                current[line.id].map { FitLine(id: line.id, slotStart: line.start, slotEnd: line.end, duration: $0.audio.duration,
                                               speaker: line.speaker, providerSpeed: $0.speed, retranslations: retranslations[line.id] ?? 0) }
            }
        }
        var plan = planner.plan(fitLines())
        for _ in 0..<4 where !plan.isFinal {
            for (id, action) in plan.actions {
                guard let index = lines.firstIndex(where: { $0.id == id }) else { continue }
                switch action {
                case .resynthesize(let speed):
                    current[id] = try await speak(runner, lines[index], language: language, speed: speed)
                case .retranslate(let seconds):
                    lines[index].text = try await retranslate(runner, lines[index], among: lines, seconds: seconds, language: language)
                    retranslations[id, default: 0] += 1
                    current[id] = try await speak(runner, lines[index], language: language, speed: 1)
                }
            }
            plan = planner.plan(fitLines())
        }
        if !retranslations.isEmpty { try work.writeJSON(lines, to: "lines.json") }
        let byId = Dictionary(uniqueKeysWithValues: lines.map { ($0.id, $0) })
        var timings: [LineTiming] = []
        var clips: [MixClip] = []
        for decision in plan.decisions {
            guard let voice = current[decision.id] else { continue }
            var path = voice.audio.path
            if abs(decision.factor - 1) > 0.001 {
                path = try await stretch(runner, voice.audio, factor: decision.factor)
            }
            clips.append(MixClip(path: path, start: decision.start))
            timings.append(LineTiming(id: decision.id, slotStart: decision.slotStart, slotEnd: decision.slotEnd,
                                      rawDuration: spoken[decision.id]?.audio.duration ?? decision.rawDuration, start: decision.start,
                                      duration: decision.duration, factor: decision.factor * voice.speed, shift: decision.shift,
                                      method: decision.method, text: byId[decision.id]?.text ?? ""))
        }
        try work.writeJSON(timings, to: "timing.json")
        return Fitted(timings: timings, clips: clips)
    }

    /// Re-translation helps only for lines this run translated, with a translator that follows budgets.
    func canRetranslate(_ lines: [DubLine]) -> Bool {
        guard request.subtitles == nil, lines.contains(where: { !$0.source.isEmpty }),
              let translator = try? providers.translator(request.translator ?? "openai") else { return false }
        return translator.followsBudgets
    }

    /// The clip time-stretched by `factor`, cached per clip and factor.
    func stretch(_ runner: StageRunner, _ audio: SynthesizedAudio, factor: Double) async throws -> String {
        let key = try CacheKey(["fit-1", audio.path, "\(factor)"])
        let result: String = try await runner.line("fit", key: key) { prefix in
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
        return result
    }
}
