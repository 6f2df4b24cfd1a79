import DubSupport
import CFFmpeg

/// Sole owner of a muxer (`AVFormatContext` for output) and its file.
final class OutputContainer {
    let path: String
    private var context: UnsafeMutablePointer<AVFormatContext>
    private var opened = false
    private var headerWritten = false

    /// Prepares a container whose format is guessed from `formatHint`'s extension, writing to `path`.
    init(path: String, formatHint: String) throws {
        guard let format = av_guess_format(nil, formatHint, nil) else {
            throw MediaError(.invalidArgument, "cannot tell the container from the output name", path: formatHint,
                             hint: "use .mp4, .mov, .mkv or .webm")
        }
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        let rc = avformat_alloc_output_context2(&ctx, format, nil, path)
        guard rc >= 0, let ctx else {
            throw MediaError(.muxFailed, "cannot set up the output container for", path: formatHint, underlying: avErrorString(rc))
        }
        context = ctx
        self.path = path
    }

    deinit {
        if opened { avio_closep(&context.pointee.pb) }
        avformat_free_context(context)
    }

    /// The muxer's short name (`mp4`, `matroska`, `webm`, `mov`).
    var formatName: String { String(cString: context.pointee.oformat.pointee.name) }

    /// Whether the format wants codec headers out of band.
    var wantsGlobalHeader: Bool { (context.pointee.oformat.pointee.flags & dub_fmt_globalheader()) != 0 }

    /// Whether the format can store `codec`.
    func supports(_ codec: AVCodecID) -> Bool {
        avformat_query_codec(context.pointee.oformat, codec, FF_COMPLIANCE_NORMAL) == 1
    }

    /// Adds a stream and lets `body` configure it; returns its index.
    func addStream(_ body: (UnsafeMutablePointer<AVStream>) throws -> Void) throws -> Int {
        guard let stream = avformat_new_stream(context, nil) else { fatalError("out of memory adding a stream") }
        try body(stream)
        return Int(stream.pointee.index)
    }

    /// Time base of output stream `index` (final once the header is written).
    func timeBase(ofStream index: Int) -> AVRational { context.pointee.streams[index]!.pointee.time_base }

    /// Opens the file and writes the container header.
    func writeHeader() throws {
        if (context.pointee.oformat.pointee.flags & dub_fmt_nofile()) == 0 {
            try avCheck(avio_open(&context.pointee.pb, path, dub_avio_flag_write()), .writeFailed, "cannot create", path: path)
            opened = true
        }
        try avCheck(avformat_write_header(context, nil), .muxFailed, "cannot write the container header of", path: path)
        headerWritten = true
    }

    /// Writes one packet (taking its reference) in interleaved order.
    func write(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        try avCheck(av_interleaved_write_frame(context, packet), .muxFailed, "cannot write a packet to", path: path)
    }

    /// Finishes the file.
    func writeTrailer() throws {
        guard headerWritten else { return }
        try avCheck(av_write_trailer(context), .muxFailed, "cannot finish", path: path)
        if opened { avio_closep(&context.pointee.pb); opened = false }
    }
}
