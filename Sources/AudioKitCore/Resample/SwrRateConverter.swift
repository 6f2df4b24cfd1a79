import DubSupport
import CFFmpeg

/// Rate conversion with libswresample's defaults, as the ffmpeg command line does it.
/// Sole owner of its `SwrContext`.
final class SwrRateConverter: RateConverter {
    private var swr: OpaquePointer?
    private let channels: Int
    private let path: String

    init(from inputRate: Int, to outputRate: Int, channels: Int, path: String) throws {
        self.channels = channels
        self.path = path
        var outLayout = AVChannelLayout()
        var inLayout = AVChannelLayout()
        av_channel_layout_default(&outLayout, Int32(channels))
        av_channel_layout_default(&inLayout, Int32(channels))
        defer {
            av_channel_layout_uninit(&outLayout)
            av_channel_layout_uninit(&inLayout)
        }
        try avCheck(swr_alloc_set_opts2(&swr, &outLayout, AV_SAMPLE_FMT_FLT, Int32(outputRate),
                                        &inLayout, AV_SAMPLE_FMT_FLT, Int32(inputRate), 0, nil),
                    .resampleFailed, "cannot set up libswresample for", path: path)
        try avCheck(swr_init(swr), .resampleFailed, "cannot set up libswresample for", path: path)
    }

    deinit { swr_free(&swr) }

    func process(_ input: [Float]) throws -> [Float] {
        try run(input)
    }

    func flush() throws -> [Float] {
        var output: [Float] = []
        while true {
            let chunk = try run(nil)
            if chunk.isEmpty { break }
            output.append(contentsOf: chunk)
        }
        return output
    }

    private func run(_ input: [Float]?) throws -> [Float] {
        let frames = (input?.count ?? 0) / channels
        let capacity = Int(swr_get_out_samples(swr, Int32(frames))) + 32
        var out = [Float](repeating: 0, count: capacity * channels)
        let produced: Int32 = out.withUnsafeMutableBytes { outRaw in
            var outPlane: UnsafeMutablePointer<UInt8>? = outRaw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard let input else {
                return swr_convert(swr, &outPlane, Int32(capacity), nil, 0)
            }
            return input.withUnsafeBytes { inRaw in
                var inPlane: UnsafePointer<UInt8>? = inRaw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                return swr_convert(swr, &outPlane, Int32(capacity), &inPlane, Int32(frames))
            }
        }
        try avCheck(produced, .resampleFailed, "libswresample failed on", path: path)
        out.removeLast(out.count - Int(produced) * channels)
        return out
    }
}
