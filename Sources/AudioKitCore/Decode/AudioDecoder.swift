import DubSupport
import CFFmpeg

/// Sole owner of an audio decoder (`AVCodecContext`) and its reusable frame.
final class AudioDecoder {
    private let codecContext: UnsafeMutablePointer<AVCodecContext>
    private let frame: UnsafeMutablePointer<AVFrame>
    private let path: String

    /// Opens a decoder for stream `index` of `input`.
    init(input: InputContainer, streamIndex index: Int) throws {
        path = input.path
        let (codecId, timeBase) = input.withStream(index) { ($0.pointee.codecpar.pointee.codec_id, $0.pointee.time_base) }
        guard let codec = avcodec_find_decoder(codecId) else {
            throw MediaError(.decoderUnavailable, "no decoder for codec '\(String(cString: avcodec_get_name(codecId)))' in",
                             path: input.path, hint: "this FFmpeg build cannot decode it")
        }
        guard let ctx = avcodec_alloc_context3(codec), let frame = av_frame_alloc() else {
            fatalError("out of memory allocating a decoder")
        }
        codecContext = ctx
        self.frame = frame
        _ = try input.withStream(index) { stream in
            try avCheck(avcodec_parameters_to_context(ctx, stream.pointee.codecpar), .decodeFailed,
                        "cannot configure the audio decoder for", path: path)
        }
        ctx.pointee.pkt_timebase = timeBase
        try avCheck(avcodec_open2(ctx, codec, nil), .decodeFailed, "cannot open the audio decoder for", path: path)
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
        var c: UnsafeMutablePointer<AVCodecContext>? = codecContext
        avcodec_free_context(&c)
    }

    /// Sends one packet (or `nil` to drain) and hands every frame that becomes ready to `body`.
    ///
    /// A decoder that gives its frames no time stamp: the first frame out of a packet takes the packet's time (as the
    /// ffmpeg command line does); the frames after it follow on without a gap.
    /// - Returns: `false` when the decoder rejected the packet as corrupt (the caller counts and skips it).
    @discardableResult
    func decode(_ packet: UnsafeMutablePointer<AVPacket>?, _ body: (UnsafeMutablePointer<AVFrame>) throws -> Void) throws -> Bool {
        var accepted = true
        let sent = avcodec_send_packet(codecContext, packet)
        if sent < 0 && sent != .avEOF && sent != .avAgain {
            accepted = false
        }
        var packetTime = packet.map { $0.pointee.pts } ?? avNoPTS
        while true {
            let rc = avcodec_receive_frame(codecContext, frame)
            if rc == .avAgain || rc == .avEOF { break }
            if rc < 0 {
                // A corrupt frame: report it as rejected and keep decoding later packets.
                accepted = false
                break
            }
            defer { av_frame_unref(frame) }
            if frame.pointee.best_effort_timestamp == avNoPTS { frame.pointee.best_effort_timestamp = packetTime }
            packetTime = avNoPTS
            try body(frame)
        }
        return accepted
    }

    /// Drops buffered state after a seek.
    func flush() {
        avcodec_flush_buffers(codecContext)
    }
}
