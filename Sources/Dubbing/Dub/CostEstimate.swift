import DubSupport
import ProviderAPI
/// Approximate cost of provider usage, in US dollars, from list prices (late 2025; plans and regions differ, so
/// treat figures as estimates). Used for `dubctl dub --dry-run`, `--budget` and the report's cost per provider.
public struct CostEstimate: Sendable {
    /// Prices for one provider.
    public struct Prices: Sendable, Equatable {
        public var perAudioMinute: Double = 0
        public var perMillionPromptTokens: Double = 0
        public var perMillionCompletionTokens: Double = 0
        public var perMillionCharacters: Double = 0
    }

    /// List prices by usage-meter name: OpenAI whisper-1, gpt-4o-mini and tts-1; ElevenLabs Scribe and
    /// multilingual TTS (Creator-plan overage); NAVER CLOVA Speech, CLOVA Voice Premium and Papago converted from KRW.
    public static let prices: [String: Prices] = [
        "openai": Prices(perAudioMinute: 0.006, perMillionPromptTokens: 0.15, perMillionCompletionTokens: 0.60, perMillionCharacters: 15),
        "elevenlabs": Prices(perAudioMinute: 0.0067, perMillionCharacters: 300),
        "clova-speech": Prices(perAudioMinute: 0.012),
        "clova-voice": Prices(perMillionCharacters: 75),
        "papago": Prices(perMillionCharacters: 15),
        "espeak": Prices(),
    ]

    /// Dollars for `usage` at `provider`'s prices (0 for an unknown provider).
    public static func dollars(_ usage: ProviderUsage, provider: String) -> Double {
        guard let p = prices[provider] else { return 0 }
        return usage.audioSeconds / 60 * p.perAudioMinute
            + Double(usage.promptTokens) / 1e6 * p.perMillionPromptTokens
            + Double(usage.completionTokens) / 1e6 * p.perMillionCompletionTokens
            + Double(usage.characters) / 1e6 * p.perMillionCharacters
    }

    /// Dollars per provider for a usage record.
    public static func dollars(_ usage: [String: ProviderUsage]) -> [String: Double] {
        usage.reduce(into: [:]) { $0[$1.key] = dollars($1.value, provider: $1.key) }
    }

    /// The usage a dub of `speechSeconds` of speech (and `characters` of source text, when known) will need,
    /// per provider: recognition of the whole audio, translation prompts with context and instructions, the
    /// translated text spoken once plus about 15 % re-synthesis, and isolation when the provider separates.
    public static func usage(for plan: DubPlan, mediaSeconds: Double, sourceCharacters: Int?) -> [String: ProviderUsage] {
        var usage: [String: ProviderUsage] = [:]
        // Without a transcript: about 14 characters a second while speaking, speech about 60 % of the time.
        let characters = sourceCharacters ?? Int(mediaSeconds * 0.6 * 14)
        func add(_ provider: String, _ role: ProviderDirectory.Role, _ item: ProviderUsage) {
            let name = ProviderDirectory.meterName(provider, role: role)
            usage[name] = (usage[name] ?? ProviderUsage()) + item
        }
        if let recognizer = plan.recognizer { add(recognizer, .transcription, ProviderUsage(audioSeconds: mediaSeconds, requests: 1)) }
        if let translator = plan.translator {
            if translator == "papago" {
                add(translator, .translation, ProviderUsage(characters: characters))
            } else {
                add(translator, .translation, ProviderUsage(promptTokens: characters / 4 * 3 + 400, completionTokens: characters / 4 + 100))
            }
        }
        add(plan.synthesizer, .speech, ProviderUsage(characters: Int(Double(characters) * 1.15)))
        // Cloning: one add-voice request per speaker (instant voice cloning bills no characters) and one deletion.
        if plan.cloneVoices { add(plan.synthesizer, .speech, ProviderUsage(requests: 2 * (plan.speakers ?? 2))) }
        if case .isolator(let provider) = plan.separation {
            add(provider, .isolation, ProviderUsage(audioSeconds: mediaSeconds, requests: 1))
        }
        return usage
    }
}

/// A run that would spend more than its `--budget`.
public struct BudgetError: Error, CustomStringConvertible, Sendable {
    public var estimate: Double
    public var budget: Double
    public var description: String {
        "the estimated provider cost $\(estimate.fixed(2)) exceeds the budget of $\(budget.fixed(2)); raise --budget or use cheaper providers (see --dry-run)"
    }
}
