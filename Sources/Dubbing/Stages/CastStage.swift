import DubSupport
import ProviderAPI
import AudioKitCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// cast: a voice for every speaker (`Casting`), written to `voices.json`. Each speaker is heard once (their lines'
/// `VoicePrint`s pooled: `LinePrints`, shared with the lines stage), the engine's catalog read, and the cast kept stable across runs: an operator's edit
/// in `voices.json` stays, `--voice-map` and `--voice` win. With `--clone-voices` each speaker's cleanest speech is
/// uploaded to the engine's voice cloning and their lines use that voice (the ids kept in `voices.json`, so a resumed
/// run reuses them; `deleteClones` removes them after the job).
struct CastStage: DubStage {
    static let stage = StageName.cast

    let synthesizer: any SpeechSynthesizer
    let language: Language
    let voiceMap: [String: String]
    let fixedVoice: String?
    let cloneVoices: Bool

    struct Input: Sendable {
        let lines: [DubLine]
        /// The audio the speakers are heard in (the vocals stem, or the original audio), and the bed (for the
        /// cleanest-speech choice when cloning; nil when the bed is the original audio).
        let voices: String
        let background: String?
    }

    func run(_ input: Input, in context: StageContext) async throws -> VoiceCast {
        let lines = input.lines
        let names = Self.speakers(in: lines)
        let prints = try await LinePrints.measure(input.voices, lines: lines, runner: context.runner)
        var bySpeaker: [String: [VoicePrint]] = [:]
        for (line, print) in zip(lines, prints) { bySpeaker[line.speaker ?? "", default: []].append(print) }
        let heard = bySpeaker.compactMapValues(VoicePrint.pooled)
        let speakers = names.map { name in
            let own = lines.filter { ($0.speaker ?? "") == name }
            let seconds = own.reduce(0) { $0 + $1.duration }
            // Words a second where the source text has words (not Chinese or Japanese, written without spaces).
            let words = own.reduce(0) { $0 + $1.source.split(separator: " ").count }
            let spaced = words >= 2 * own.count
            return Casting.Speaker(name: name, print: heard[name], seconds: seconds, lines: own.count,
                                   wordsPerSecond: spaced && seconds > 0 ? Double(words) / seconds : nil)
        }
        // A voices.json that does not read is an operator's edit gone wrong: say so rather than overwrite it.
        let previous = try context.work.readJSON(VoiceCast.self, from: VoiceCast.file)
        let kept = previous.flatMap { $0.isFor(synthesizer: synthesizer.name, language: language) ? $0 : nil }
        // The catalog is read only when a speaker needs casting (a re-run with every voice chosen stays offline).
        let uncast = speakers.contains { speaker in
            voiceMap[speaker.name] == nil && kept?.roles.first(where: { $0.speaker == speaker.name })?.voice == nil
        }
        var catalog: [CatalogVoice] = []
        if fixedVoice == nil, uncast, let engine = synthesizer as? any VoiceCatalog {
            catalog = try await engine.voices(for: language)
        }
        var cast = Casting(catalog: catalog, voiceMap: voiceMap, fixedVoice: fixedVoice)
            .cast(speakers, synthesizer: synthesizer.name, language: language, previous: previous)
        if cloneVoices {
            guard let cloner = synthesizer as? any VoiceCloner else {
                throw MediaError(.invalidArgument, "--clone-voices needs an engine that clones voices (--tts elevenlabs); \(synthesizer.name) does not")
            }
            cast = try await clone(cast, previous: previous, lines: lines, input: input, cloner: cloner, context: context)
        }
        // Clones of the last run that no role uses now stay on record until deleted.
        let used = Set(cast.roles.compactMap(\.clone?.voiceID))
        cast.retired = (previous?.liveClones ?? []).filter { !used.contains($0.voiceID) }.nilIfEmpty
        try context.work.writeJSON(cast, to: VoiceCast.file)
        return cast
    }

    /// The speakers in order of their first line ("" for lines without one).
    static func speakers(in lines: [DubLine]) -> [String] {
        var seen: [String] = []
        for line in lines where !seen.contains(line.speaker ?? "") { seen.append(line.speaker ?? "") }
        return seen
    }
}
