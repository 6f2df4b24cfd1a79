import DubSupport
import CFFmpeg

/// One new audio track being muxed: its PCM source, its encoder and its output stream. A long AAC track from a PCM
/// file (the pipeline's mix) is cut into as many stretches as there are cores: this track encodes the first as the
/// muxer asks for packets, and `EncoderLane`s encode the others at the same time.
final class EncodedTrack: PacketSource {
    let encoder: AudioEncoder
    let streamIndex: Int
    /// Offset added to every packet so the track starts where the input's timeline starts, in encoder time base units.
    let offset: Int64
    /// The first stretch's samples.
    private let feed: TrackFeed
    /// The later stretches, encoded meanwhile (empty: this encoder does the whole track).
    private let lanes: [EncoderLane]
    /// The stretch being written: 0 is this track's own encoder, n is `lanes[n - 1]`.
    private var stretch = 0

    /// Stretches are this long at least, so the lanes' warm-up stays a small share of their work.
    static let minimumStretchSeconds = 60.0

    init(_ track: MuxAudioTrack, output: OutputContainer, opus: Bool, isDefault: Bool,
         duration: Double?, originSeconds: Double, threads: Int) throws {
        let info = try MediaInfo.probe(path: track.path)
        guard let source = info.audioStreams.first else {
            throw MediaError(.noAudioStream, "no audio stream in", path: track.path)
        }
        if opus, let codec = track.codec, codec != .aac {
            throw MediaError(.unsupported, "\(output.formatName) holds Opus audio only, not \(codec.rawValue.uppercased()):", path: output.path,
                             hint: "write .mkv, .mp4 or .mov for AC-3 or E-AC-3")
        }
        let codec = track.codec ?? .aac
        let dolby = !opus && codec != .aac
        var channels = min(track.channels ?? source.channels ?? 2, codec.maxChannels)
        // Surround Opus is libopus's multistream (mapping family 1), which takes the Vorbis layouts only: 5.0 to 7.1
        // are the same channels in the same order as FFmpeg's defaults, named as Vorbis names them (5.1 with back
        // rather than side surrounds). Three or four channels (FFmpeg's 2.1 and 4.0 have no Vorbis twin), or an FFmpeg
        // without libopus, give a stereo down-mix.
        if opus, channels > 2, channels < 5 || avcodec_find_encoder_by_name("libopus") == nil { channels = 2 }
        let encoder = try AudioEncoder(candidates: opus ? (channels > 2 ? ["libopus"] : ["libopus", "opus"]) : [codec.rawValue],
                                       preferredRate: opus ? 48000 : (source.sampleRate ?? 48000),
                                       channels: channels, layout: opus ? Self.vorbisLayouts[channels] : nil, bitRatePerChannel: opus ? 48000 : dolby ? 96000 : 64000,
                                       globalHeader: output.wantsGlobalHeader, path: output.path)
        let rate = encoder.sampleRate
        let samples = TrackSource(path: track.path, streamIndex: source.index, rate: rate, channels: channels,
                                  length: duration.map { Int(($0 * Double(rate)).rounded()) })
        // Stretches for AAC from PCM at the encoder's own rate (so each stretch starts on an exact source sample), cut
        // over the source's own audio: every stretch starts inside it, and the last one goes on into the silence that pads
        // the track to the video's length.
        let exact = (source.codec.hasPrefix("pcm_") || source.codec == "flac") && source.sampleRate == rate
        let span = source.duration.map { Int($0 * Double(rate)) }.map { min($0, samples.length ?? $0) }
        let bounds = encoder.codecName == "aac" && exact ? Self.stretches(span, frame: encoder.samplesPerFrame, rate: rate, threads: threads) : [0]
        feed = try TrackFeed(samples, to: bounds.count > 1 ? min(samples.length ?? .max, bounds[1] + EncoderLane.lookaheadFrames * encoder.samplesPerFrame)
                                                         : samples.length)
        lanes = try bounds.indices.dropFirst().map { k in
            try EncoderLane(encoder: encoder, source: samples, first: bounds[k], end: k + 1 < bounds.count ? bounds[k + 1] : nil,
                            spoolBeside: output.path)
        }
        offset = Int64((originSeconds * Double(rate)).rounded())
        streamIndex = try output.addStream { stream in
            try Self.describe(stream, encoder: encoder, track: track, isDefault: isDefault)
        }
        self.encoder = encoder
    }

    /// Where each stretch of a track `length` frames long starts (frame multiples): one per thread (8 at most), each at
    /// least `minimumStretchSeconds`; just `[0]` for a short track or one of unknown length.
    static func stretches(_ length: Int?, frame: Int, rate: Int, threads: Int) -> [Int] {
        guard let length else { return [0] }
        let count = max(1, min(threads, 8, Int(Double(length) / (minimumStretchSeconds * Double(rate)))))
        return (0..<count).map { k in length * k / count / frame * frame }
    }

    /// The layout libopus's multistream encoder takes for five to eight channels.
    static let vorbisLayouts = [5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"]

    private static func describe(_ stream: UnsafeMutablePointer<AVStream>, encoder: AudioEncoder, track: MuxAudioTrack,
                                 isDefault: Bool) throws {
        try encoder.configure(stream)
        if let language = track.language { av_dict_set(&stream.pointee.metadata, "language", language.alpha3, 0) }
        if let title = track.title { av_dict_set(&stream.pointee.metadata, "title", title, 0) }
        stream.pointee.disposition = isDefault ? dub_disposition_default() : 0
    }

    /// Dropped before the end (the mux failed): every lane is told to stop before each is waited for.
    deinit { lanes.forEach { $0.stop() } }

    var warnings: [String] { feed.warnings + lanes.flatMap(\.warnings) }

    func next(into packet: UnsafeMutablePointer<AVPacket>, output: OutputContainer) throws -> Bool {
        while true {
            if stretch == 0 {
                let feed = feed, encoder = encoder
                if try encoder.nextPacket(packet, feed: { try feed.feed(encoder) }) {
                    // Past the first stretch (the encoder was fed a little beyond it): the next lane takes over.
                    guard let next = lanes.first, packet.pointee.pts >= Int64(next.first) else { break }
                    av_packet_unref(packet)
                }
                stretch = 1
            } else {
                guard stretch <= lanes.count else { return false }
                if try lanes[stretch - 1].next(into: packet) { break }
                stretch += 1
            }
        }
        if packet.pointee.pts != avNoPTS { packet.pointee.pts += offset }
        if packet.pointee.dts != avNoPTS { packet.pointee.dts += offset }
        av_packet_rescale_ts(packet, encoder.timeBase, output.timeBase(ofStream: streamIndex))
        packet.pointee.stream_index = Int32(streamIndex)
        return true
    }
}
