import AudioKitCore

/// Speech recognition: the vocals stem (or the original audio) sent to the chosen provider, cached by the audio,
/// the provider and the settings. Skipped when subtitles give the lines.
extension DubPipeline {
    func transcribe(_ runner: StageRunner, audio: ExtractedAudio, stems: Stems) async throws -> Transcript? {
        guard request.subtitles == nil, request.sourceSubtitles == nil else { return nil }
        let asr = request.asr ?? "openai"
        let transcriber = try providers.transcriber(asr)
        let source = stems.vocals ?? audio.path
        let key = try CacheKey(["transcribe-1", transcriber.name, try CacheKey.fingerprint(ofFile: source).hex,
                                request.from ?? "auto", "\(request.speakers ?? 0)"])
        let transcriptionRequest = TranscriptionRequest(audioPath: source, language: request.from, diarize: true, speakers: request.speakers)
        return try await runner.run("transcribe", key: key, artifacts: ["transcript.json"]) { _ in
            let transcript = try await transcriber.transcribe(transcriptionRequest)
            guard !transcript.segments.isEmpty else {
                throw MediaError(.unsupported, "\(transcriber.name) heard no speech in", path: request.input,
                                 hint: "check the audio, or give the lines with --subtitles or --source-subtitles")
            }
            return transcript
        }
    }
}
