import DubSupport

/// The providers dub knows, by role, without their clients: what `--asr`, `--translator`, `--tts` and
/// `--separation` accept and what settings each needs. The clients themselves live in the `Providers` target.
public enum ProviderDirectory {
    /// What a provider is used for.
    public enum Role: String, Sendable, CaseIterable {
        case transcription, translation, speech, isolation
    }

    /// One provider service: the name `--provider` takes, what it does and the settings it needs.
    public struct Service: Sendable, Equatable {
        /// The name in `--provider` (CLOVA Speech and CLOVA Voice are both `clova`).
        public var provider: String
        /// The name shown by `dubctl providers check`.
        public var name: String
        public var roles: [Role]
        public var required: [String]
    }

    /// Every service dub can call.
    public static let services: [Service] = [
        Service(provider: "openai", name: "openai", roles: [.transcription, .translation, .speech], required: ["OPENAI_API_KEY"]),
        Service(provider: "elevenlabs", name: "elevenlabs", roles: [.transcription, .speech, .isolation], required: ["ELEVENLABS_API_KEY"]),
        Service(provider: "clova", name: "clova-speech", roles: [.transcription], required: ["CLOVA_SPEECH_INVOKE_URL", "CLOVA_SPEECH_SECRET"]),
        Service(provider: "clova", name: "clova-voice", roles: [.speech], required: ["NCP_CLIENT_ID", "NCP_CLIENT_SECRET"]),
        Service(provider: "papago", name: "papago", roles: [.translation], required: ["NCP_CLIENT_ID", "NCP_CLIENT_SECRET"]),
        Service(provider: "espeak", name: "espeak", roles: [.speech], required: []),
    ]

    /// The `--provider` names for `role`.
    public static func providers(for role: Role) -> [String] {
        services.filter { $0.roles.contains(role) }.map(\.provider)
    }

    /// The meter name a provider's usage is recorded under for `role` (`clova` is two services).
    public static func meterName(_ provider: String, role: Role) -> String {
        switch (provider, role) {
        case ("clova", .transcription): "clova-speech"
        case ("clova", _): "clova-voice"
        default: provider
        }
    }
}

/// Where the dubbing pipeline gets its providers by name: injected, so `Dubbing` never depends on a vendor. The
/// `Providers` target's `ProviderCatalog` is the real one; tests can pass their own.
public protocol ProviderFactory: Sendable {
    /// Where every provider call made through these clients records its usage.
    var meter: UsageMeter { get }
    func transcriber(_ name: String) throws -> any Transcriber
    func translator(_ name: String) throws -> any Translator
    func synthesizer(_ name: String) throws -> any SpeechSynthesizer
    func isolator(_ name: String) throws -> any VoiceIsolator
}

extension ProviderError: ClassifiedError {
    public var errorCode: String { "provider_\(code.rawValue)" }
    /// A refused key, no quota, nothing configured, an insecure URL, what the provider cannot do, and other 4xx (but
    /// 408, 409 and 429) cannot be helped by retrying.
    public var isPermanent: Bool {
        switch code {
        case .authentication, .quota, .notConfigured, .insecureURL, .unsupported, .addressNotAllowed, .tooLarge: true
        case .http: (400..<500).contains(status) && ![408, 409, 429].contains(status)
        default: false
        }
    }
}
