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

    /// Writes sidecar .srt and .vtt at the dubbed timings (and, with `--bilingual`, the source text at the original
    /// timings) and muxes the video. Returns the subtitle files.
    func muxOutput(fitted: Fitted, mix: Mixed, language: LanguageCode, lines: [DubLine], sourceLanguage: String?) async throws -> [String] {
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
        let spoken = lines.filter { !$0.source.isEmpty }
        if request.bilingual, !spoken.isEmpty {
            let sourceCues = spoken.enumerated().map { n, line in SubtitleCue(index: n + 1, start: line.start, end: line.end, text: line.source) }
            let code = try sourceLanguage.flatMap { $0 == "und" ? nil : try LanguageCode($0) }
            let sourceTag = code.map { $0.alpha2 ?? $0.alpha3 } ?? "source"
            for format in SubtitleFormat.allCases {
                let path = "\(base).\(sourceTag).\(format.rawValue)"
                try WorkFolder.writeFile(Array(format.render(sourceCues).utf8), to: path)
                sidecars.append(path)
            }
            tracks.append(MuxSubtitleTrack(path: sidecars[SubtitleFormat.allCases.count], language: code))
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
