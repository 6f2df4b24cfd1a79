import DubSupport
import ProviderAPI
import AudioKitCore

/// transcribe: the vocals stem (or the original audio) sent to the chosen speech recognition provider, with
/// diarization, cached by the audio's content, the provider and the settings. Skipped (nil) when subtitles give
/// the lines.
struct TranscribeStage: DubStage {
    static let stage = StageName.transcribe

    /// The recognition provider (`--asr`); nil when subtitles give the lines.
    let provider: String?
    /// The spoken language, when known (`--from`).
    let language: Language?
    /// How many speakers to expect, when known (`--speakers`).
    let speakers: Int?
    /// The media file (named in errors).
    let input: String

    init(plan: DubPlan) {
        provider = plan.recognizer
        language = plan.source
        speakers = plan.speakers
        input = plan.input
    }

    struct Input: Sendable {
        let audio: ExtractStage.Output
        let stems: SeparateStage.Output
    }

    func run(_ input: Input, in context: StageContext) async throws -> Transcript? {
        guard let provider else { return nil }
        let transcriber = try context.providers.transcriber(provider)
        let source = input.stems.vocals ?? input.audio.path
        let key = try CacheKey(["transcribe-1", transcriber.name, try CacheKey.fingerprint(ofFile: source).hex,
                                language?.tag ?? "auto", "\(speakers ?? 0)"])
        let request = TranscriptionRequest(audioPath: source, language: language, diarize: true, speakers: speakers)
        let media = self.input
        let transcript = try await context.runner.run(Self.name, key: key, artifacts: ["transcript.json"]) { _ in
            let transcript = try await transcriber.transcribe(request)
            guard !transcript.segments.isEmpty else {
                throw MediaError(.unsupported, "\(transcriber.name) heard no speech in", path: media,
                                 hint: "check the audio, or give the lines with --subtitles or --source-subtitles")
            }
            return transcript
        }
        for note in transcript.notes ?? [] { await context.warn(note) }
        return transcript
    }
}
