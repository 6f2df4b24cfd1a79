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

    /// What dub's cloned voices are called (`dub-<work>-<speaker>`), so `dubctl voices prune` finds its own.
    public static let clonePrefix = "dub-"

    /// A voice `id` (`name` defaults to it) as casting sees it.
    public init(id: String, name: String? = nil, gender: Gender? = nil, pitch: Double? = nil, note: String? = nil) {
        self.id = id
        self.name = name ?? id
        self.gender = gender
        self.pitch = pitch
        self.note = note
    }
}
