import DubSupport
import ProviderAPI
import AudioKitCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// translate: every line without a text gets one, within a duration budget: the most characters (syllables for
/// Korean, Japanese, Chinese) that fit its slot and the usable silence after it at the voice's measured speaking
/// rate. Lines go in batches with their neighbours as context and the glossary; a translator that reads how each line
/// is said gives its delivery note too (`DubLine.delivery`). Each translation is cached per
/// line; `TimelineFitter` writes the texts into `lines.json`, so a hand-edited line is kept.
struct TranslateStage: DubStage {
    static let stage = StageName.translate

    /// The translation provider (`--translator`).
    let provider: String
    /// The source language, when known (`--from`).
    let from: Language?
    /// Terms to keep as given (`--glossary`).
    let glossary: [String: String]
    /// The voice whose speaking rate sets the budgets.
    let voice: LineVoice
    /// Whether this shortens given target-language lines (`--condense`) instead of translating source lines.
    let condensing: Bool

    /// The translation stage of `plan`; with `condensing`, the `--condense` remedy for target-language subtitles (the
    /// given text "translated" into its own language under a tighter budget).
    init(plan: DubPlan, voice: LineVoice, condensing: Bool = false) throws {
        provider = (condensing ? plan.condenser : plan.translator) ?? DubRequest.defaultTranslator
        from = condensing ? plan.target : plan.source
        glossary = try plan.request.glossary.map(Glossary.load) ?? [:]
        self.voice = voice
        self.condensing = condensing
    }

    /// Seconds a line may fill at natural speed: its slot plus up to one second of the silence after it.
    static func naturalSeconds(_ line: DubLine) -> Double {
        line.duration + min(max(0, line.gapAfter - 0.1), 1.0)
    }

    func run(_ lines: [DubLine], in context: StageContext) async throws -> [DubLine] {
        let pending = lines.filter { $0.text == nil }
        guard !pending.isEmpty else { return lines }
        let translator = try context.providers.translator(provider)
        var rates: [String: SpeakingRate] = [:]
        var result = lines
        var todo: [(line: TranslationLine, key: CacheKey)] = []
        for line in pending {
            let spoken = voice.voice(for: line)
            let rate: SpeakingRate
            if let known = rates[spoken ?? ""] {
                rate = known
            } else {
                rate = try await voice.speakingRate(of: spoken, runner: context.runner)
                rates[spoken ?? ""] = rate
            }
            let item = TranslationLine(id: line.id, text: line.source, budget: rate.budget(seconds: Self.naturalSeconds(line)))
            let key = try cacheKey(translator, item)
            if let cached = try await context.runner.cachedLine(Self.name, key: key, as: Translation.self) {
                Self.set(cached, of: line.id, in: &result)
            } else {
                todo.append((item, key))
            }
        }
        if !todo.isEmpty {
            let translated = try await TranslationBatcher(translator: translator).translate(
                todo.map(\.line), source: from, target: voice.language, glossary: glossary)
            for (item, key) in todo {
                guard let translation = translated[item.id] else { continue }
                try await context.runner.storeLine(Self.name, key: key, translation)
                Self.set(translation, of: item.id, in: &result)
            }
        }
        return result
    }

    /// Whether asking again for a shorter line can help: the translator follows budgets and the lines have text to
    /// shorten (source text; or, condensing, the given text).
    func canRetranslate(_ lines: [DubLine], in context: StageContext) -> Bool {
        guard lines.contains(where: { !Self.original(of: $0, condensing: condensing).isEmpty }),
              let translator = try? context.providers.translator(provider) else { return false }
        return translator.followsBudgets
    }

    /// The text a shorter version is made from: the source text, or (condensing) the line as it is now.
    static func original(of line: DubLine, condensing: Bool) -> String {
        condensing ? line.text ?? "" : line.source
    }

    /// A shorter translation of one line for `seconds` of speech (`FitStage`'s re-translation remedy), cached per line.
    func retranslate(_ line: DubLine, among lines: [DubLine], seconds: Double, in context: StageContext) async throws -> String {
        let translator = try context.providers.translator(provider)
        let rate = try await voice.speakingRate(of: voice.voice(for: line), runner: context.runner)
        let condensing = condensing
        let item = TranslationLine(id: line.id, text: Self.original(of: line, condensing: condensing), budget: rate.budget(seconds: seconds))
        let key = try cacheKey(translator, item)
        let neighbours = lines.firstIndex { $0.id == line.id }.map { i in
            (lines[max(0, i - 2)..<i].map { Self.original(of: $0, condensing: condensing) },
             lines[(i + 1)..<min(lines.count, i + 3)].map { Self.original(of: $0, condensing: condensing) })
        } ?? ([], [])
        let request = TranslationRequest(lines: [item], source: from, target: voice.language, before: neighbours.0, after: neighbours.1, glossary: glossary)
        return try await context.runner.line(Self.name, key: key) { _ in
            guard let translation = try await translator.translations(request)[line.id] else {
                throw ProviderError(code: .badResponse, provider: translator.name, message: "no translation for line \(line.id)")
            }
            return translation
        }.text
    }

    private func cacheKey(_ translator: any Translator, _ item: TranslationLine) throws -> CacheKey {
        try CacheKey(["translate-2", translator.name, from?.tag ?? "auto", voice.language.tag, item.text,
                      translator.followsBudgets ? "\(item.budget ?? 0)" : "-", try CacheKey(glossary).hex])
    }

    private static func set(_ translation: Translation, of id: Int, in lines: inout [DubLine]) {
        guard let index = lines.firstIndex(where: { $0.id == id }) else { return }
        lines[index].text = translation.text
        lines[index].delivery = translation.delivery
    }
}
