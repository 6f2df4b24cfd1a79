import DubSupport
import ProviderAPI
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
    /// Voices by speaker (the cast: `voices.json`, `--voice-map`).
    var voices: [String: String] = [:]
    /// What the cache knows a voice as, where that is not its id (a cloned voice: its sample).
    var identities: [String: String] = [:]
    let language: Language

    init(synthesizer: any SpeechSynthesizer, voice: String?, language: Language) {
        self.synthesizer = synthesizer
        self.voice = voice
        self.language = language
    }

    /// This voice with `cast`'s voices for its speakers.
    func casting(_ cast: VoiceCast) -> LineVoice {
        var result = self
        result.voices = cast.voices
        result.identities = cast.cacheIdentities
        return result
    }

    /// The voice a line is spoken with.
    func voice(for line: DubLine) -> String? {
        line.voice ?? voices[line.speaker ?? ""] ?? voice
    }

    /// The language's short code (ISO 639-1 where there is one), for rates and round-trip checks.
    var code: String { language.code }

    /// Speaks one line (cached per line); `take` > 0 asks for a fresh rendition of the same request. Engines that keep
    /// prosody across lines (`usesContext`) also get the text of the lines before and after it in `lines`; the cache
    /// key leaves that context out, so editing one line redoes only that line.
    func speak(_ line: DubLine, among lines: [DubLine] = [], speed: Double, take: Int = 0, runner: StageRunner) async throws -> SpokenLine {
        let base = SynthesisRequest(text: line.text ?? "", language: language, voice: voice(for: line), speed: speed,
                                    delivery: synthesizer.takesDelivery ? line.delivery : nil)
        var keyed = base
        keyed.voice = base.voice.map { identities[$0] ?? $0 }
        let key = try CacheKey(["synthesize-1", synthesizer.name, try CacheKey(keyed).hex] + (take > 0 ? ["take-\(take)"] : [])
                               + (line.redo.map { ["redo-\($0)"] } ?? []))
        var request = base
        if synthesizer.usesContext, let index = lines.firstIndex(where: { $0.id == line.id }) {
            // The same speaker's neighbouring lines (elevenlabs-python `previous_text`/`next_text`: "text that came before
            // / comes after the text of the current request", for continuity).
            let sameVoice = { (other: DubLine) in other.speaker == line.speaker && !(other.text ?? "").isEmpty }
            request.previousText = lines[..<index].last(where: sameVoice)?.text
            request.nextText = lines[(index + 1)...].first(where: sameVoice)?.text
        }
        let (synthesizer, contextual) = (synthesizer, request)
        return try await runner.line(SynthesizeStage.name, key: key) { prefix in
            SpokenLine(audio: try await synthesizer.synthesize(contextual, to: prefix + ".wav"), speed: speed)
        }
    }

    /// The speaking rate of `voice` (the default voice when nil), measured once per engine, voice and language by
    /// synthesizing a calibration text (the typical figure for languages without one): every cast or cloned voice
    /// budgets its own lines.
    func speakingRate(of voice: String? = nil, runner: StageRunner) async throws -> SpeakingRate {
        let voice = voice ?? self.voice
        let (code, language, synthesizer) = (code, language, synthesizer)
        let typical = SpeakingRate.typical(language: code)
        guard let text = SpeakingRate.calibrationTexts[code] else { return typical }
        let key = try CacheKey(["rate-1", synthesizer.name, voice.map { identities[$0] ?? $0 } ?? "default", code])
        return try await runner.line("calibrate", key: key) { prefix in
            let audio = try await synthesizer.synthesize(SynthesisRequest(text: text, language: language, voice: voice), to: prefix + ".wav")
            guard audio.duration > 0.5 else { return typical }
            return SpeakingRate(unitsPerSecond: Double(typical.units(in: text)) / audio.duration, syllables: typical.syllables)
        }
    }
}
