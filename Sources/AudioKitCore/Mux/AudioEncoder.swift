import DubSupport
import CFFmpeg

/// Encodes interleaved Float32 PCM into packets (AAC or Opus). Sole owner of its codec context,
/// sample FIFO, frame and packet.
final class AudioEncoder {
    let sampleRate: Int
    let channels: Int
    let codecName: String
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let fifo: OpaquePointer
    private let frame: UnsafeMutablePointer<AVFrame>
    private let frameSize: Int
    private let planar: Bool
    private let path: String
    private var samplesSent: Int64 = 0
    private var inputFinished = false
    private var drained = false
    /// What the encoder was opened with, for `twin()`.
    private let opening: @Sendable () throws -> AudioEncoder

    /// A fresh encoder opened with this one's settings (same codec, rate, layout, bit rate and header), for a stretch
    /// of the same track encoded elsewhere.
    func twin() throws -> AudioEncoder { try opening() }

    /// Samples per frame (every packet but the last holds this many).
    var samplesPerFrame: Int { frameSize }

    /// Opens the first available encoder among `candidates` for `channels` at `preferredRate`
    /// (or the nearest rate the encoder supports). `layout` names the channel layout (FFmpeg's names, e.g. "5.1") when
    /// it is not the default one for the count.
    init(candidates: [String], preferredRate: Int, channels: Int, layout: String? = nil, bitRatePerChannel: Int, globalHeader: Bool,
         path: String) throws {
        guard let codec = candidates.lazy.compactMap({ avcodec_find_encoder_by_name($0) }).first else {
            throw MediaError(.encoderUnavailable, "no \(candidates.joined(separator: "/")) encoder in this FFmpeg build for", path: path)
        }
        guard let ctx = avcodec_alloc_context3(codec), let frame = av_frame_alloc() else {
            fatalError("out of memory allocating an encoder")
        }
        context = ctx
        self.frame = frame
        self.path = path
        self.channels = channels
        opening = { try AudioEncoder(candidates: candidates, preferredRate: preferredRate, channels: channels, layout: layout,
                                     bitRatePerChannel: bitRatePerChannel, globalHeader: globalHeader, path: path) }
        codecName = String(cString: codec.pointee.name)

        let rate = Self.supportedRate(codec, preferred: preferredRate)
        guard let format = Self.floatSampleFormat(codec) else {
            var c: UnsafeMutablePointer<AVCodecContext>? = ctx
            avcodec_free_context(&c)
            var f: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&f)
            throw MediaError(.encoderUnavailable, "the \(String(cString: codec.pointee.name)) encoder takes no float samples, writing", path: path)
        }
        sampleRate = rate
        planar = av_sample_fmt_is_planar(format) != 0
        ctx.pointee.sample_rate = Int32(rate)
        ctx.pointee.sample_fmt = format
        if let layout, av_channel_layout_from_string(&ctx.pointee.ch_layout, layout) == 0, ctx.pointee.ch_layout.nb_channels == Int32(channels) {
            // Named layout set.
        } else {
            av_channel_layout_uninit(&ctx.pointee.ch_layout)
            av_channel_layout_default(&ctx.pointee.ch_layout, Int32(channels))
        }
        ctx.pointee.bit_rate = Int64(bitRatePerChannel * channels)
        ctx.pointee.time_base = AVRational(num: 1, den: Int32(rate))
        if globalHeader { ctx.pointee.flags |= dub_codec_flag_global_header() }
        let opened = avcodec_open2(ctx, codec, nil)
        if opened < 0 {
            var c: UnsafeMutablePointer<AVCodecContext>? = ctx
            avcodec_free_context(&c)
            var f: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&f)
            throw MediaError(.encodeFailed, "cannot open the \(codecName) encoder for", path: path, underlying: avErrorString(opened))
        }
        frameSize = ctx.pointee.frame_size > 0 ? Int(ctx.pointee.frame_size) : 1024
        guard let fifo = av_audio_fifo_alloc(format, Int32(channels), Int32(frameSize * 4)) else {
            fatalError("out of memory allocating an audio FIFO")
        }
        self.fifo = fifo
    }

    deinit {
        av_audio_fifo_free(fifo)
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }

    /// The encoder's time base (1 / sample rate).
    var timeBase: AVRational { context.pointee.time_base }

    /// Copies the encoder's parameters (extradata included) onto an output stream.
    func configure(_ stream: UnsafeMutablePointer<AVStream>) throws {
        try avCheck(avcodec_parameters_from_context(stream.pointee.codecpar, context), .muxFailed,
                    "cannot describe the \(codecName) track for", path: path)
        stream.pointee.time_base = context.pointee.time_base
    }

    /// Whether the FIFO holds less than a frame and more input is wanted.
    var wantsInput: Bool { !inputFinished && Int(av_audio_fifo_size(fifo)) < frameSize }

    /// Queues interleaved samples.
    func push(_ interleaved: [Float]) throws {
        let frames = interleaved.count / channels
        guard frames > 0 else { return }
        var storage = planar ? [Float](unsafeUninitializedCapacity: interleaved.count) { buf, n in
            for ch in 0..<channels {
                for i in 0..<frames { buf[ch * frames + i] = interleaved[i * channels + ch] }
            }
            n = interleaved.count
        } : interleaved
        let written = storage.withUnsafeMutableBufferPointer { buf -> Int32 in
            var planes: [UnsafeMutableRawPointer?] = planar
                ? (0..<channels).map { UnsafeMutableRawPointer(buf.baseAddress! + $0 * frames) }
                : [UnsafeMutableRawPointer(buf.baseAddress!)]
            return planes.withUnsafeMutableBufferPointer { av_audio_fifo_write(fifo, $0.baseAddress!, Int32(frames)) }
        }
        try avCheck(written, .encodeFailed, "cannot queue audio for", path: path)
    }

    /// Marks the end of input; the last partial frame is encoded and the encoder drained.
    func finishInput() { inputFinished = true }

    /// Produces the next packet into `packet`, calling `feed` whenever more samples are needed.
    /// - Returns: `false` when the encoder is fully drained.
    func nextPacket(_ packet: UnsafeMutablePointer<AVPacket>, feed: () throws -> Void) throws -> Bool {
        while true {
            let rc = avcodec_receive_packet(context, packet)
            if rc == 0 { return true }
            if rc == .avEOF { return false }
            if rc != .avAgain {
                throw MediaError(.encodeFailed, "\(codecName) encoding failed for", path: path, underlying: avErrorString(rc))
            }
            while wantsInput { try feed() }
            let available = Int(av_audio_fifo_size(fifo))
            if available >= frameSize || (inputFinished && available > 0) {
                try sendFrame(count: min(available, frameSize))
            } else if !drained {
                drained = true
                try avCheck(avcodec_send_frame(context, nil), .encodeFailed, "cannot drain the \(codecName) encoder for", path: path)
            } else {
                return false
            }
        }
    }

    private func sendFrame(count: Int) throws {
        av_frame_unref(frame)
        frame.pointee.nb_samples = Int32(count)
        frame.pointee.format = context.pointee.sample_fmt.rawValue
        frame.pointee.sample_rate = context.pointee.sample_rate
        av_channel_layout_copy(&frame.pointee.ch_layout, &context.pointee.ch_layout)
        try avCheck(av_frame_get_buffer(frame, 0), .encodeFailed, "cannot allocate an audio frame for", path: path)
        let read = UnsafeMutableRawPointer(frame.pointee.extended_data!)
            .withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: channels) { av_audio_fifo_read(fifo, $0, Int32(count)) }
        try avCheck(read, .encodeFailed, "cannot take audio from the queue for", path: path)
        frame.pointee.pts = samplesSent
        samplesSent += Int64(count)
        try avCheck(avcodec_send_frame(context, frame), .encodeFailed, "\(codecName) encoding failed for", path: path)
    }

    private static func supportedRate(_ codec: UnsafePointer<AVCodec>, preferred: Int) -> Int {
        guard let list = codec.pointee.supported_samplerates else { return preferred }
        var rates: [Int] = []
        var i = 0
        while list[i] != 0 { rates.append(Int(list[i])); i += 1 }
        if rates.contains(preferred) { return preferred }
        return rates.contains(48000) ? 48000 : rates.min { abs($0 - preferred) < abs($1 - preferred) } ?? preferred
    }

    private static func floatSampleFormat(_ codec: UnsafePointer<AVCodec>) -> AVSampleFormat? {
        guard let list = codec.pointee.sample_fmts else { return AV_SAMPLE_FMT_FLTP }
        var formats: [AVSampleFormat] = []
        var i = 0
        while list[i] != AV_SAMPLE_FMT_NONE { formats.append(list[i]); i += 1 }
        return [AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_FLT].first { formats.contains($0) }
    }
}
