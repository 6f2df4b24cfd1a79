import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// ElevenLabs text-to-speech (`/v1/text-to-speech/{voice_id}`): 24 kHz PCM (or MP3, decoded through FFmpeg),
/// `voice_settings.speed` (0.7–1.2), and the neighbouring lines as `previous_text`/`next_text` for prosody.
/// Request fields follow elevenlabs-python `text_to_speech/raw_client.py` (`convert`) and the API reference.
public struct ElevenLabsSpeechSynthesizer: SpeechSynthesizer, VoiceCatalog, VoiceCloner {
    /// Output formats dub asks for.
    public enum Format: String, Sendable {
        /// Headerless 24 kHz signed 16-bit little-endian mono.
        case pcm = "pcm_24000"
        /// 44.1 kHz, 128 kbit/s MP3.
        case mp3 = "mp3_44100_128"
    }

    /// The connection: key, base URL, retries and usage meter.
    public let client: ElevenLabsClient
    /// `model_id`; its character limit is checked before sending.
    public var model: String
    /// The voice id used when a request names none.
    public var defaultVoice: String
    /// The `output_format` asked for.
    public var format: Format
    public var name: String { "elevenlabs-\(model)" }
    /// `voice_settings.speed` accepts 0.7–1.2; other speeds are clamped.
    public var speedRange: ClosedRange<Double>? { 0.7...1.2 }
    /// Request stitching: the neighbouring lines go as `previous_text`/`next_text` (not for eleven_v3).
    public var usesContext: Bool { !Self.noStitchingModels.contains(model) }

    /// Models that take `language_code` (to enforce the language). "Currently only Turbo v2.5 and Flash v2.5 support
    /// language enforcement. For other models, an error will be returned if language code is provided" (API reference,
    /// 2025); "not supported for multilingual_v2 models" (elevenlabs-python, 2026). v3 takes it too.
    static let languageCodeModels: Set<String> = ["eleven_turbo_v2_5", "eleven_flash_v2_5", "eleven_v3"]
    /// Models that do not take request stitching (`previous_text`, `next_text`): "not available for the eleven_v3 model".
    static let noStitchingModels: Set<String> = ["eleven_v3"]

    /// Characters one request may carry, per model.
    static let characterLimits = ["eleven_multilingual_v2": 10_000, "eleven_flash_v2_5": 40_000, "eleven_turbo_v2_5": 40_000, "eleven_v3": 3_000]

    /// A synthesizer on `client`; `format` picks raw 24 kHz PCM or MP3 (decoded through FFmpeg).
    public init(client: ElevenLabsClient, model: String = "eleven_multilingual_v2", defaultVoice: String = "21m00Tcm4TlvDq8ikWAM",
                format: Format = .pcm) {
        self.client = client
        self.model = model
        self.defaultVoice = defaultVoice
        self.format = format
    }

    /// Speaks `request` into `path` (WAV) and returns its exact duration and the characters billed (`character-cost`
    /// when the answer carries it). A line over the model's character limit fails before anything is sent.
    public func synthesize(_ request: SynthesisRequest, to path: String) async throws -> SynthesizedAudio {
        let limit = Self.characterLimits[model] ?? 5_000
        guard request.text.count <= limit else {
            throw ProviderError(code: .unsupported, provider: "ElevenLabs", message: "a line of \(request.text.count) characters is over \(model)'s limit of \(limit)")
        }
        var body: [String: Any] = [
            "text": request.text, "model_id": model,
            "voice_settings": ["speed": min(1.2, max(0.7, request.speed))],
        ]
        if Self.languageCodeModels.contains(model), let code = request.language.alpha2 { body["language_code"] = code }
        if !Self.noStitchingModels.contains(model) {
            if let previous = request.previousText { body["previous_text"] = previous }
            if let next = request.nextText { body["next_text"] = next }
        }
        let voice = HTTPRequest.escaped(request.voice ?? defaultVoice)
        var http = HTTPRequest(url: "\(client.baseURL)/v1/text-to-speech/\(voice)?output_format=\(format.rawValue)",
                               body: .bytes(Array(try JSONSerialization.data(withJSONObject: body)), contentType: "application/json"))
        client.timeouts.apply(to: &http)
        let download = AtomicFile.temporaryPath(for: path, suffix: format == .pcm ? ".pcm" : ".mp3")
        defer { AtomicFile.discard(download) }
        http.responseFile = download
        let response = try await client.send(http)
        let billed = response.headers["character-cost"].flatMap { Int($0) } ?? request.text.count
        client.meter.record("elevenlabs", ProviderUsage(characters: billed, requests: 1))
        let format = format
        let duration = try await BlockingWork.run {
            switch format {
            case .pcm: Double(try ProviderAudio.convertS16LE(download, sampleRate: 24_000, to: path, provider: "ElevenLabs")) / 24_000
            case .mp3: try ProviderAudio.decodeFile(download, to: path, trim: true, provider: "ElevenLabs")
            }
        }
        return SynthesizedAudio(path: path, duration: duration, characters: billed)
    }
}

extension ElevenLabsSpeechSynthesizer {
    /// The account's voice library (`ElevenLabsVoices`).
    public func voices(for language: Language) async throws -> [CatalogVoice] {
        try await ElevenLabsVoices(client: client).voices(for: language)
    }

    public func addVoice(name: String, samples: [String], description: String) async throws -> String {
        try await ElevenLabsVoices(client: client).addVoice(name: name, samples: samples, description: description)
    }

    public func deleteVoice(_ id: String) async throws {
        try await ElevenLabsVoices(client: client).deleteVoice(id)
    }

    public func clonedVoices(prefix: String) async throws -> [CatalogVoice] {
        try await ElevenLabsVoices(client: client).clonedVoices(prefix: prefix)
    }

    public func hasVoice(_ id: String) async throws -> Bool {
        try await ElevenLabsVoices(client: client).hasVoice(id)
    }
}
