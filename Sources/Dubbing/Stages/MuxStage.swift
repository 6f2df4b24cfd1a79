import DubSupport
import Foundation
import ProviderAPI
import AudioKitCore

/// mux: sidecar `.srt` and `.vtt` at the dubbed timings (and, with `--bilingual`, the source text at the original
/// timings), then the video copied with the dub as the first, default audio track (the original audio after it with
/// `--keep-original-audio`, and a stereo down-mix of a surround dub before it with `--stereo-track`) and the subtitles
/// as soft tracks. Its output is the subtitle files written.
struct MuxStage: DubStage {
    static let stage = StageName.mux

    struct Input: Sendable {
        let fitted: FitStage.Output
        let mix: MixStage.Output
        let lines: [DubLine]
        /// The source language (`--from`, or what recognition heard), for the bilingual track.
        let sourceLanguage: String?
        /// Whether a stereo down-mix of a surround dub follows it as a second track (`--stereo-track`).
        let stereoTrack: Bool
        /// The dub tracks' codec (nil: the container's default).
        let codec: AudioTrackCodec?
    }

    let request: DubRequest
    let language: Language

    /// Writes the subtitles into the work folder first (the mux reads them as soft tracks), muxes, and only then puts
    /// the sidecars beside the output, so a failed mux leaves neither.
    func run(_ input: Input, in context: StageContext) async throws -> [String] {
        // Both tracks follow the dubbed speech (a dropped line is not spoken; its text still shows over its slot).
        let layout = SubtitleLayout(maxReadingSpeed: request.subtitleSpeed ?? SubtitleLayout().maxReadingSpeed)
        func heard(_ t: LineTiming) -> (start: Double, end: Double) { (t.start, t.method == .dropped ? t.slotEnd : t.start + t.duration) }
        let cues = layout.cues(for: input.fitted.timings.map { t in SubtitleLayout.Span(start: heard(t).start, end: heard(t).end, text: t.text) })
        let tag = language.tag
        var sidecars = [(cues, tag, language as Language?)]
        let spoken = input.lines.filter { !$0.source.isEmpty }
        if request.bilingual, !spoken.isEmpty {
            let timings = Dictionary(input.fitted.timings.map { ($0.id, $0) }) { first, _ in first }
            let sourceCues = layout.cues(for: spoken.map { line in
                let time = timings[line.id].map(heard) ?? (start: line.start, end: line.end)
                return SubtitleLayout.Span(start: time.start, end: time.end, text: line.source)
            })
            let code = try input.sourceLanguage.flatMap { $0 == "und" ? nil : try Language($0) }
            sidecars.append((sourceCues, code?.tag ?? "source", code))
        }
        let base = request.sidecarBase
        var finals: [(path: String, bytes: [UInt8])] = []
        var tracks: [MuxSubtitleTrack] = []
        for (cues, tag, code) in sidecars {
            for format in SubtitleFormat.allCases {
                let name = "\(Self.fileName(base)).\(tag).\(format.rawValue)"
                let bytes = Array(format.render(cues).utf8)
                try context.work.write(bytes, to: "subtitles/\(name)")
                finals.append(("\(base).\(tag).\(format.rawValue)", bytes))
                if format == .srt {
                    tracks.append(MuxSubtitleTrack(path: context.work.path("subtitles/\(name)"), language: code))
                }
            }
        }
        // The source language may only be known now (recognised): check its sidecars against the inputs again.
        try OutputPaths.refuseOverwriting(inputs: [("input", request.input)] + request.files.map { ($0.option, $0.path) },
                                          outputs: [("output", request.output)] + finals.map { ("subtitles", $0.path) })
        var audio = [MuxAudioTrack(path: input.mix.path, language: language, title: "\(language.displayName) dub", codec: input.codec)]
        if input.stereoTrack {
            audio.append(MuxAudioTrack(path: input.mix.path, language: language, title: "\(language.displayName) dub (stereo)", channels: 2,
                                       codec: input.codec))
        }
        let mux = MuxRequest(videoPath: request.input, audioTracks: audio, outputPath: request.output, keepOriginalAudio: request.keepOriginalAudio,
                             subtitleTracks: tracks)
        // Cached like every other stage: by the video, the mix, the subtitles and the settings; done while the output
        // and its sidecars are there (a deleted output is written again).
        let key = try CacheKey(["mux-1", try CacheKey.fingerprint(ofFile: request.input).hex, try CacheKey.fingerprint(ofFile: input.mix.path).hex,
                                request.output, language.tag, "\(request.keepOriginalAudio)", input.stereoTrack ? "stereo-track" : "-", input.codec?.rawValue ?? "default"] + finals.map { "\($0.path):\(CacheKey(bytes: $0.bytes).hex)" })
        let sidecarFiles = finals
        // The output and sidecars are outside the work folder: named absolutely, so a relative `-o` is not taken as a
        // file inside it.
        let outside = ([request.output] + finals.map(\.path)).map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        return try await context.runner.run(Self.name, key: key, artifacts: ["mux.json"] + outside) { _ in
            // What did not stop the mux (an input that ended early) goes to the run's warnings.
            for warning in try await BlockingWork.run({ try Muxer.mux(mux) }).warnings { await context.warn(warning) }
            for sidecar in sidecarFiles { try AtomicFile.write(sidecar.bytes, to: sidecar.path) }
            return sidecarFiles.map(\.path)
        }
    }

    /// The last component of a path.
    static func fileName(_ path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }
}
