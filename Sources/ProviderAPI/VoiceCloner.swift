/// An engine that can make a voice from recordings of a speaker (ElevenLabs instant voice cloning) and delete it.
public protocol VoiceCloner: Sendable {
    /// Uploads `samples` (audio files) as a new voice called `name`; returns its id. Sent once, never retried.
    func addVoice(name: String, samples: [String], description: String) async throws -> String
    /// Deletes a voice made by `addVoice`. A voice that is already gone is not an error.
    func deleteVoice(_ id: String) async throws
    /// Whether the voice `id` still exists (a resumed run reuses a clone only if it does).
    func hasVoice(_ id: String) async throws -> Bool
    /// The voices dub made that still exist (named with `prefix`, labelled as dub's), for `dubctl voices prune --all`.
    func clonedVoices(prefix: String) async throws -> [CatalogVoice]
}
