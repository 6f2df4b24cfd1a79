import DubSupport
import ProviderAPI
import AudioKitCore
@testable import Dubbing
import Testing

/// Casting as a casting director would: fit, distinct, stable, and the operator's choices kept.
@Suite("casting")
struct CastingRulesTests {
    static let catalog = [CatalogVoice(id: "deep", gender: .male, pitch: 95), CatalogVoice(id: "tenor", gender: .male, pitch: 130),
                          CatalogVoice(id: "alto", gender: .female, pitch: 180), CatalogVoice(id: "soprano", gender: .female, pitch: 240)]

    static func speaker(_ name: String, pitch: Double, seconds: Double) -> Casting.Speaker {
        Casting.Speaker(name: name, print: VoicePrint(pitch: pitch, pitchSpread: 1, cepstrum: [], seconds: seconds), seconds: seconds, lines: 3)
    }

    @Test("each speaker gets the unused voice nearest in gender and pitch, leads first; voices are shared only when the catalog runs out")
    func fitAndDistinct() {
        let speakers = [Self.speaker("A", pitch: 100, seconds: 10), Self.speaker("B", pitch: 235, seconds: 20), Self.speaker("C", pitch: 110, seconds: 5)]
        let cast = Casting(catalog: Self.catalog, voiceMap: [:], fixedVoice: nil).cast(speakers, synthesizer: "x", language: "es", previous: nil)
        #expect(cast.voices == ["A": "deep", "B": "soprano", "C": "tenor"])
        let crowd = (0..<6).map { Self.speaker("M\($0)", pitch: 100, seconds: Double(10 - $0)) }
        let shared = Casting(catalog: Self.catalog, voiceMap: [:], fixedVoice: nil).cast(crowd, synthesizer: "x", language: "es", previous: nil)
        #expect(Set(shared.voices.values).count == 4)
        #expect(shared.roles.filter { $0.reason.contains("shared") }.count == 2)
    }

    @Test("an edit in voices.json is kept, a --voice-map choice is not mistaken for one, and an earlier pick stays while the catalog has it")
    func operatorChoices() {
        let speakers = [Self.speaker("A", pitch: 100, seconds: 10), Self.speaker("B", pitch: 235, seconds: 20)]
        let first = Casting(catalog: Self.catalog, voiceMap: ["A": "mapped"], fixedVoice: nil).cast(speakers, synthesizer: "x", language: "es", previous: nil)
        #expect(first.voices == ["A": "mapped", "B": "soprano"])
        var edited = first
        edited.roles[1].voice = "alto"
        // Without the map, A is cast again; B's edit stays.
        let second = Casting(catalog: Self.catalog, voiceMap: [:], fixedVoice: nil).cast(speakers, synthesizer: "x", language: "es", previous: edited)
        #expect(second.voices == ["A": "deep", "B": "alto"])
        #expect(second.roles[1].reason.contains("edited"))
        // The same again, with a catalog listed in another order, keeps every choice.
        let third = Casting(catalog: Self.catalog.reversed(), voiceMap: [:], fixedVoice: nil).cast(speakers, synthesizer: "x", language: "es", previous: second)
        #expect(third.voices == second.voices)
        // Another engine, or --voice, recasts.
        #expect(Casting(catalog: Self.catalog, voiceMap: [:], fixedVoice: nil).cast(speakers, synthesizer: "y", language: "es", previous: second).voices["B"] == "soprano")
        #expect(Casting(catalog: [], voiceMap: [:], fixedVoice: "one").cast(speakers, synthesizer: "x", language: "es", previous: second).voices == ["A": "one", "B": "one"])
    }
}
