import Foundation
import AudioKitCore
import DubSupport
import ProviderAPI
@testable import Providers
@testable import Dubbing
import TestSupport
import Testing

@Suite("espeak-ng synthesis (offline)")
struct EspeakSynthesizerTests {
    @Test("speaks English, Spanish, Korean, Brazilian Portuguese and Traditional Chinese to audio of the measured length", arguments: [
        ("en", "This is a test of the offline voice."), ("es", "Esta es una prueba de la voz sin conexión."), ("ko", "이것은 오프라인 음성 시험입니다."),
        ("pt-BR", "Este é um teste da voz sem conexão."), ("zh-TW", "這是離線語音的測試。"),
    ])
    func languages(language: String, text: String) async throws {
        let scratch = try Scratch()
        let path = scratch.path("\(language).wav")
        let audio = try await EspeakSynthesizer().synthesize(SynthesisRequest(text: text, language: try Language(language)), to: path)
        let reader = try SoundFileReader(path: path)
        #expect(abs(reader.duration - audio.duration) < 0.001)
        #expect(audio.duration > 1 && audio.duration < 8)
        #expect(audio.characters == text.count)
        let samples = try reader.readAll()
        #expect(SignalCompare.rms(samples, channels: 1, rate: reader.sampleRate, from: 0, to: audio.duration) > 0.02)
    }

    @Test("a faster speed gives shorter audio; an unknown voice is a clear error")
    func speed() async throws {
        let scratch = try Scratch()
        let text = "The timing of each line must stay close to the original."
        let normal = try await EspeakSynthesizer().synthesize(SynthesisRequest(text: text, language: "en"), to: scratch.path("a.wav"))
        let fast = try await EspeakSynthesizer().synthesize(SynthesisRequest(text: text, language: "en", speed: 1.3), to: scratch.path("b.wav"))
        #expect(fast.duration < normal.duration * 0.9)
        #expect(EspeakSynthesizer.voice(for: "pt-BR") == "pt-br" && EspeakSynthesizer.voice(for: "zh-Hant") == "cmn" && EspeakSynthesizer.voice(for: "es-MX") == "es")
        await #expect(throws: SynthesisError.self) {
            try await EspeakSynthesizer().synthesize(SynthesisRequest(text: text, language: "en", voice: "xx-nonexistent"), to: scratch.path("c.wav"))
        }
    }
}

@Suite("espeak-ng delivery")
struct EspeakDeliveryTests {
    @Test("an excited line is spoken higher than a neutral one, a sad one lower (pitch measured on the audio)")
    func deliveryMovesPitch() async throws {
        let scratch = try Scratch()
        let text = "We finally found the missing piece of the puzzle today."
        var pitches: [Delivery: Double] = [:]
        for delivery in [Delivery.neutral, .excited, .sad] {
            let audio = try await EspeakSynthesizer().synthesize(SynthesisRequest(text: text, language: "en", delivery: delivery),
                                                                 to: scratch.path("\(delivery).wav"))
            pitches[delivery] = try VoiceProfiler().profile(path: audio.path, spans: [(0, audio.duration)])[0].pitch
        }
        let neutral = try #require(pitches[.neutral]), excited = try #require(pitches[.excited]), sad = try #require(pitches[.sad])
        #expect(12 * log2(excited / neutral) > 1, "\(pitches)")
        #expect(12 * log2(neutral / sad) > 1, "\(pitches)")
    }
}
