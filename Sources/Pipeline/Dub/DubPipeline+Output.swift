import AudioKitCore

/// The output stages: the mix over the background, then the muxed video with subtitles.
extension DubPipeline {
    struct Mixed: Sendable {
        let path: String
        let report: MixReport
        let loudnessIn: Double
    }

    func mixDown(_ runner: StageRunner, background: String, audio: ExtractedAudio, fitted: Fitted) async throws -> Mixed {
        let clips = fitted.clips
        let separated = request.separation != "none" || request.stems != nil
        let key = try CacheKey(["mix-1", try CacheKey.fingerprint(ofFile: background).hex, separated ? "duck6" : "duck14"]
                               + clips.map { "\($0.path)@\($0.start)" })
        let folder = work
        let loudnessIn = try await BlockingWork.run { try LoudnessMeter.measure(path: audio.path).integrated }
        let report = try await runner.run("mix", key: key, artifacts: ["mix.json", "mix.wav"]) { _ in
            try await BlockingWork.run {
                var settings = MixSettings()
                // Over a clean background stem a light duck suffices; over the original (voices included), duck hard.
                settings.duckDepth = separated ? 6 : 14
                settings.loudness = .match(audio.path)
                return try Mixer.mix(bed: background, clips: clips, output: folder.path("mix.wav"), settings: settings)
            }
        }
        return Mixed(path: folder.path("mix.wav"), report: report, loudnessIn: loudnessIn)
    }

    /// Writes sidecar .srt and .vtt at the dubbed timings and muxes the video. Returns the subtitle files.
    func muxOutput(fitted: Fitted, mix: Mixed, language: LanguageCode) async throws -> [String] {
        let cues = fitted.timings.enumerated().map { n, t in
            SubtitleCue(index: n + 1, start: t.start, end: t.start + t.duration, text: t.text)
        }
        let tag = language.alpha2 ?? language.alpha3
        var base = Self.stripExtension(request.output)
        if base.hasSuffix(".\(tag)") { base = String(base.dropLast(tag.count + 1)) }
        var sidecars: [String] = []
        for format in SubtitleFormat.allCases {
            let path = "\(base).\(tag).\(format.rawValue)"
            try WorkFolder.writeFile(Array(format.render(cues).utf8), to: path)
            sidecars.append(path)
        }
        var tracks = [MuxSubtitleTrack(path: sidecars[0], language: language, isDefault: false)]
        if request.bilingual, let source = request.sourceSubtitles {
            tracks.append(MuxSubtitleTrack(path: source, language: try request.from.map(LanguageCode.init)))
        }
        let muxRequest = MuxRequest(videoPath: request.input, audioTracks: [MuxAudioTrack(path: mix.path, language: language, title: "\(language.name) dub")],
                                    outputPath: request.output, keepOriginalAudio: request.keepOriginalAudio, subtitleTracks: tracks)
        _ = try await BlockingWork.run { try Muxer.mux(muxRequest) }
        return sidecars
    }

    static func stripExtension(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return path }
        return String(path[..<dot])
    }
}
