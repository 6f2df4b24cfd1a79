import DubSupport
/// A provider that separates the voice from the rest of a recording (the vocal stem).
public protocol VoiceIsolator: Sendable {
    /// The provider, part of every cache key.
    var name: String { get }
    /// Writes the isolated voice of `audioPath` to `vocalsPath` (WAV) and returns its exact duration in seconds.
    func isolate(_ audioPath: String, to vocalsPath: String) async throws -> Double
}
