import DubSupport
import ProviderAPI
import AudioKitCore
import CEspeak
#if canImport(Glibc)
import Glibc
#endif

/// Offline speech with the espeak-ng library: no key, no network, many languages (Korean included).
/// espeak-ng keeps global state, so every call runs on one dedicated thread.
public struct EspeakSynthesizer: SpeechSynthesizer, VoiceCatalog {
    public let name = "espeak"
    public let speedRange: ClosedRange<Double>? = 0.5...2.0
    /// As pitch, pitch range and rate.
    public var takesDelivery: Bool { true }

    /// espeak-ng's natural rate, words per minute.
    static let naturalRate = 160.0

    public init() {}

    /// espeak-ng's voice for a language: the tag when espeak-ng has a voice for it (`pt-br`, `en-us`, `es-419`), else
    /// the language (Chinese is `cmn`, Mandarin; British English is `en`: `en-gb+f3` would fall back to the male voice).
    static func voice(for language: Language) -> String {
        if language.code == "zh" { return "cmn" }
        if let region = language.region, ["pt-br", "en-us", "es-419", "fr-be", "fr-ch", "vi-vn"].contains("\(language.code)-\(region.lowercased())") {
            return "\(language.code)-\(region.lowercased())"
        }
        return language.code
    }

    /// espeak-ng's pitch (0–100, 50 normal), pitch range (0–100, 50 normal) and a rate factor for a delivery note.
    static func tone(_ delivery: Delivery?) -> (pitch: Int32, range: Int32, rate: Double) {
        switch delivery {
        case nil, .neutral?: (50, 50, 1)
        case .calm?: (45, 35, 0.95)
        case .excited?, .happy?: (62, 75, 1.06)
        case .sad?: (40, 30, 0.92)
        case .angry?: (55, 70, 1.04)
        case .whispering?: (40, 20, 0.95)
        case .shouting?: (68, 80, 1.02)
        case .question?: (52, 70, 1)
        }
    }

    /// The language's voice in each of espeak-ng's male and female variants (`es+m3`, `es+f2`), with the variant's
    /// gender and its pitch (the middle of the `pitch` line of its file in espeak-ng-data's `voices/!v`).
    public func voices(for language: Language) async throws -> [CatalogVoice] {
        let base = Self.voice(for: language)
        let folder = try await EspeakEngine.shared.dataPath() + "/voices/!v"
        return (["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5"]).compactMap { variant in
            guard let text = try? InputFile.text(folder + "/" + variant, what: "espeak-ng variant", limit: InputFile.smallLimit).text else { return nil }
            var gender: CatalogVoice.Gender?
            var pitch: Double?
            for line in text.split(separator: "\n") {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if words.first == "gender", words.count > 1 { gender = CatalogVoice.Gender(rawValue: String(words[1])) }
                if words.first == "pitch", words.count > 2, let low = Double(words[1]), let high = Double(words[2]) { pitch = (low + high) / 2 }
            }
            // Variants without a pitch line keep espeak-ng's default (82-118 Hz).
            return CatalogVoice(id: "\(base)+\(variant)", gender: gender, pitch: pitch ?? 100, note: "espeak-ng variant \(variant)")
        }
    }

    public func synthesize(_ request: SynthesisRequest, to path: String) async throws -> SynthesizedAudio {
        let text = request.text.trimmed
        guard !text.isEmpty else { throw SynthesisError(engine: name, message: "nothing to say") }
        let voice = request.voice ?? Self.voice(for: request.language)
        let tone = Self.tone(request.delivery)
        let rate = Int((Self.naturalRate * tone.rate * min(max(request.speed, 0.5), 2.0)).rounded())
        let (samples, sampleRate) = try await EspeakEngine.shared.speak(text, voice: voice, rate: rate, pitch: tone.pitch, range: tone.range)
        let trimmed = SilenceTrimmer.trim(samples, sampleRate: sampleRate)
        try AtomicFile.write(to: path, mode: 0o600) { temp in
            let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                             sampleRate: sampleRate, channels: 1)
            try writer.write(trimmed)
            try writer.close()
        }
        return SynthesizedAudio(path: path, duration: Double(trimmed.count) / Double(sampleRate), characters: text.count)
    }
}

/// The process's one espeak-ng instance, confined to its own thread.
final class EspeakEngine: Sendable {
    static let shared = EspeakEngine()
    private let thread = SerialThread()
    nonisolated(unsafe) static var collected: [Int16] = []
    nonisolated(unsafe) static var sampleRate: Int32 = 0
    /// The cancel flag of the utterance being spoken (read by the synthesis callback, which stops when it is set).
    nonisolated(unsafe) static var cancel: CancelFlag?

    /// espeak-ng's data folder (`espeak-ng-data`), as the library reports it.
    func dataPath() async throws -> String {
        try await thread.run {
            try Self.initialise()
            var path: UnsafePointer<CChar>?
            _ = espeak_Info(&path)
            return path.map { String(cString: $0) } ?? "/usr/lib/x86_64-linux-gnu/espeak-ng-data"
        }
    }

    /// Starts espeak-ng once (on the engine's thread).
    private static func initialise() throws {
        guard sampleRate == 0 else { return }
        let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 500, nil, Int32(dub_espeak_dont_exit()))
        guard rate > 0 else { throw SynthesisError(engine: "espeak", message: "cannot initialise espeak-ng (is espeak-ng-data installed?)") }
        sampleRate = rate
        espeak_SetSynthCallback { wav, count, _ in
            if let wav, count > 0 { EspeakEngine.collected.append(contentsOf: UnsafeBufferPointer(start: wav, count: Int(count))) }
            return EspeakEngine.cancel?.isSet == true ? 1 : 0
        }
    }

    func speak(_ text: String, voice: String, rate: Int, pitch: Int32 = 50, range: Int32 = 50) async throws -> ([Float], Int) {
        let flag = CancelFlag()
        return try await withTaskCancellationHandler {
            try await speak(text, voice: voice, rate: rate, pitch: pitch, range: range, flag: flag)
        } onCancel: {
            flag.set()
        }
    }

    private func speak(_ text: String, voice: String, rate: Int, pitch: Int32, range: Int32, flag: CancelFlag) async throws -> ([Float], Int) {
        try await thread.run {
            if flag.isSet { throw CancellationError() }
            Self.cancel = flag
            defer { Self.cancel = nil }
            try Self.initialise()
            guard espeak_SetVoiceByName(voice) == EE_OK else {
                throw SynthesisError(engine: "espeak", message: "no espeak-ng voice '\(voice)' (see 'espeak-ng --voices')")
            }
            espeak_SetParameter(espeakRATE, Int32(rate), 0)
            espeak_SetParameter(espeakPITCH, pitch, 0)
            espeak_SetParameter(espeakRANGE, range, 0)
            Self.collected.removeAll(keepingCapacity: true)
            let rc = text.withCString { espeak_Synth($0, strlen($0) + 1, 0, POS_CHARACTER, 0, UInt32(dub_espeak_chars_utf8()), nil, nil) }
            guard rc == EE_OK else { throw SynthesisError(engine: "espeak", message: "synthesis failed (\(rc.rawValue))") }
            espeak_Synchronize()
            if flag.isSet { throw CancellationError() }
            return (Self.collected.map { Float($0) / 32768 }, Int(Self.sampleRate))
        }
    }
}
