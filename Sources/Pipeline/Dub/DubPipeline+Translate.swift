import AudioKitCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Translation with a duration budget: every line gets the most characters (syllables for Korean, Japanese,
/// Chinese) that fit its slot and the usable silence after it at the voice's measured speaking rate; lines go
/// in batches with their neighbours as context and the glossary. Each translation is cached per line, and the
/// translations are written into `lines.json`, so a hand-edited line is kept.
extension DubPipeline {
    /// Seconds a line may fill at natural speed: its slot plus up to one second of the silence after it.
    static func naturalSeconds(_ line: DubLine) -> Double {
        line.duration + min(max(0, line.gapAfter - 0.1), 1.0)
    }

    func translateLines(_ runner: StageRunner, lines: [DubLine], language: LanguageCode) async throws -> [DubLine] {
        let pending = lines.filter { $0.text == nil }
        guard !pending.isEmpty else { return lines }
        let translator = try providers.translator(request.translator ?? "openai")
        let rate = try await speakingRate(runner, language: language)
        let glossary = try request.glossary.map(Glossary.load) ?? [:]
        var result = lines
        var todo: [(line: TranslationLine, key: CacheKey)] = []
        for line in pending {
            let item = TranslationLine(id: line.id, text: line.source, budget: rate.budget(seconds: Self.naturalSeconds(line)))
            let key = try translationKey(translator, item, glossary: glossary, language: language)
            if let cached = try await runner.cachedLine("translate", key: key, as: String.self) {
                setText(cached, of: line.id, in: &result)
            } else {
                todo.append((item, key))
            }
        }
        if !todo.isEmpty {
            let translated = try await TranslationBatcher(translator: translator).translate(
                todo.map(\.line), source: request.from, target: language.alpha2 ?? language.alpha3, glossary: glossary)
            for (item, key) in todo {
                guard let text = translated[item.id] else { continue }
                try await runner.storeLine("translate", key: key, text)
                setText(text, of: item.id, in: &result)
            }
        }
        try work.writeJSON(result, to: "lines.json")
        return result
    }

    /// A shorter translation of one line for `seconds` of speech (the fit stage's re-translation remedy).
    func retranslate(_ runner: StageRunner, _ line: DubLine, among lines: [DubLine], seconds: Double, language: LanguageCode) async throws -> String {
        let translator = try providers.translator(request.translator ?? "openai")
        let rate = try await speakingRate(runner, language: language)
        let glossary = try request.glossary.map(Glossary.load) ?? [:]
        let item = TranslationLine(id: line.id, text: line.source, budget: rate.budget(seconds: seconds))
        let key = try translationKey(translator, item, glossary: glossary, language: language)
        let neighbours = lines.firstIndex { $0.id == line.id }.map { i in
            (lines[max(0, i - 2)..<i].map(\.source), lines[(i + 1)..<min(lines.count, i + 3)].map(\.source))
        } ?? ([], [])
        let request = TranslationRequest(lines: [item], source: self.request.from, target: language.alpha2 ?? language.alpha3,
                                         before: neighbours.0, after: neighbours.1, glossary: glossary)
        return try await runner.line("translate", key: key) { _ in
            guard let text = try await translator.translate(request)[line.id] else {
                throw ProviderError(code: .badResponse, provider: translator.name, message: "no translation for line \(line.id)")
            }
            return text
        }
    }

    private func translationKey(_ translator: any Translator, _ item: TranslationLine, glossary: [String: String], language: LanguageCode) throws -> CacheKey {
        try CacheKey(["translate-1", translator.name, request.from ?? "auto", language.description, item.text,
                      translator.followsBudgets ? "\(item.budget ?? 0)" : "-", try CacheKey(glossary).hex])
    }

    private func setText(_ text: String, of id: Int, in lines: inout [DubLine]) {
        if let index = lines.firstIndex(where: { $0.id == id }) { lines[index].text = text }
    }

    /// The voice's speaking rate, measured once per engine, voice and language by synthesizing a calibration text.
    func speakingRate(_ runner: StageRunner, language: LanguageCode) async throws -> SpeakingRate {
        let code = language.alpha2 ?? language.alpha3
        let typical = SpeakingRate.typical(language: code)
        guard let text = SpeakingRate.calibrationTexts[code] else { return typical }
        let key = try CacheKey(["rate-1", synthesizer.name, request.voice ?? "default", code])
        let synthesizer = synthesizer, voice = request.voice
        return try await runner.line("calibrate", key: key) { prefix in
            let audio = try await synthesizer.synthesize(SynthesisRequest(text: text, language: code, voice: voice), to: prefix + ".wav")
            guard audio.duration > 0.5 else { return typical }
            return SpeakingRate(unitsPerSecond: Double(typical.units(in: text)) / audio.duration, syllables: typical.syllables)
        }
    }
}
