import DubSupport
import CFFmpeg

/// A subtitle file (SRT or WebVTT) converted to the container's text subtitle codec and muxed as a
/// soft track. Sole owner of its demuxer, decoder, encoder and buffers.
final class SubtitleTrack: PacketSource {
    private let input: InputContainer
    private let inputStream: Int
    private let decoder: CodecContext
    private let encoder: CodecContext
    private let streamIndex: Int
    private let offset: Int64
    private let path: String
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private(set) var warnings: [String] = []

    private static let microseconds = AVRational(num: 1, den: dub_av_time_base())
    private static let milliseconds = AVRational(num: 1, den: 1000)

    init(_ track: MuxSubtitleTrack, output: OutputContainer, isDefault: Bool, originSeconds: Double) throws {
        let source = try InputContainer(path: track.path)
        guard let index = (0..<source.streamCount).first(where: { i in
            source.withStream(i) { $0.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_SUBTITLE }
        }) else {
            throw MediaError(.notMedia, "no subtitles in", path: track.path, hint: "give an .srt or .vtt file")
        }
        inputStream = index
        let (codecId, timeBase) = source.withStream(index) { ($0.pointee.codecpar.pointee.codec_id, $0.pointee.time_base) }
        let encoderName: String
        switch output.formatName {
        case "mp4", "mov": encoderName = "mov_text"
        case "webm": encoderName = "webvtt"
        default: encoderName = "subrip"
        }
        guard let decodeCodec = avcodec_find_decoder(codecId), let encodeCodec = avcodec_find_encoder_by_name(encoderName),
              let decoderContext = CodecContext(decodeCodec), let encoderContext = CodecContext(encodeCodec) else {
            throw MediaError(.unsupported, "cannot convert these subtitles to \(encoderName) for", path: track.path)
        }
        let dec = decoderContext.pointer, enc = encoderContext.pointer
        _ = try source.withStream(index) { stream in
            try avCheck(avcodec_parameters_to_context(dec, stream.pointee.codecpar), .decodeFailed, "cannot read subtitles", path: track.path)
        }
        dec.pointee.pkt_timebase = timeBase
        try avCheck(avcodec_open2(dec, decodeCodec, nil), .decodeFailed, "cannot read subtitles", path: track.path)
        enc.pointee.time_base = Self.microseconds
        if let header = dec.pointee.subtitle_header, dec.pointee.subtitle_header_size > 0 {
            let size = Int(dec.pointee.subtitle_header_size)
            let copy = av_mallocz(size + 1)!.assumingMemoryBound(to: UInt8.self)
            copy.update(from: header, count: size)
            enc.pointee.subtitle_header = copy
            enc.pointee.subtitle_header_size = Int32(size)
        }
        if output.wantsGlobalHeader { enc.pointee.flags |= dub_codec_flag_global_header() }
        try avCheck(avcodec_open2(enc, encodeCodec, nil), .encodeFailed, "cannot encode \(encoderName) subtitles from", path: track.path)
        let outIndex = try output.addStream { stream in
            try avCheck(avcodec_parameters_from_context(stream.pointee.codecpar, enc), .muxFailed,
                        "cannot describe the subtitle track from", path: track.path)
            stream.pointee.time_base = Self.milliseconds
            if let language = track.language { av_dict_set(&stream.pointee.metadata, "language", language.alpha3, 0) }
            if let title = track.title { av_dict_set(&stream.pointee.metadata, "title", title, 0) }
            stream.pointee.disposition = isDefault ? dub_disposition_default() : 0
        }
        input = source
        path = track.path
        decoder = decoderContext
        encoder = encoderContext
        streamIndex = outIndex
        offset = Int64((originSeconds * Double(dub_av_time_base())).rounded())
    }

    func next(into packet: UnsafeMutablePointer<AVPacket>, output: OutputContainer) throws -> Bool {
        while true {
            let rc = input.read(into: packet)
            if rc < 0 {
                if rc != .avEOF { warnings.append("subtitles '\(path)' ended early: \(avErrorString(rc))") }
                return false
            }
            guard Int(packet.pointee.stream_index) == inputStream else {
                av_packet_unref(packet)
                continue
            }
            var subtitle = AVSubtitle()
            var got: Int32 = 0
            let decoded = avcodec_decode_subtitle2(decoder.pointer, &subtitle, &got, packet)
            av_packet_unref(packet)
            guard decoded >= 0, got != 0 else {
                warnings.append("skipped an unreadable cue in '\(path)'")
                continue
            }
            defer { avsubtitle_free(&subtitle) }
            subtitle.pts += av_rescale_q(Int64(subtitle.start_display_time), Self.milliseconds, Self.microseconds) + offset
            subtitle.end_display_time -= subtitle.start_display_time
            subtitle.start_display_time = 0
            let size = avcodec_encode_subtitle(encoder.pointer, &buffer, Int32(buffer.count), &subtitle)
            try avCheck(size, .encodeFailed, "cannot convert a subtitle cue from", path: path)
            let tb = output.timeBase(ofStream: streamIndex)
            let pts = av_rescale_q(subtitle.pts, Self.microseconds, tb)
            let duration = av_rescale_q(Int64(subtitle.end_display_time), Self.milliseconds, tb)
            try avCheck(av_new_packet(packet, size), .encodeFailed, "out of memory converting subtitles from", path: path)
            buffer.withUnsafeBytes { packet.pointee.data.update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: Int(size)) }
            packet.pointee.pts = pts
            packet.pointee.dts = pts
            packet.pointee.duration = duration
            packet.pointee.stream_index = Int32(streamIndex)
            return true
        }
    }
}
