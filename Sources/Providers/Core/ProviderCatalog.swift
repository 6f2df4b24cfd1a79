import DubSupport
import ProviderAPI
import Foundation
import Logging

/// Builds the provider clients the pipeline and `dubctl` ask for by name, from `ProviderSettings`, all
/// recording into one usage meter.
public struct ProviderCatalog: ProviderFactory {
    public typealias Role = ProviderDirectory.Role
    public typealias Service = ProviderDirectory.Service

    /// Every service dub can call.
    public static var services: [Service] { ProviderDirectory.services }

    /// The `--provider` names for `role`.
    public static func providers(for role: Role) -> [String] { ProviderDirectory.providers(for: role) }

    public let settings: ProviderSettings
    public let meter: UsageMeter
    public var maxConcurrent: Int
    public var logger: Logger

    public init(settings: ProviderSettings, meter: UsageMeter = UsageMeter(), maxConcurrent: Int = 8,
                logger: Logger = Logger(label: "dub.providers")) {
        self.settings = settings
        self.meter = meter
        self.maxConcurrent = maxConcurrent
        self.logger = logger
    }

    /// Whether each of `service`'s required settings is set (never the values).
    public func check(_ service: Service) -> [(name: String, set: Bool)] {
        service.required.map { ($0, settings[$0] != nil) }
    }

    func require(_ provider: String, for role: Role) throws {
        guard let service = Self.services.first(where: { $0.provider == provider && $0.roles.contains(role) }) else {
            throw ProviderError(code: .notConfigured, provider: provider,
                                message: "not a \(role.rawValue) provider (choose from \(Self.providers(for: role).joined(separator: ", ")))")
        }
        let missing = check(service).filter { !$0.set }.map(\.name)
        guard missing.isEmpty else {
            throw ProviderError(code: .notConfigured, provider: service.name, message: "\(missing.joined(separator: " and ")) not set")
        }
    }

    func openAI() -> OpenAIClient {
        OpenAIClient(apiKey: settings["OPENAI_API_KEY"] ?? "", baseURL: settings["OPENAI_BASE_URL"] ?? OpenAIClient.defaultBaseURL,
                     maxConcurrent: maxConcurrent, maxRequestsPerSecond: rate("OPENAI"), timeouts: .forProvider("OPENAI", settings: settings),
                     meter: meter, logger: logger)
    }

    func elevenLabs() -> ElevenLabsClient {
        ElevenLabsClient(apiKey: settings["ELEVENLABS_API_KEY"] ?? "", baseURL: settings["ELEVENLABS_BASE_URL"] ?? ElevenLabsClient.defaultBaseURL,
                         maxConcurrent: min(maxConcurrent, 4), maxRequestsPerSecond: rate("ELEVENLABS"),
                         timeouts: .forProvider("ELEVENLABS", settings: settings), meter: meter, logger: logger)
    }

    func naver() -> NaverGatewayClient {
        NaverGatewayClient(clientID: settings["NCP_CLIENT_ID"] ?? "", clientSecret: settings["NCP_CLIENT_SECRET"] ?? "",
                           voiceURL: settings["CLOVA_VOICE_URL"] ?? NaverGatewayClient.defaultVoiceURL,
                           papagoURL: settings["PAPAGO_URL"] ?? NaverGatewayClient.defaultPapagoURL,
                           maxConcurrent: min(maxConcurrent, 4), maxRequestsPerSecond: rate("NCP"), timeouts: .forProvider("NCP", settings: settings),
                           meter: meter, logger: logger)
    }

    /// `PREFIX_MAX_RPS`: the most requests a second to send to a provider (its rate limit), if set.
    func rate(_ prefix: String) -> Double? { settings["\(prefix)_MAX_RPS"].flatMap(Double.init) }

    /// A speech recogniser by provider name.
    public func transcriber(_ name: String) throws -> any Transcriber {
        try require(name, for: .transcription)
        switch name {
        case "openai": return OpenAITranscriber(client: openAI(), model: settings["OPENAI_TRANSCRIBE_MODEL"] ?? "whisper-1")
        case "elevenlabs": return ElevenLabsTranscriber(client: elevenLabs())
        case "clova":
            return ClovaSpeechTranscriber(client: ClovaSpeechClient(invokeURL: settings["CLOVA_SPEECH_INVOKE_URL"] ?? "",
                                                                   secret: settings["CLOVA_SPEECH_SECRET"] ?? "",
                                                                   maxRequestsPerSecond: rate("CLOVA_SPEECH"),
                                                                   timeouts: .forProvider("CLOVA_SPEECH", settings: settings), meter: meter, logger: logger))
        default: throw ProviderError(code: .notConfigured, provider: name, message: "no transcription client")
        }
    }

    /// A translator by provider name.
    public func translator(_ name: String) throws -> any Translator {
        try require(name, for: .translation)
        switch name {
        case "openai": return OpenAITranslator(client: openAI(), model: settings["OPENAI_TRANSLATE_MODEL"] ?? "gpt-4o-mini")
        case "papago": return PapagoTranslator(client: naver())
        default: throw ProviderError(code: .notConfigured, provider: name, message: "no translation client")
        }
    }

    /// A speech synthesizer by provider name.
    public func synthesizer(_ name: String) throws -> any SpeechSynthesizer {
        try require(name, for: .speech)
        switch name {
        case "openai": return OpenAISpeechSynthesizer(client: openAI(), model: settings["OPENAI_TTS_MODEL"] ?? "tts-1")
        case "elevenlabs":
            return ElevenLabsSpeechSynthesizer(client: elevenLabs(), model: settings["ELEVENLABS_TTS_MODEL"] ?? "eleven_multilingual_v2",
                                               defaultVoice: settings["ELEVENLABS_VOICE"] ?? "21m00Tcm4TlvDq8ikWAM")
        case "clova": return ClovaVoiceSynthesizer(client: naver())
        case "espeak": return EspeakSynthesizer()
        default: throw ProviderError(code: .notConfigured, provider: name, message: "no speech client")
        }
    }

    /// A voice isolator by provider name.
    public func isolator(_ name: String) throws -> any VoiceIsolator {
        try require(name, for: .isolation)
        return ElevenLabsVoiceIsolator(client: elevenLabs())
    }
}
