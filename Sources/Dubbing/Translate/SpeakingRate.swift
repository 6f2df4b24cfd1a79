import DubSupport
import ProviderAPI
import Foundation

/// How fast a voice speaks, in text units per second: characters for most languages, syllables for Korean,
/// Japanese and Chinese (one written character each). Measured once per voice by synthesizing a calibration
/// text, and used to give every line a translation budget that fits its time slot.
public struct SpeakingRate: Codable, Sendable, Equatable {
    public var unitsPerSecond: Double
    /// Whether units are syllables (CJK, Korean) rather than characters.
    public var syllables: Bool

    public init(unitsPerSecond: Double, syllables: Bool) {
        self.unitsPerSecond = unitsPerSecond
        self.syllables = syllables
    }

    /// Languages counted in syllables.
    static let syllabic: Set<String> = ["ko", "ja", "zh"]

    /// A neutral calibration text per language (about ten seconds of speech); nil where dub has none.
    static let calibrationTexts: [String: String] = [
        "en": "The weather was calm this morning, so we walked along the river and talked about the plans for next week.",
        "es": "Esta mañana el tiempo estaba tranquilo, así que caminamos junto al río y hablamos de los planes para la semana que viene.",
        "fr": "Ce matin, le temps était calme, alors nous avons marché le long de la rivière en parlant des projets de la semaine prochaine.",
        "de": "Heute Morgen war das Wetter ruhig, also gingen wir am Fluss entlang und sprachen über die Pläne für nächste Woche.",
        "it": "Stamattina il tempo era calmo, così abbiamo camminato lungo il fiume parlando dei progetti per la prossima settimana.",
        "pt": "Esta manhã o tempo estava calmo, então caminhamos ao longo do rio e conversamos sobre os planos para a próxima semana.",
        "ko": "오늘 아침에는 날씨가 잔잔해서 우리는 강을 따라 걸으며 다음 주 계획에 대해 이야기했습니다.",
        "ja": "今朝は天気が穏やかだったので、私たちは川沿いを歩きながら来週の予定について話しました。",
        "zh": "今天早上天气很平静，所以我们沿着河边散步，聊了聊下周的计划。",
    ]

    /// Typical rates for languages without a calibration text.
    static func typical(language: String) -> SpeakingRate {
        syllabic.contains(language) ? SpeakingRate(unitsPerSecond: 6.5, syllables: true) : SpeakingRate(unitsPerSecond: 14, syllables: false)
    }

    /// The units of `text` this rate counts: letters and digits (or syllable characters), not spaces or punctuation.
    public func units(in text: String) -> Int {
        text.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.count
    }

    /// The most units that fit `seconds` of speech at natural speed.
    public func budget(seconds: Double) -> Int {
        max(1, Int((unitsPerSecond * seconds).rounded(.down)))
    }

    /// Seconds `text` takes at this rate.
    public func seconds(for text: String) -> Double {
        Double(units(in: text)) / unitsPerSecond
    }
}
