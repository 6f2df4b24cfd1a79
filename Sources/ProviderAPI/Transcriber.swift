import DubSupport

/// What to transcribe and how.
public struct TranscriptionRequest: Sendable, Equatable, Codable {
    /// An audio (or video) file on disk.
    public var audioPath: String
    /// The spoken language, or nil to let the recogniser detect it (each provider writes it its own way).
    public var language: Language?
    /// Label speakers (diarization) when the provider can.
    public var diarize: Bool
    /// The number of speakers, when known.
    public var speakers: Int?
    /// Names, terms and spellings that help the recogniser.
    public var prompt: String?

    public init(audioPath: String, language: Language? = nil, diarize: Bool = false, speakers: Int? = nil, prompt: String? = nil) {
        self.audioPath = audioPath
        self.language = language
        self.diarize = diarize
        self.speakers = speakers
        self.prompt = prompt
    }
}

/// A speech recogniser (ASR) the pipeline can use. Every provider returns dub's own `Transcript`
/// (times in seconds, words with speakers where the provider diarizes).
public protocol Transcriber: Sendable {
    /// The provider and model, part of every cache key (e.g. `openai-whisper-1`).
    var name: String { get }
    func transcribe(_ request: TranscriptionRequest) async throws -> Transcript
}
