import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// OpenAI `/audio/speech`: asks for headerless 24 kHz s16le PCM and writes it as WAV with its exact duration.
public struct OpenAISpeechSynthesizer: SpeechSynthesizer {
    public let client: OpenAIClient
    public var model: String
    public var defaultVoice: String
    public var name: String { "openai-\(model)" }
    public var speedRange: ClosedRange<Double>? { 0.25...4 }

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
        let body: [String: Any] = [
            "model": model, "input": request.text, "voice": request.voice ?? defaultVoice,
            "response_format": "pcm", "speed": min(4, max(0.25, request.speed)),
        ]
        let download = AtomicFile.temporaryPath(for: path, suffix: ".pcm")
        defer { AtomicFile.discard(download) }
        _ = try await client.postJSON("/audio/speech", body, responseFile: download)
        client.meter.record("openai", ProviderUsage(characters: request.text.count, requests: 1))
        let frames = try await BlockingWork.run { try ProviderAudio.convertS16LE(download, sampleRate: 24_000, to: path, provider: "OpenAI") }
        return SynthesizedAudio(path: path, duration: Double(frames) / 24_000, characters: request.text.count)
    }
}
