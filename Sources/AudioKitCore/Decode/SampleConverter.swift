import DubSupport
import CFFmpeg

/// Converts decoded frames of any sample format and channel layout to interleaved Float32 with a
/// chosen channel count, at the frame's own sample rate (libswresample, rematrix only), with down-mix levels as the
/// ffmpeg command line's (`rematrix_maxval` 1).
/// Sole owner of its `SwrContext`.
final class SampleConverter {
    private var swr: OpaquePointer?
    private var inputFormat: Int32 = -1
    private var inputRate: Int32 = 0
    private var inputLayout = AVChannelLayout()
    private var outputLayout = AVChannelLayout()
    /// Output channel count.
    let channels: Int
    private let path: String

    init(outputChannels: Int, path: String) {
        channels = outputChannels
        self.path = path
        av_channel_layout_default(&outputLayout, Int32(outputChannels))
    }

    deinit {
        swr_free(&swr)
        av_channel_layout_uninit(&inputLayout)
        av_channel_layout_uninit(&outputLayout)
    }

    /// Converts one frame, returning interleaved samples (`frame.nb_samples × channels`).
    func convert(_ frame: UnsafeMutablePointer<AVFrame>) throws -> [Float] {
        var layout = AVChannelLayout()
        defer { av_channel_layout_uninit(&layout) }
        if frame.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || frame.pointee.ch_layout.nb_channels == 0 {
            av_channel_layout_default(&layout, max(frame.pointee.ch_layout.nb_channels, 1))
        } else {
            av_channel_layout_copy(&layout, &frame.pointee.ch_layout)
        }
        try configureIfNeeded(format: frame.pointee.format, rate: frame.pointee.sample_rate, layout: &layout)
        let input = UnsafeMutableRawPointer(frame.pointee.extended_data!).assumingMemoryBound(to: UnsafePointer<UInt8>?.self)
        return try convert(input, count: Int(frame.pointee.nb_samples))
    }

    /// Converts interleaved Float32 with `sourceChannels` channels in their default layout (mono, stereo, …) at
    /// `sampleRate`: the same matrix as a decoded frame of that layout gets.
    func convert(interleaved samples: [Float], sourceChannels: Int, sampleRate: Int) throws -> [Float] {
        var layout = AVChannelLayout()
        defer { av_channel_layout_uninit(&layout) }
        av_channel_layout_default(&layout, Int32(sourceChannels))
        try configureIfNeeded(format: AV_SAMPLE_FMT_FLT.rawValue, rate: Int32(sampleRate), layout: &layout)
        return try samples.withUnsafeBytes { raw in
            var plane: UnsafePointer<UInt8>? = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return try convert(&plane, count: samples.count / sourceChannels)
        }
    }

    private func convert(_ input: UnsafeMutablePointer<UnsafePointer<UInt8>?>, count: Int) throws -> [Float] {
        guard count > 0 else { return [] }
        let capacity = Int(swr_get_out_samples(swr, Int32(count)))
        var out = [Float](repeating: 0, count: max(capacity, count) * channels)
        let produced = try out.withUnsafeMutableBytes { raw -> Int32 in
            var outPlane: UnsafeMutablePointer<UInt8>? = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let n = swr_convert(swr, &outPlane, Int32(max(capacity, count)), input, Int32(count))
            return try avCheck(n, .resampleFailed, "cannot convert audio samples of", path: path)
        }
        out.removeLast(out.count - Int(produced) * channels)
        return out
    }

    private func configureIfNeeded(format: Int32, rate: Int32, layout: inout AVChannelLayout) throws {
        if swr != nil, format == inputFormat, rate == inputRate, av_channel_layout_compare(&layout, &inputLayout) == 0 {
            return
        }
        swr_free(&swr)
        let rc = swr_alloc_set_opts2(&swr, &outputLayout, AV_SAMPLE_FMT_FLT, rate,
                                     &layout, AVSampleFormat(rawValue: format), rate, 0, nil)
        try avCheck(rc, .resampleFailed, "cannot set up sample conversion for", path: path)
        // Down-mix levels as the ffmpeg command line makes them: libswresample normalises its matrix (largest row sum
        // 1) only for integer output, and dub asks for float, so without this a stereo → mono down-mix is 3 dB too loud
        // and a 5.1 → stereo one can be twice the level and clip. With it, the levels match `ffmpeg -ac N` and never clip.
        try avCheck(av_opt_set_double(UnsafeMutableRawPointer(swr), "rematrix_maxval", 1.0, 0), .resampleFailed,
                    "cannot set up sample conversion for", path: path)
        try avCheck(swr_init(swr), .resampleFailed, "cannot set up sample conversion for", path: path)
        inputFormat = format
        inputRate = rate
        av_channel_layout_uninit(&inputLayout)
        av_channel_layout_copy(&inputLayout, &layout)
    }
}
