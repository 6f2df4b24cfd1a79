import AudioKitCore
import Foundation

/// CLOVA Voice Premium TTS (form fields `speaker`, `text`, `speed`, `format=wav`, `sampling-rate`).
///
/// Speed: CLOVA takes an integer −5…10 where negative is faster. dub maps a playback factor `f` (1 = natural) to
/// `s = round(10 · (1/f − 1))`, i.e. `f = 1 / (1 + s/10)`: −5 is 2× faster, 10 is half speed. The line is measured
/// after synthesis, so the rounding never reaches the timeline.
public struct ClovaVoiceSynthesizer: SpeechSynthesizer {
    public let client: NaverGatewayClient
    public var name: String { "clova-voice" }
    public var speedRange: ClosedRange<Double>? { 0.5...2.0 }

    /// A default speaker per language (Premium voices: Korean, English, Japanese, Chinese and Spanish women).
    public static let defaultSpeakers = ["ko": "nara", "en": "clara", "ja": "ntomoko", "zh": "meimei", "es": "carmen"]

    public init(client: NaverGatewayClient) {
        self.client = client
    }

    /// CLOVA's speed value for a playback factor (clamped to `speedRange`).
    public static func clovaSpeed(_ factor: Double) -> Int {
        let value = Int((10 * (1 / min(2, max(0.5, factor)) - 1)).rounded())
        return min(10, max(-5, value))
    }

    /// The playback factor CLOVA's speed value `s` gives: `1 / (1 + s/10)`.
    public static func playbackFactor(_ clovaSpeed: Int) -> Double {
        1 / (1 + Double(clovaSpeed) / 10)
    }

    /// Characters per request: 2,000 for Korean, Japanese and Chinese, 3,000 for the others.
    public static func textLimit(_ language: String) -> Int {
        ["ko", "ja", "zh"].contains(baseLanguage(language)) ? 2_000 : 3_000
    }

    /// `zh-TW` → `zh`, `EN` → `en`.
    static func baseLanguage(_ language: String) -> String {
        String(language.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first ?? "")
    }

    public func synthesize(_ request: SynthesisRequest, to path: String) async throws -> SynthesizedAudio {
        guard let speaker = request.voice ?? Self.defaultSpeakers[Self.baseLanguage(request.language)] else {
            throw ProviderError(code: .http, provider: "CLOVA Voice", message: "no default speaker for '\(request.language)'; pass --voice")
        }
        let limit = Self.textLimit(request.language)
        guard request.text.count <= limit else {
            throw ProviderError(code: .http, provider: "CLOVA Voice", message: "a line of \(request.text.count) characters is over the limit of \(limit)")
        }
        let download = AtomicFile.temporaryPath(for: path, suffix: ".wav")
        defer { AtomicFile.discard(download) }
        _ = try await client.postForm(client.voiceURL, [
            ("speaker", speaker), ("text", request.text), ("speed", "\(Self.clovaSpeed(request.speed))"),
            ("format", "wav"), ("sampling-rate", "24000"),
        ], responseFile: download)
        client.meter.record("clova-voice", ProviderUsage(characters: request.text.count, requests: 1))
        let duration = try await BlockingWork.run { try ProviderAudio.decodeFile(download, to: path, provider: "CLOVA Voice") }
        return SynthesizedAudio(path: path, duration: duration, characters: request.text.count)
    }
}
