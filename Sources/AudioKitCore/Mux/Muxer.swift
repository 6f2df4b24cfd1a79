import DubSupport
import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// Writes a new container: the input's video copied bit for bit, new audio tracks encoded from PCM
/// (AAC, AC-3 or E-AC-3 for mp4/mov/mkv, Opus for webm/ogg), optionally the input's own audio and subtitle streams.
///
/// The new audio tracks start where the input's timeline starts (as the audio they were made from did) and are padded
/// with silence or cut so that they end exactly with the video.
/// The output is written to a temporary file beside it and renamed into place when complete.
public enum Muxer {
    /// Runs the request; blocking.
    public static func mux(_ request: MuxRequest) throws -> MuxResult {
        guard !request.audioTracks.isEmpty || request.keepOriginalAudio else {
            throw MediaError(.invalidArgument, "nothing to mux: give at least one audio track")
        }
        try OutputPaths.refuseOverwriting(inputs: [("input", request.videoPath)] + request.audioTracks.map { ("audio", $0.path) }
                                              + request.subtitleTracks.map { ("subtitles", $0.path) },
                                          outputs: [("output", request.outputPath)])
        let warnings = try AtomicFile.write(to: request.outputPath) { temp in
            var (warnings, movie) = try write(request, to: temp)
            // The index goes to the front (so playback can start before the whole file is there) once the muxer, and
            // its copy of the index, are gone.
            if movie, try FastStart.apply(to: temp) == .none {
                warnings.append("the index of \(request.outputPath) stays at its end: a player starts it once the whole index has loaded")
            }
            return warnings
        }
        let info = try MediaInfo.probe(path: request.outputPath)
        let codec = info.audioStreams.first?.codec ?? ""
        return MuxResult(outputPath: request.outputPath, duration: info.duration ?? 0, audioCodec: codec, warnings: warnings)
    }

    /// Writes the whole file at `path` (its index last, for a movie); returns the warnings and whether it is a movie
    /// (MP4 or MOV). The muxer is freed when this returns.
    private static func write(_ request: MuxRequest, to path: String) throws -> (warnings: [String], movie: Bool) {
        let output = try OutputContainer(path: path, formatHint: request.outputPath)
        let warnings = try write(request, input: try InputContainer(path: request.videoPath), to: output)
        // The input (its demuxer holds the index of the whole file), the encoders and their buffers are gone, and
        // their memory back to the system, before the MP4 muxer builds its index: megabytes for a film, and the
        // peak of a long dub.
        MemoryRelease.trim()
        try output.writeTrailer()
        return (warnings, output.formatName == "mp4" || output.formatName == "mov")
    }

    /// Writes everything but the trailer; returns the warnings.
    private static func write(_ request: MuxRequest, input: InputContainer, to output: OutputContainer) throws -> [String] {
        let opus = ["webm", "ogg", "opus"].contains(output.formatName)
        var copied: [Int: Int] = [:]
        let video = input.primaryVideoStreamIndex
        // New tracks count from the start of the input's timeline, as the audio they were made from did, and last
        // until the video ends.
        let videoStart = video.flatMap { input.startTime(ofStream: $0) }
        let origin = input.timelineStart ?? 0
        let targetDuration = video.flatMap { input.duration(ofStream: $0) }.map { $0 + (videoStart ?? origin) - origin }

        func copyStreams(_ kind: AVMediaType, clearDefault: Bool) throws {
            for i in 0..<input.streamCount {
                let (type, codecId) = input.withStream(i) { ($0.pointee.codecpar.pointee.codec_type, $0.pointee.codecpar.pointee.codec_id) }
                guard type == kind else { continue }
                guard output.supports(codecId) else {
                    throw MediaError(.unsupported, "\(output.formatName) cannot hold the input's \(String(cString: avcodec_get_name(codecId))) stream \(i);",
                                     path: request.outputPath, hint: "choose another output container, e.g. .mkv")
                }
                copied[i] = try output.addStream { out in
                    try input.withStream(i) { src in
                        try avCheck(avcodec_parameters_copy(out.pointee.codecpar, src.pointee.codecpar), .muxFailed,
                                    "cannot copy stream \(i) of", path: request.videoPath)
                        out.pointee.codecpar.pointee.codec_tag = 0
                        out.pointee.time_base = src.pointee.time_base
                        out.pointee.disposition = clearDefault ? src.pointee.disposition & ~dub_disposition_default() : src.pointee.disposition
                        av_dict_copy(&out.pointee.metadata, src.pointee.metadata, 0)
                    }
                }
            }
        }

        try copyStreams(AVMEDIA_TYPE_VIDEO, clearDefault: false)
        var tracks: [EncodedTrack] = []
        for (n, track) in request.audioTracks.enumerated() {
            tracks.append(try EncodedTrack(track, output: output, opus: opus, isDefault: n == 0,
                                           duration: targetDuration, originSeconds: origin,
                                           threads: request.encoderThreads ?? MediaLibraries.cores))
        }
        if request.keepOriginalAudio { try copyStreams(AVMEDIA_TYPE_AUDIO, clearDefault: !tracks.isEmpty) }
        var subtitles: [SubtitleTrack] = []
        for (n, track) in request.subtitleTracks.enumerated() {
            subtitles.append(try SubtitleTrack(track, output: output, isDefault: n == 0 && track.isDefault, originSeconds: origin))
        }
        if request.keepSubtitles { try copyStreams(AVMEDIA_TYPE_SUBTITLE, clearDefault: !subtitles.isEmpty) }

        try output.writeHeader()
        input.withContext { ctx in
            for i in 0..<Int(ctx.pointee.nb_streams) where copied[i] == nil {
                ctx.pointee.streams[i]!.pointee.discard = AVDISCARD_ALL
            }
        }
        var sources: [any PacketSource] = copied.isEmpty ? [] : [CopiedStreams(input: input, map: copied)]
        sources += tracks as [any PacketSource]
        sources += subtitles as [any PacketSource]
        try PacketInterleaver(sources: sources, output: output).run()
        return sources.flatMap(\.warnings)
    }
}
