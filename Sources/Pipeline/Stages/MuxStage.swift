import AudioKitCore

/// mux: sidecar `.srt` and `.vtt` at the dubbed timings (and, with `--bilingual`, the source text at the original
/// timings), then the video copied with the dub as the first, default audio track (the original audio after it with
/// `--keep-original-audio`) and the subtitles as soft tracks. Its output is the subtitle files written.
struct MuxStage: DubStage {
    static let name = "mux"

    struct Input: Sendable {
        let fitted: FitStage.Output
        let mix: MixStage.Output
        let lines: [DubLine]
        /// The source language (`--from`, or what recognition heard), for the bilingual track.
        let sourceLanguage: String?
    }

    /// The video to copy.
    let input: String
    let output: String
    let language: LanguageCode
    let keepOriginalAudio: Bool
    let bilingual: Bool

    func run(_ input: Input, in context: StageContext) async throws -> [String] {
        let cues = input.fitted.timings.enumerated().map { n, t in
            SubtitleCue(index: n + 1, start: t.start, end: t.start + t.duration, text: t.text)
        }
        let tag = language.alpha2 ?? language.alpha3
        var base = Self.stripExtension(output)
        if base.hasSuffix(".\(tag)") { base = String(base.dropLast(tag.count + 1)) }
        var sidecars = try Self.writeSidecars(cues, base: "\(base).\(tag)")
        var tracks = [MuxSubtitleTrack(path: sidecars[0], language: language, isDefault: false)]
        let spoken = input.lines.filter { !$0.source.isEmpty }
        if bilingual, !spoken.isEmpty {
            let sourceCues = spoken.enumerated().map { n, line in SubtitleCue(index: n + 1, start: line.start, end: line.end, text: line.source) }
            let code = try input.sourceLanguage.flatMap { $0 == "und" ? nil : try LanguageCode($0) }
            let sourceFiles = try Self.writeSidecars(sourceCues, base: "\(base).\(code.map { $0.alpha2 ?? $0.alpha3 } ?? "source")")
            sidecars += sourceFiles
            tracks.append(MuxSubtitleTrack(path: sourceFiles[0], language: code))
        }
        let request = MuxRequest(videoPath: self.input, audioTracks: [MuxAudioTrack(path: input.mix.path, language: language, title: "\(language.name) dub")],
                                 outputPath: output, keepOriginalAudio: keepOriginalAudio, subtitleTracks: tracks)
        _ = try await BlockingWork.run { try Muxer.mux(request) }
        return sidecars
    }

    /// `BASE.srt` and `BASE.vtt` (in `SubtitleFormat.allCases` order).
    private static func writeSidecars(_ cues: [SubtitleCue], base: String) throws -> [String] {
        try SubtitleFormat.allCases.map { format in
            let path = "\(base).\(format.rawValue)"
            try WorkFolder.writeFile(Array(format.render(cues).utf8), to: path)
            return path
        }
    }

    static func stripExtension(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return path }
        return String(path[..<dot])
    }
}
