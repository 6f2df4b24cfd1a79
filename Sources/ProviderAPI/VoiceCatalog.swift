import DubSupport

/// An engine that can list its voices for a language (OpenAI's fixed set, ElevenLabs' voice library, CLOVA Voice's
/// speakers, espeak-ng's variants), so dub can cast one per speaker.
public protocol VoiceCatalog: Sendable {
    /// The voices that can speak `language`, best-known first.
    func voices(for language: Language) async throws -> [CatalogVoice]
}
