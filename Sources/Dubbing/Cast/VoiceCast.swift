import DubSupport
import ProviderAPI

/// Who speaks with which voice: `voices.json` in the work folder. Casting writes it; an operator may edit a speaker's
/// `voice` and run again, which redoes that speaker's lines only. A role whose `voice` differs from `cast` (what
/// casting chose) was edited, and is kept.
public struct VoiceCast: Codable, Sendable, Equatable {
    /// One speaker's part.
    public struct Role: Codable, Sendable, Equatable {
        /// The speaker's name in the lines (`S1`, or the recogniser's or subtitles' name).
        public var speaker: String
        /// The voice their lines are spoken with (nil: the engine's default).
        public var voice: String?
        /// What casting chose, to tell an operator's edit from it.
        public var cast: String?
        /// Why: the speaker as heard and the voice as described, or where the choice came from.
        public var reason: String
        /// The speaker as heard: their median pitch (Hz), the gender it suggests, their speech in seconds, their lines,
        /// and their speaking rate (source words a second, when the source text is known).
        public var pitch: Double?
        public var gender: CatalogVoice.Gender?
        public var seconds: Double
        public var lines: Int
        public var wordsPerSecond: Double?
        /// The voice cloned from this speaker (`--clone-voices`), when there is one.
        public var clone: Clone?

        enum CodingKeys: String, CodingKey {
            case speaker, voice, cast, reason, pitch, gender, seconds, lines, clone
            case wordsPerSecond = "words_per_second"
        }

        /// Whether an operator changed the voice casting chose (a role cast by `--voice-map` or `--voice` has no
        /// `cast`, and is not an edit: dropping the option brings casting back).
        public var isEdited: Bool { cast != nil && voice != cast && clone == nil }
    }

    /// A voice made from a speaker's own recordings.
    public struct Clone: Codable, Sendable, Equatable {
        /// The provider's voice id.
        public var voiceID: String
        /// The sample uploaded (in the work folder) and its seconds of speech.
        public var sample: String
        public var seconds: Double
        /// The sample's digest: lines spoken with any clone of the same sample are the same lines to the cache.
        public var digest: String
        /// Whether the voice was deleted at the provider after the job.
        public var deleted: Bool

        enum CodingKeys: String, CodingKey {
            case sample, seconds, digest, deleted
            case voiceID = "voice_id"
        }
    }

    /// The engine the voices belong to; a cast for another engine is cast again.
    public var synthesizer: String
    /// The language spoken (its tag); a cast for another language is cast again.
    public var language: String
    /// One role per speaker, in order of their first line.
    public var roles: [Role]
    /// Clones no role uses any more (a speaker recast, or the sample changed) that were not deleted yet: deleted
    /// with the others after the job (or by `dubctl voices prune --work`), never forgotten.
    public var retired: [Clone]?

    /// Every clone not yet deleted, in use or retired.
    public var liveClones: [Clone] {
        (roles.compactMap(\.clone) + (retired ?? [])).filter { !$0.deleted }
    }

    public static let file = "voices.json"

    /// Whether this cast was made for `synthesizer` speaking `language` (one for another engine or language is cast again).
    public func isFor(synthesizer: String, language: Language) -> Bool {
        self.synthesizer == synthesizer && self.language == language.tag
    }

    /// The voice for each speaker that has one.
    public var voices: [String: String] {
        Dictionary(roles.compactMap { role in role.voice.map { (role.speaker, $0) } }) { first, _ in first }
    }

    /// What the cache knows each voice as: a cloned voice by its sample (the provider's id changes when it is cloned
    /// again), any other by its id.
    public var cacheIdentities: [String: String] {
        Dictionary(roles.compactMap { role in
            guard let voice = role.voice, let clone = role.clone, clone.voiceID == voice else { return nil }
            return (voice, "clone-" + clone.digest)
        }) { first, _ in first }
    }

    /// One line per speaker, for reports and `--dry-run`.
    public var summary: [String] {
        roles.map { role in
            let cloned = role.clone.map { " (cloned from \($0.seconds.fixed(1)) s)" } ?? ""
            return "\(role.speaker): \(role.voice ?? "the default voice")\(cloned) — \(role.reason)"
        }
    }
}
