import AudioKitCore

/// A line as spoken: the synthesized audio and the provider speed it was asked for.
struct SpokenLine: Codable, Sendable {
    let audio: SynthesizedAudio
    let speed: Double
    var characters: Int { audio.characters }
}

/// The dub's voice: the synthesizer, the voice of each speaker and the target language. It speaks one line, cached
/// per line (for `SynthesizeStage`, and for the retakes of `FitStage` and `VerifyStage`), and measures its own
/// speaking rate (for `TranslateStage`'s budgets).
struct LineVoice: Sendable {
    let synthesizer: any SpeechSynthesizer
    /// The voice for speakers not in `voices` (`--voice`; the engine's default when nil).
    let voice: String?
    /// Voices by speaker (`--voice-map`).
    let voices: [String: String]
    let language: LanguageCode

    /// The language as the engines take it (ISO 639-1 where there is one).
    var code: String { language.alpha2 ?? language.alpha3 }

    /// Speaks one line (cached per line); `take` > 0 asks for a fresh rendition of the same request.
    func speak(_ line: DubLine, speed: Double, take: Int = 0, runner: StageRunner) async throws -> SpokenLine {
        let request = SynthesisRequest(text: line.text ?? "", language: code, voice: line.speaker.flatMap { voices[$0] } ?? voice, speed: speed)
        let key = try CacheKey(["synthesize-1", synthesizer.name, try CacheKey(request).hex] + (take > 0 ? ["take-\(take)"] : []))
        let synthesizer = synthesizer
        return try await runner.line(SynthesizeStage.name, key: key) { prefix in
            SpokenLine(audio: try await synthesizer.synthesize(request, to: prefix + ".wav"), speed: speed)
        }
    }

    /// The speaking rate, measured once per engine, voice and language by synthesizing a calibration text (the
    /// typical figure for languages without one).
    func speakingRate(runner: StageRunner) async throws -> SpeakingRate {
        let (code, synthesizer, voice) = (code, synthesizer, voice)
        let typical = SpeakingRate.typical(language: code)
        guard let text = SpeakingRate.calibrationTexts[code] else { return typical }
        let key = try CacheKey(["rate-1", synthesizer.name, voice ?? "default", code])
        return try await runner.line("calibrate", key: key) { prefix in
            let audio = try await synthesizer.synthesize(SynthesisRequest(text: text, language: code, voice: voice), to: prefix + ".wav")
            guard audio.duration > 0.5 else { return typical }
            return SpeakingRate(unitsPerSecond: Double(typical.units(in: text)) / audio.duration, syllables: typical.syllables)
        }
    }
}
