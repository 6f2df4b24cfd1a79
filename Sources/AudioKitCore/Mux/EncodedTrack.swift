import DubSupport
import CFFmpeg

/// One new audio track being muxed: its PCM source, its encoder and its output stream.
final class EncodedTrack: PacketSource {
    let reader: AudioReader
    let encoder: AudioEncoder
    let streamIndex: Int
    /// Offset added to every packet so the track starts where the input's timeline starts, in encoder time base units.
    let offset: Int64
    /// Frames still to produce to match the video's duration; `nil` follows the source's own length.
    private var remaining: Int?
    private var sourceDone = false

    init(_ track: MuxAudioTrack, output: OutputContainer, opus: Bool, isDefault: Bool,
         duration: Double?, originSeconds: Double) throws {
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
        reader = try AudioReader(path: track.path, options: AudioReadOptions(
            streamIndex: source.index, sampleRate: rate, channels: channels))
        remaining = duration.map { Int(($0 * Double(rate)).rounded()) }
        offset = Int64((originSeconds * Double(rate)).rounded())
        streamIndex = try output.addStream { stream in
            try Self.describe(stream, encoder: encoder, track: track, isDefault: isDefault)
        }
        self.encoder = encoder
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

    var warnings: [String] { reader.warnings }

    func next(into packet: UnsafeMutablePointer<AVPacket>, output: OutputContainer) throws -> Bool {
        guard try encoder.nextPacket(packet, feed: feed) else { return false }
        if packet.pointee.pts != avNoPTS { packet.pointee.pts += offset }
        if packet.pointee.dts != avNoPTS { packet.pointee.dts += offset }
        av_packet_rescale_ts(packet, encoder.timeBase, output.timeBase(ofStream: streamIndex))
        packet.pointee.stream_index = Int32(streamIndex)
        return true
    }

    /// Gives the encoder its next block of samples: source audio, then silence up to the video's length.
    func feed() throws {
        if remaining == 0 {
            encoder.finishInput()
            return
        }
        if !sourceDone, var chunk = try reader.next() {
            if let left = remaining, chunk.count / encoder.channels > left {
                chunk.removeLast(chunk.count - left * encoder.channels)
            }
            remaining = remaining.map { $0 - chunk.count / encoder.channels }
            try encoder.push(chunk)
            return
        }
        sourceDone = true
        guard let left = remaining else {
            encoder.finishInput()
            return
        }
        let step = min(left, encoder.sampleRate)
        try encoder.push([Float](repeating: 0, count: step * encoder.channels))
        remaining = left - step
    }
}
