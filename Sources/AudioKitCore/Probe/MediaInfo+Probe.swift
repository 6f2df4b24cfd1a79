import DubSupport
import CFFmpeg

extension MediaInfo {
    /// Reads the container and stream information of the file at `path`.
    ///
    /// - Throws: `MediaError` when the path is missing, not a regular file, empty, or not media.
    public static func probe(path: String) throws -> MediaInfo {
        let input = try InputContainer(path: path)
        return input.withContext { ctx in
            let f = ctx.pointee
            let streams = (0..<Int(f.nb_streams)).map { StreamInfo(f.streams[$0]!) }
            let timeBase = Double(dub_av_time_base())
            return MediaInfo(
                format: f.iformat.map { String(cString: $0.pointee.name) } ?? "unknown",
                formatLongName: f.iformat.flatMap { $0.pointee.long_name.map { String(cString: $0) } } ?? "",
                duration: input.containerDuration,
                bitRate: f.bit_rate > 0 ? Int(f.bit_rate) : nil,
                startTime: f.start_time == avNoPTS ? nil : Double(f.start_time) / timeBase,
                streams: streams
            )
        }
    }
}

extension StreamInfo {
    init(_ stream: UnsafeMutablePointer<AVStream>) {
        let s = stream.pointee
        let par = s.codecpar.pointee
        let tb = s.time_base.doubleValue
        index = Int(s.index)
        switch par.codec_type {
        case AVMEDIA_TYPE_AUDIO: type = .audio
        case AVMEDIA_TYPE_VIDEO: type = .video
        case AVMEDIA_TYPE_SUBTITLE: type = .subtitle
        case AVMEDIA_TYPE_DATA: type = .data
        case AVMEDIA_TYPE_ATTACHMENT: type = .attachment
        default: type = .unknown
        }
        codec = String(cString: avcodec_get_name(par.codec_id))
        language = Self.tag("language", in: s.metadata)
        title = Self.tag("title", in: s.metadata)
        isDefault = (s.disposition & AV_DISPOSITION_DEFAULT) != 0
        duration = s.duration == avNoPTS || s.duration <= 0 ? nil : Double(s.duration) * tb
        startTime = s.start_time == avNoPTS ? nil : Double(s.start_time) * tb
        bitRate = par.bit_rate > 0 ? Int(par.bit_rate) : nil
        if type == .audio {
            sampleRate = Int(par.sample_rate)
            channels = Int(par.ch_layout.nb_channels)
            channelLayout = Self.describe(layout: &s.codecpar.pointee.ch_layout)
            if let name = av_get_sample_fmt_name(AVSampleFormat(rawValue: par.format)) {
                sampleFormat = String(cString: name)
            }
        }
        if type == .video {
            width = Int(par.width)
            height = Int(par.height)
            let rate = s.avg_frame_rate.den != 0 ? s.avg_frame_rate : s.r_frame_rate
            frameRate = rate.den == 0 || rate.num == 0 ? nil : rate.doubleValue
            if (s.disposition & AV_DISPOSITION_ATTACHED_PIC) != 0 { coverArt = true }
        }
    }

    private static func tag(_ key: String, in dict: OpaquePointer?) -> String? {
        guard let entry = av_dict_get(dict, key, nil, 0), let value = entry.pointee.value else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    private static func describe(layout: UnsafePointer<AVChannelLayout>) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        guard dub_channel_layout_describe(layout, &buffer, buffer.count) > 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
