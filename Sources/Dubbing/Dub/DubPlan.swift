import DubSupport
import AudioKitCore

/// A dub as decided from a `DubRequest`: every rule checked, every default applied once, every choice an enum. The
/// stages, the cost estimate and `jobs submit` read the plan; the request stays what the user asked (`request.json`).
public struct DubPlan: Sendable, Equatable {
    /// Where the lines come from.
    public enum LineSource: Sendable, Equatable {
        /// Speech recognition with this provider, cut into lines of at most `maxLine` seconds.
        case recognition(provider: String, maxLine: Double)
        /// Target-language subtitles: the lines come translated (no recognition, no translation).
        case targetSubtitles(String)
        /// Source-language subtitles (no recognition).
        case sourceSubtitles(String)
    }

    /// How the voices are taken out of the bed.
    public enum Separation: Sendable, Equatable {
        /// The original audio is the bed (ducked harder).
        case none
        /// dub's own DSP separator.
        case local
        /// A provider's isolation, subtracted from the original.
        case isolator(String)
        /// Stems made elsewhere.
        case stems(vocals: String, background: String)
    }

    /// The request as given.
    public let request: DubRequest
    public let input: String
    public let output: String
    public let target: Language
    /// The spoken language, when given.
    public let source: Language?
    public let lines: LineSource
    /// The translator; nil when the lines come translated.
    public let translator: String?
    /// The translator that shortens given target-language lines that do not fit (`--condense`), if asked.
    public let condenser: String?
    public let synthesizer: String
    /// The voice for speakers without one in the voice map.
    public let voice: String?
    public let separation: Separation
    public let maxSpeed: Double
    public let speakers: Int?
    public let keepOriginalAudio: Bool
    public let bilingual: Bool
    /// The recogniser that hears every dubbed line back (`--verify`), if asked.
    public let verifier: String?
    public let budgetUSD: Double?
    /// The audio stream asked for (`--stream`), if any.
    public let stream: Int?
    /// Whether a surround source keeps its layout (`--layout source`), the dub in its centre channel.
    public let keepsSurround: Bool
    /// The share of the dub that also goes to the front left and right of a surround dub.
    public let centreSpread: Double
    /// Whether a surround dub also gets a stereo down-mix track.
    public let stereoTrack: Bool
    /// The dub track's codec (nil: the container's default).
    public let audioCodec: AudioTrackCodec?
    /// Whether each speaker's voice is cloned (`--clone-voices`), and the clones kept after the job (`--keep-voices`).
    public let cloneVoices: Bool
    public let keepVoices: Bool

    /// The recogniser, when the lines come from speech recognition.
    public var recognizer: String? {
        if case .recognition(let provider, _) = lines { return provider }
        return nil
    }
}

extension DubPlan {
    /// The audio stream of `media` to dub: the one asked for (`--stream`); else, when the input has several, the one
    /// tagged with the source language (`--from`; the default one among several such); else nil (the best one, as
    /// FFmpeg ranks them).
    public func audioStream(in media: MediaInfo) -> Int? {
        if let stream { return stream }
        guard let source, media.audioStreams.count > 1 else { return nil }
        let spoken = media.audioStreams.filter { stream in
            stream.language.flatMap { try? Language($0) }.map { $0.base == source.base } ?? false
        }
        return (spoken.first(where: \.isDefault) ?? spoken.first)?.index
    }
}

extension DubRequest {
    /// The plan for this request, or the first rule it breaks (`validate()`).
    public func resolve() throws(DubRequestError) -> DubPlan {
        try validate()
        func language(_ text: String) throws(DubRequestError) -> Language {
            do { return try Language(text) } catch { throw DubRequestError(message: "\(error)") }
        }
        let lines: DubPlan.LineSource
        if let subtitles {
            lines = .targetSubtitles(subtitles)
        } else if let sourceSubtitles {
            lines = .sourceSubtitles(sourceSubtitles)
        } else {
            lines = .recognition(provider: asr ?? Self.defaultASR, maxLine: maxLine ?? Self.defaultMaxLine)
        }
        let method: DubPlan.Separation
        if let stems, stems.count == 2 {
            method = .stems(vocals: stems[0], background: stems[1])
        } else {
            switch separation ?? Self.defaultSeparation {
            case "none": method = .none
            case "elevenlabs": method = .isolator("elevenlabs")
            default: method = .local
            }
        }
        return DubPlan(request: self, input: input, output: output, target: try language(to), source: try from.map(language), lines: lines,
                       translator: subtitles == nil ? translator ?? Self.defaultTranslator : nil,
                       condenser: subtitles != nil && condense ? translator ?? Self.defaultTranslator : nil, synthesizer: tts ?? Self.defaultTTS,
                       voice: voice, separation: method, maxSpeed: maxSpeed ?? Self.defaultMaxSpeed, speakers: speakers,
                       keepOriginalAudio: keepOriginalAudio, bilingual: bilingual, verifier: verify ? asr ?? Self.defaultASR : nil,
                       budgetUSD: budgetUSD, stream: stream, keepsSurround: (layout ?? "source") == "source",
                       centreSpread: centreSpread ?? 0, stereoTrack: stereoTrack, audioCodec: audioCodec.flatMap(AudioTrackCodec.init(rawValue:)),
                       cloneVoices: cloneVoices, keepVoices: keepVoices)
    }
}
