import DubSupport

/// A voice an engine offers, as casting sees it: who it sounds like, not how to call it.
public struct CatalogVoice: Sendable, Codable, Equatable {
    /// The sound of a voice's speaker.
    public enum Gender: String, Sendable, Codable {
        case female, male
    }

    /// The id to synthesize with (`SynthesisRequest.voice`).
    public var id: String
    /// A readable name.
    public var name: String
    /// Nil when the provider does not say (or the voice is neutral).
    public var gender: Gender?
    /// The voice's typical speaking pitch in Hz, where known or estimated.
    public var pitch: Double?
    /// What the provider says of it (labels, age, accent).
    public var note: String?

    public init(id: String, name: String? = nil, gender: Gender? = nil, pitch: Double? = nil, note: String? = nil) {
        self.id = id
        self.name = name ?? id
        self.gender = gender
        self.pitch = pitch
        self.note = note
    }
}

/// An engine that can list its voices for a language (OpenAI's fixed set, ElevenLabs' voice library, CLOVA Voice's
/// speakers, espeak-ng's variants), so dub can cast one per speaker.
public protocol VoiceCatalog: Sendable {
    /// The voices that can speak `language`, best-known first.
    func voices(for language: Language) async throws -> [CatalogVoice]
}

/// An engine that can make a voice from recordings of a speaker (ElevenLabs instant voice cloning) and delete it.
public protocol VoiceCloner: Sendable {
    /// Uploads `samples` (audio files) as a new voice called `name`; returns its id.
    func addVoice(name: String, samples: [String], description: String) async throws -> String
    /// Deletes a voice made by `addVoice`. A voice that is already gone is not an error.
    func deleteVoice(_ id: String) async throws
    /// The voices dub made that still exist (their names start with `prefix`), for `dubctl voices prune`.
    func clonedVoices(prefix: String) async throws -> [CatalogVoice]
}

/// What dub's cloned voices are called: `dub-<work>-<speaker>`, so `dubctl voices prune` finds its own leftovers.
public enum VoiceCloning {
    public static let namePrefix = "dub-"
}
