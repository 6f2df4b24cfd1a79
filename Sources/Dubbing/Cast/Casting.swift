import DubSupport
import ProviderAPI
import AudioKitCore
#if canImport(Glibc)
import Glibc
#endif

/// Casts a voice for every speaker from an engine's catalog, as a casting director would: the same gender where both
/// are known, the nearest pitch, and a voice of their own — no two speakers share a voice while the catalog has one
/// unused. Speakers are cast in order of how much they say, so the leads get the best fits. The same speakers and
/// catalog always give the same cast.
struct Casting {
    /// A speaker as heard.
    struct Speaker {
        var name: String
        var print: VoicePrint?
        var seconds: Double
        var lines: Int
        var wordsPerSecond: Double?

        /// Below 150 Hz a voice reads as male, above 170 Hz as female; between, undecided.
        var gender: CatalogVoice.Gender? {
            guard let pitch = print?.pitch else { return nil }
            return pitch < 150 ? .male : pitch > 170 ? .female : nil
        }

        /// Their role as heard, no voice chosen yet.
        var role: VoiceCast.Role {
            VoiceCast.Role(speaker: name, voice: nil, cast: nil, reason: "", pitch: print?.pitch, gender: gender, seconds: seconds, lines: lines,
                           wordsPerSecond: wordsPerSecond, clone: nil)
        }
    }

    let catalog: [CatalogVoice]
    /// Voices given by the operator (`--voice-map`), which win over casting.
    let voiceMap: [String: String]
    /// `--voice`: one voice for every speaker not in the map (no casting).
    let fixedVoice: String?

    /// The cast for `speakers`, keeping from `previous` (the last `voices.json`, same engine and language) every voice
    /// an operator edited there, and every earlier pick still in the catalog, so a re-run is stable and an edit sticks.
    func cast(_ speakers: [Speaker], synthesizer: String, language: Language, previous: VoiceCast?) -> VoiceCast {
        let total = max(speakers.reduce(0) { $0 + $1.seconds }, 1e-9)
        let kept = previous.flatMap { $0.isFor(synthesizer: synthesizer, language: language) ? $0 : nil }
        let previousRoles = Dictionary((kept?.roles ?? []).map { ($0.speaker, $0) }) { first, _ in first }
        var used: [String: Int] = [:]
        var roles: [String: VoiceCast.Role] = [:]
        // The operator's choices first (map, then edits in voices.json), so casting works around them.
        for speaker in speakers {
            var role = speaker.role
            if let voice = voiceMap[speaker.name] {
                (role.voice, role.reason) = (voice, "from --voice-map")
            } else if let fixedVoice {
                (role.voice, role.reason) = (fixedVoice, "from --voice")
            } else if let old = previousRoles[speaker.name], old.isEdited, let voice = old.voice {
                (role.voice, role.cast, role.reason) = (voice, old.cast, "edited in \(VoiceCast.file)")
            } else if let old = previousRoles[speaker.name], old.clone == nil, let voice = old.voice, voice == old.cast,
                      catalog.isEmpty || catalog.contains(where: { $0.id == voice }) {
                (role.voice, role.cast, role.reason) = (voice, voice, old.reason)
            } else {
                continue
            }
            used[role.voice ?? "", default: 0] += 1
            roles[speaker.name] = role
        }
        for speaker in speakers.sorted(by: { ($0.seconds, $1.name) > ($1.seconds, $0.name) }) where roles[speaker.name] == nil {
            let share = Int((speaker.seconds / total * 100).rounded())
            var role = speaker.role
            guard let pick = best(for: speaker, used: used) else {
                role.reason = "the engine lists no voices for \(language.displayName); its default voice"
                roles[speaker.name] = role
                continue
            }
            used[pick.id, default: 0] += 1
            role.voice = pick.id
            role.cast = pick.id
            let heard = [speaker.gender?.rawValue, speaker.print?.pitch.map { "\(Int($0.rounded())) Hz" }].compactMap { $0 }.joined(separator: ", ")
            let voice = [pick.gender?.rawValue, pick.pitch.map { "about \(Int($0.rounded())) Hz" }, pick.note].compactMap { $0 }.joined(separator: ", ")
            role.reason = "\(heard.isEmpty ? "voice not measured" : heard), \(share) % of the speech → \(pick.name)" + (voice.isEmpty ? "" : " (\(voice))")
                + ((used[pick.id] ?? 0) > 1 ? "; shared: the catalog has fewer fitting voices than speakers" : "")
            roles[speaker.name] = role
        }
        return VoiceCast(synthesizer: synthesizer, language: language.tag, roles: speakers.compactMap { roles[$0.name] })
    }

    /// The best voice for a speaker: unused before used, then the same gender, then the nearest pitch (in semitones);
    /// ties go to the catalog's order.
    func best(for speaker: Speaker, used: [String: Int]) -> CatalogVoice? {
        func cost(_ voice: CatalogVoice) -> Double {
            var cost = Double(used[voice.id] ?? 0) * 100
            if let heard = speaker.gender {
                cost += voice.gender == heard ? 0 : voice.gender == nil ? 3 : 10
            }
            if let pitch = speaker.print?.pitch, let voicePitch = voice.pitch {
                cost += abs(12 * log2(pitch / voicePitch)) / 3
            }
            return cost
        }
        return catalog.enumerated().min { a, b in (cost(a.element), a.offset) < (cost(b.element), b.offset) }?.element
    }
}
