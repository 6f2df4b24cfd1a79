import DubSupport
import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// Sole owner of a demuxer (`AVFormatContext`) opened on a file.
final class InputContainer {
    let path: String
    private var context: UnsafeMutablePointer<AVFormatContext>
    /// Advice to the page cache behind the reading of a WAV file (a work file read through once), from its start (the
    /// stream information was read from there), or from where a seek put the reading. Nil for other media: their
    /// demuxers skip over the streams they discard.
    private let dropBehind: DropBehind?

    /// Opens `path` and reads its stream information.
    init(path: String) throws {
        try FileCheck.requireReadableFile(path)
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        let format = Self.knownFormat(path)
        // The WAV demuxer's packets are 4 KiB by default (512 frames of float stereo): a 60-minute work file was
        // 340,000 packets, each a frame to allocate, convert and free in every reader. 64 KiB ones carry the same samples
        // (larger ones cost more memory than time: each reader holds a packet, its frame and their conversions).
        var options: OpaquePointer?
        if format != nil { av_dict_set(&options, "max_size", "65536", 0) }
        defer { av_dict_free(&options) }
        let rc = avformat_open_input(&ctx, path, format, &options)
        guard rc >= 0, let opened = ctx else {
            throw MediaError(.notMedia, "cannot open as media:", path: path, underlying: avErrorString(rc),
                             hint: "is it a video or audio file?")
        }
        let info = Self.findStreamInfo(opened)
        if info < 0 {
            avformat_close_input(&ctx)
            throw MediaError(.notMedia, "cannot read stream information of", path: path, underlying: avErrorString(info),
                             hint: "the file may be corrupt or truncated")
        }
        context = opened
        self.path = path
        dropBehind = format != nil ? DropBehind(path: path) : nil
    }

    /// The WAV demuxer for a file that starts as a RIFF/RF64 WAVE file: it is what probing would pick, without running
    /// every demuxer's probe over the first kilobytes (the MP3 probe scans them all; a mix opens a WAV per line).
    /// Nil (probe) for anything else.
    private static func knownFormat(_ path: String) -> UnsafePointer<AVInputFormat>? {
        isWave(path) ? av_find_input_format("wav") : nil
    }

    /// Whether the file starts as a RIFF, RF64 or BW64 WAVE file.
    static func isWave(_ path: String) -> Bool {
        guard let file = fopen(path, "rb") else { return false }
        defer { fclose(file) }
        var header = [UInt8](repeating: 0, count: 12)
        return fread(&header, 1, 12, file) == 12 && header[8..<12].elementsEqual("WAVE".utf8)
            && [Array("RIFF".utf8), Array("RF64".utf8), Array("BW64".utf8)].contains(Array(header[0..<4]))
    }

    /// Reads stream parameters with single-threaded decoders: video streams are probed, never decoded
    /// afterwards, so frame threads would only cost memory.
    private static func findStreamInfo(_ ctx: UnsafeMutablePointer<AVFormatContext>) -> Int32 {
        let count = Int(ctx.pointee.nb_streams)
        var options = [OpaquePointer?](repeating: nil, count: count)
        for i in 0..<count { av_dict_set(&options[i], "threads", "1", 0) }
        defer { for i in 0..<count { av_dict_free(&options[i]) } }
        return options.withUnsafeMutableBufferPointer { avformat_find_stream_info(ctx, $0.baseAddress) }
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&ctx)
    }

    /// Reads the next packet into `packet` (`av_read_frame`'s result), letting the page cache drop what is behind it.
    func read(into packet: UnsafeMutablePointer<AVPacket>) -> Int32 {
        let rc = av_read_frame(context, packet)
        if let dropBehind, let io = context.pointee.pb { dropBehind.advance(to: Int(io.pointee.pos)) }
        return rc
    }

    /// Seeks `stream` to `timestamp` (its time base) or the nearest point before it (`avformat_seek_file`'s result).
    func seek(stream: Int, to timestamp: Int64) -> Int32 {
        dropBehind?.restart()
        return avformat_seek_file(context, Int32(stream), Int64.min, timestamp, timestamp, 0)
    }

    /// Runs `body` with the demuxer; the pointer must not escape.
    func withContext<R>(_ body: (UnsafeMutablePointer<AVFormatContext>) throws -> R) rethrows -> R {
        try body(context)
    }

    /// Number of streams in the container.
    var streamCount: Int { Int(context.pointee.nb_streams) }

    /// Runs `body` with stream `index`; the pointer must not escape.
    func withStream<R>(_ index: Int, _ body: (UnsafeMutablePointer<AVStream>) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < streamCount, "stream index out of range")
        return try body(context.pointee.streams[index]!)
    }

    /// The index of the best audio stream, or of `requested` after checking it is audio.
    func audioStreamIndex(requested: Int?) throws -> Int {
        if let requested {
            guard requested >= 0, requested < streamCount else {
                throw MediaError(.streamNotFound, "stream \(requested) does not exist in", path: path,
                                 hint: "it has \(streamCount) streams; see 'dubctl probe'")
            }
            let isAudio = withStream(requested) { $0.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_AUDIO }
            guard isAudio else {
                throw MediaError(.streamNotFound, "stream \(requested) is not an audio stream in", path: path,
                                 hint: "see 'dubctl probe' for the audio streams")
            }
            return requested
        }
        let best = av_find_best_stream(context, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0)
        guard best >= 0 else {
            throw MediaError(.noAudioStream, "no audio stream in", path: path)
        }
        return Int(best)
    }

    /// The first real video stream (not cover art), if any.
    var primaryVideoStreamIndex: Int? {
        for i in 0..<streamCount {
            let isVideo = withStream(i) {
                $0.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO
                    && ($0.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC) == 0
            }
            if isVideo { return i }
        }
        return nil
    }

    /// Where the media timeline starts, in seconds, as the ffmpeg command line sets it: the container's start time (the
    /// earliest start of its streams), if known. Audio read from the file and tracks muxed into a copy of it count
    /// from here, so every stream keeps its offset from the others.
    var timelineStart: Double? {
        let t = context.pointee.start_time
        return t == avNoPTS ? nil : Double(t) / Double(dub_av_time_base())
    }

    /// Start time of stream `index` in seconds, if known.
    func startTime(ofStream index: Int) -> Double? {
        withStream(index) { s in
            s.pointee.start_time == avNoPTS ? nil : Double(s.pointee.start_time) * s.pointee.time_base.doubleValue
        }
    }

    /// Duration of stream `index` in seconds, falling back to the container's duration.
    func duration(ofStream index: Int) -> Double? {
        let own: Double? = withStream(index) { s in
            s.pointee.duration == avNoPTS || s.pointee.duration <= 0
                ? nil : Double(s.pointee.duration) * s.pointee.time_base.doubleValue
        }
        return own ?? containerDuration
    }

    /// Duration of the whole container in seconds, if known.
    var containerDuration: Double? {
        let d = context.pointee.duration
        return d == avNoPTS || d <= 0 ? nil : Double(d) / Double(dub_av_time_base())
    }
}
