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
        var output: [Float] = []
        try input.withUnsafeBufferPointer { samples in try convert(samples) { output = Array($0) } }
        return output
    }

    func flush() throws -> [Float] {
        var output: [Float] = []
        var more = true
        while more {
            try convert(nil) { chunk in
                output.append(contentsOf: chunk)
                more = !chunk.isEmpty
            }
        }
        return output
    }

    /// Scratch output, grown to the largest conversion so far.
    private var scratch: [Float] = []

    /// Converts `input` (nil: drains what is still buffered) into a buffer kept between calls and hands the result to
    /// `body`, which must not keep it: for a caller that only looks at the output (a true-peak meter), no array per call.
    func convert(_ input: UnsafeBufferPointer<Float>?, _ body: (UnsafeBufferPointer<Float>) -> Void) throws {
        let frames = (input?.count ?? 0) / channels
        let capacity = Int(swr_get_out_samples(swr, Int32(frames))) + 32
        if scratch.count < capacity * channels { scratch = [Float](repeating: 0, count: capacity * channels) }
        let produced: Int32 = scratch.withUnsafeMutableBytes { outRaw in
            var outPlane: UnsafeMutablePointer<UInt8>? = outRaw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard let input else { return swr_convert(swr, &outPlane, Int32(capacity), nil, 0) }
            var inPlane: UnsafePointer<UInt8>? = input.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) }
            return swr_convert(swr, &outPlane, Int32(capacity), &inPlane, Int32(frames))
        }
        try avCheck(produced, .resampleFailed, "libswresample failed on", path: path)
        scratch.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[0..<(Int(produced) * channels)])) }
    }
}
