import DubSupport
import Synchronization

/// What provider calls consumed, so a job can report what it cost.
public struct ProviderUsage: Codable, Sendable, Equatable {
    /// Seconds of audio sent to speech recognition or isolation.
    public var audioSeconds: Double = 0
    public var promptTokens: Int = 0
    public var completionTokens: Int = 0
    /// Characters sent to speech synthesis or to a character-billed translator.
    public var characters: Int = 0
    /// Successful requests.
    public var requests: Int = 0

    public init(audioSeconds: Double = 0, promptTokens: Int = 0, completionTokens: Int = 0, characters: Int = 0, requests: Int = 0) {
        self.audioSeconds = audioSeconds
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.characters = characters
        self.requests = requests
    }

    /// `27.0 s audio, 1200 tokens, 300 chars` (the parts that are not zero).
    public var summary: String {
        var parts: [String] = []
        if audioSeconds > 0 { parts.append("\(audioSeconds.fixed(1)) s audio") }
        if promptTokens + completionTokens > 0 { parts.append("\(promptTokens + completionTokens) tokens") }
        if characters > 0 { parts.append("\(characters) chars") }
        return parts.joined(separator: ", ")
    }

    public static func + (a: ProviderUsage, b: ProviderUsage) -> ProviderUsage {
        ProviderUsage(audioSeconds: a.audioSeconds + b.audioSeconds, promptTokens: a.promptTokens + b.promptTokens,
                      completionTokens: a.completionTokens + b.completionTokens, characters: a.characters + b.characters,
                      requests: a.requests + b.requests)
    }
}

/// Adds up usage per provider across concurrent calls. Clients record into the meter they were given.
public final class UsageMeter: Sendable {
    private let totals = Mutex([String: ProviderUsage]())

    public init() {}

    /// Adds `usage` to `provider`'s total.
    public func record(_ provider: String, _ usage: ProviderUsage) {
        totals.withLock { $0[provider, default: ProviderUsage()] = $0[provider, default: ProviderUsage()] + usage }
    }

    /// The totals so far, by provider.
    public var snapshot: [String: ProviderUsage] { totals.withLock { $0 } }
}
