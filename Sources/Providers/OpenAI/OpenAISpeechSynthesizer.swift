import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// OpenAI `/audio/speech`: asks for headerless 24 kHz s16le PCM and writes it as WAV with its exact duration.
public struct OpenAISpeechSynthesizer: SpeechSynthesizer, VoiceCatalog {
    public let client: OpenAIClient
    public var model: String
    public var defaultVoice: String
    public var name: String { "openai-\(model)" }
    public var speedRange: ClosedRange<Double>? { 0.25...4 }
    /// `instructions` "does not work with tts-1 or tts-1-hd".
    public var takesDelivery: Bool { !model.hasPrefix("tts-1") }

    public init(client: OpenAIClient, model: String = "tts-1", defaultVoice: String = "alloy") {
        self.client = client
        self.model = model
        self.defaultVoice = defaultVoice
    }

    /// `input` is at most 4,096 characters (openapi.yaml `CreateSpeechRequest.input.maxLength`).
    static let inputLimit = 4_096

    public func synthesize(_ request: SynthesisRequest, to path: String) async throws -> SynthesizedAudio {
        guard request.text.count <= Self.inputLimit else {
            throw ProviderError(code: .unsupported, provider: "OpenAI", message: "a line of \(request.text.count) characters is over the speech input limit of \(Self.inputLimit)")
        }
        // Fields per openapi.yaml CreateSpeechRequest: speed 0.25–4.0; response_format pcm is 24 kHz s16le mono.
        var body: [String: Any] = [
            "model": model, "input": request.text, "voice": request.voice ?? defaultVoice,
            "response_format": "pcm", "speed": min(4, max(0.25, request.speed)),
        ]
        // `instructions`: "Does not work with tts-1 or tts-1-hd" (openapi.yaml CreateSpeechRequest).
        if takesDelivery, let note = request.delivery.flatMap(Self.instructions) { body["instructions"] = note }
        let download = AtomicFile.temporaryPath(for: path, suffix: ".pcm")
        defer { AtomicFile.discard(download) }
        _ = try await client.postJSON("/audio/speech", body, responseFile: download)
        client.meter.record("openai", ProviderUsage(characters: request.text.count, requests: 1))
        let frames = try await BlockingWork.run { try ProviderAudio.convertS16LE(download, sampleRate: 24_000, to: path, provider: "OpenAI") }
        return SynthesizedAudio(path: path, duration: Double(frames) / 24_000, characters: request.text.count)
    }
}

extension OpenAISpeechSynthesizer {
    /// The `instructions` for a delivery note (none for a neutral line).
    static func instructions(_ delivery: Delivery) -> String? {
        switch delivery {
        case .neutral: nil
        case .calm: "Speak calmly and evenly."
        case .excited: "Speak with excitement and energy."
        case .happy: "Speak warmly, sounding happy."
        case .sad: "Speak softly, sounding sad."
        case .angry: "Speak with anger, tense and clipped."
        case .whispering: "Whisper."
        case .shouting: "Speak loudly, as if calling out."
        case .question: "Ask it as a question, rising at the end."
        }
    }

    /// The built-in voices. openapi.yaml `VoiceIdsShared` lists alloy, ash, ballad, coral, echo, sage, shimmer, verse,
    /// marin and cedar (and `CreateSpeechRequest.voice` names fable, onyx and nova too); tts-1 and tts-1-hd speak with
    /// alloy, ash, coral, echo, fable, onyx, nova, sage and shimmer. OpenAI publishes no gender or pitch: these are
    /// dub's casting estimates from listening, the voices multilingual.
    static let builtIn: [CatalogVoice] = [
        CatalogVoice(id: "onyx", gender: .male, pitch: 95, note: "deep"), CatalogVoice(id: "echo", gender: .male, pitch: 110),
        CatalogVoice(id: "ash", gender: .male, pitch: 115), CatalogVoice(id: "fable", gender: .male, pitch: 125, note: "British"),
        CatalogVoice(id: "cedar", gender: .male, pitch: 110), CatalogVoice(id: "ballad", gender: .male, pitch: 125),
        CatalogVoice(id: "verse", gender: .male, pitch: 120), CatalogVoice(id: "alloy", pitch: 160, note: "neutral"),
        CatalogVoice(id: "sage", gender: .female, pitch: 185), CatalogVoice(id: "marin", gender: .female, pitch: 190),
        CatalogVoice(id: "coral", gender: .female, pitch: 200), CatalogVoice(id: "nova", gender: .female, pitch: 210),
        CatalogVoice(id: "shimmer", gender: .female, pitch: 215),
    ]
    static let classicModelVoices: Set<String> = ["alloy", "ash", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer"]

    public func voices(for language: Language) async throws -> [CatalogVoice] {
        model.hasPrefix("tts-1") ? Self.builtIn.filter { Self.classicModelVoices.contains($0.id) } : Self.builtIn
    }
}
