import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// CLOVA Voice Premium TTS (form fields `speaker`, `text`, `speed`, `format=wav`, `sampling-rate`), per NAVER Cloud's
/// current API page (api.ncloud-docs.com/docs/en/ai-naver-clovavoice-ttspremium).
///
/// Speed: an integer −5…5 where "−5: 2x faster" and "5: 0.5x slower" (the −5…10 range is the government cloud's
/// page, not the public API's). dub maps a playback factor `f` (1 = natural) linearly on each side: `s = −5·(f − 1)`
/// for faster, `s = 10·(1 − f)` for slower. The line is measured after synthesis, so the rounding never reaches the
/// timeline. Text: at most 2,000 characters per request.
public struct ClovaVoiceSynthesizer: SpeechSynthesizer, VoiceCatalog {
    public let client: NaverGatewayClient
    public var name: String { "clova-voice" }
    public var speedRange: ClosedRange<Double>? { 0.5...2.0 }
    /// As `emotion`, for the speakers that have one.
    public var takesDelivery: Bool { true }

    /// A default Premium speaker per language (Korean, English, Japanese, Chinese and Spanish women: `nara`, `clara`,
    /// `ntomoko`, `meimei`, `carmen` from the speaker table). Other languages need `--voice`.
    public static let defaultSpeakers = ["ko": "nara", "en": "clara", "ja": "ntomoko", "zh": "meimei", "es": "carmen"]

    /// Characters per request ("up to 2000 characters").
    public static let textLimit = 2_000

    public init(client: NaverGatewayClient) {
        self.client = client
    }

    /// CLOVA's speed value for a playback factor (clamped to `speedRange`).
    public static func clovaSpeed(_ factor: Double) -> Int {
        let f = min(2, max(0.5, factor))
        let value = f >= 1 ? -5 * (f - 1) : 10 * (1 - f)
        return min(5, max(-5, Int(value.rounded())))
    }

    /// The playback factor CLOVA's speed value `s` gives: 2× at −5, 0.5× at 5, linear on each side of 0.
    public static func playbackFactor(_ clovaSpeed: Int) -> Double {
        clovaSpeed <= 0 ? 1 - Double(clovaSpeed) / 5 : 1 - Double(clovaSpeed) / 10
    }

    public func synthesize(_ request: SynthesisRequest, to path: String) async throws -> SynthesizedAudio {
        guard let speaker = request.voice ?? Self.defaultSpeakers[request.language.code] else {
            throw ProviderError(code: .unsupported, provider: "CLOVA Voice",
                                message: "no default speaker for \(request.language.displayName) (\(request.language.tag)); pass --voice with a CLOVA Voice speaker")
        }
        guard request.text.count <= Self.textLimit else {
            throw ProviderError(code: .unsupported, provider: "CLOVA Voice", message: "a line of \(request.text.count) characters is over the limit of \(Self.textLimit)")
        }
        let download = AtomicFile.temporaryPath(for: path, suffix: ".wav")
        defer { AtomicFile.discard(download) }
        var fields = [("speaker", speaker), ("text", request.text), ("speed", "\(Self.clovaSpeed(request.speed))"),
                      ("format", "wav"), ("sampling-rate", "24000")]
        if let emotion = Self.emotion(request.delivery, speaker: speaker) { fields.append(("emotion", "\(emotion)")) }
        _ = try await client.postForm(client.voiceURL, fields, responseFile: download)
        client.meter.record("clova-voice", ProviderUsage(characters: request.text.count, requests: 1))
        let duration = try await BlockingWork.run { try ProviderAudio.decodeFile(download, to: path, trim: true, provider: "CLOVA Voice") }
        return SynthesizedAudio(path: path, duration: duration, characters: request.text.count)
    }
}

extension ClovaVoiceSynthesizer {
    /// Speakers that take `emotion` (0 neutral, 1 sad, 2 happy, 3 angry; nara not 3), per NAVER Cloud's API page
    /// (api.ncloud-docs.com/docs/en/ai-naver-clovavoice-ttspremium).
    static let emotionSpeakers: Set<String> = ["nara", "vara", "vmikyung", "vdain", "vyuna", "vgoeun", "vdaeseong"]

    /// The `emotion` value for a delivery note, for a speaker that takes one; nil otherwise (or for a neutral line).
    static func emotion(_ delivery: Delivery?, speaker: String) -> Int? {
        guard let delivery, emotionSpeakers.contains(speaker) else { return nil }
        switch delivery {
        case .sad: return 1
        case .happy, .excited: return 2
        case .angry, .shouting: return speaker == "nara" ? nil : 3
        default: return nil
        }
    }

    /// Premium speakers per language, from NAVER Cloud's speaker table (api.ncloud-docs.com/docs/ai-naver-clovavoice-
    /// ttspremium, its rows with language and gender, and the speakers its `emotion` field names; children's voices left
    /// out of casting). The speakers that take a delivery note come first.
    static let speakers: [String: [CatalogVoice]] = [
        "ko": [("nara", CatalogVoice.Gender.female), ("vdaeseong", .male), ("vara", .female), ("vmikyung", .female), ("vyuna", .female),
               ("vgoeun", .female), ("jinho", .male), ("mijin", .female), ("nbora", .female), ("ndaeseong", .male),
               ("ndonghyun", .male), ("neunseo", .female), ("neunwoo", .male), ("neunyoung", .female), ("ngoeun", .female),
               ("ngyeongjun", .male), ("nheera", .female), ("nian", .male), ("nes_c_kihyo", .male), ("nes_c_mikyung", .female)]
            .map { CatalogVoice(id: $0.0, gender: $0.1) },
        "en": [CatalogVoice(id: "clara", gender: .female), CatalogVoice(id: "matt", gender: .male)],
        "ja": [CatalogVoice(id: "ntomoko", gender: .female), CatalogVoice(id: "shinji", gender: .male)],
        "zh": [CatalogVoice(id: "meimei", gender: .female), CatalogVoice(id: "liangliang", gender: .male)],
        "es": [CatalogVoice(id: "carmen", gender: .female), CatalogVoice(id: "jose", gender: .male)],
    ]

    public func voices(for language: Language) async throws -> [CatalogVoice] {
        Self.speakers[language.code] ?? []
    }
}
