import DubSupport
import ArgumentParser
import AudioKitCore

struct MuxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mux",
        abstract: "Put new audio tracks on a video without re-encoding the video.",
        discussion: """
        The video stream is copied bit for bit. Each --audio file (WAV, FLAC or any media with audio) is encoded
        as AAC for .mp4/.mov/.mkv or Opus for .webm, tagged with its language, and padded or cut to the video's
        duration. The first new track is the default one. LANG is a language tag or code (es, spa, pt-BR, zh-TW, ...).
        A long AAC track from a WAV or FLAC file is encoded on every core at once, a stretch each.
        Each --subtitles file becomes a soft subtitle track (mov_text in mp4/mov, SubRip in mkv, WebVTT in webm).

        Example:
          dubctl mux samples/english.mp4 --audio dub-es.wav:es -o english.es.mp4 --keep-original-audio
          dubctl mux samples/english.mp4 --audio dub-es.wav:es --subtitles samples/english.es.srt:es -o english.es.mkv
        """
    )

    @Argument(help: "The video whose video stream is kept.")
    var video: String

    @Option(name: .customLong("audio"), help: ArgumentHelp("A new audio track as FILE[:LANG]; repeat for more.", valueName: "FILE[:LANG]"))
    var audio: [String] = []

    @Option(name: .shortAndLong, help: "Output file: .mp4, .mov, .mkv or .webm.")
    var output: String

    @Option(name: .customLong("subtitles"), help: ArgumentHelp("A subtitle file (.srt or .vtt) as FILE[:LANG], added as a soft track; repeat for more.", valueName: "FILE[:LANG]"))
    var subtitles: [String] = []

    @Flag(help: "Also copy the input's own audio tracks (after the new ones, not default).")
    var keepOriginalAudio = false

    @Flag(help: "Also copy the input's subtitle tracks.")
    var keepSubtitles = false

    func validate() throws {
        if audio.isEmpty && !keepOriginalAudio {
            throw ValidationError("give at least one --audio FILE[:LANG]")
        }
        do {
            _ = try audio.map(MuxAudioTrack.init(argument:))
            _ = try subtitles.map(MuxSubtitleTrack.init(argument:))
        } catch let error as MediaError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        guard try !MediaInfo.probe(path: video).videoStreams.isEmpty else {
            throw MediaError(.invalidArgument, "no video stream to put the audio on in", path: video,
                             hint: "mux takes a video; for audio only, use 'dubctl extract' or 'dubctl mix'")
        }
        let request = MuxRequest(videoPath: video, audioTracks: try audio.map(MuxAudioTrack.init(argument:)),
                                 outputPath: output, keepOriginalAudio: keepOriginalAudio, keepSubtitles: keepSubtitles,
                                 subtitleTracks: try subtitles.map(MuxSubtitleTrack.init(argument:)))
        let result = try Muxer.mux(request)
        for warning in result.warnings { CommandLineReport.warn(warning) }
        print("wrote \(output): \(result.duration.fixed(3)) s, \(audio.count) new \(result.audioCodec) track(s)")
    }
}
