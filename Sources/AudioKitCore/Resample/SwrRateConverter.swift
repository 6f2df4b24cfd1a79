import DubSupport
import CFFmpeg

/// Rate conversion with libswresample's defaults, as the ffmpeg command line does it.
/// Sole owner of its `SwrContext`.
final class SwrRateConverter: RateConverter {
    private var swr: OpaquePointer?
    private let channels: Int
    private let path: String
    /// Whether the output is one plane per channel (`convert` only; `process` and `flush` need interleaved output).
    private let planarOutput: Bool

    /// A converter of interleaved float samples; with `planarOutput`, `convert` hands out each channel on its own (no
    /// interleaving of an output that a meter only scans).
    init(from inputRate: Int, to outputRate: Int, channels: Int, path: String, planarOutput: Bool = false) throws {
        self.channels = channels
        self.path = path
        self.planarOutput = planarOutput
        var outLayout = AVChannelLayout()
        var inLayout = AVChannelLayout()
        av_channel_layout_default(&outLayout, Int32(channels))
        av_channel_layout_default(&inLayout, Int32(channels))
        defer {
            av_channel_layout_uninit(&outLayout)
            av_channel_layout_uninit(&inLayout)
        }
        try avCheck(swr_alloc_set_opts2(&swr, &outLayout, planarOutput ? AV_SAMPLE_FMT_FLTP : AV_SAMPLE_FMT_FLT, Int32(outputRate),
                                        &inLayout, AV_SAMPLE_FMT_FLT, Int32(inputRate), 0, nil),
                    .resampleFailed, "cannot set up libswresample for", path: path)
        try avCheck(swr_init(swr), .resampleFailed, "cannot set up libswresample for", path: path)
    }

    deinit { swr_free(&swr) }

    func process(_ input: [Float]) throws -> [Float] {
        precondition(!planarOutput, "process gives interleaved output")
        var output: [Float] = []
        try input.withUnsafeBufferPointer { samples in try convert(samples) { output = Array($0) } }
        return output
    }

    func flush() throws -> [Float] {
        precondition(!planarOutput, "flush gives interleaved output")
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
    /// `body`, which must not keep it: the interleaved samples, or with planar output each channel's in turn (empty
    /// once drained). For a caller that only looks at the output (a true-peak meter): no array per call.
    func convert(_ input: UnsafeBufferPointer<Float>?, _ body: (UnsafeBufferPointer<Float>) -> Void) throws {
        let frames = (input?.count ?? 0) / channels
        let capacity = Int(swr_get_out_samples(swr, Int32(frames))) + 32
        if scratch.count < capacity * channels { scratch = [Float](repeating: 0, count: capacity * channels) }
        let (planes, stride) = planarOutput ? (channels, scratch.count / channels) : (1, 0)
        let produced: Int32 = scratch.withUnsafeMutableBufferPointer { out in
            // Planar: channel c's plane starts c × stride samples in.
            var outPlanes = (0..<planes).map { UnsafeMutableRawPointer(out.baseAddress! + $0 * stride).assumingMemoryBound(to: UInt8.self) as UnsafeMutablePointer<UInt8>? }
            return outPlanes.withUnsafeMutableBufferPointer { outPlanes in
                guard let input else { return swr_convert(swr, outPlanes.baseAddress, Int32(capacity), nil, 0) }
                var inPlane: UnsafePointer<UInt8>? = input.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) }
                return swr_convert(swr, outPlanes.baseAddress, Int32(capacity), &inPlane, Int32(frames))
            }
        }
        try avCheck(produced, .resampleFailed, "libswresample failed on", path: path)
        scratch.withUnsafeBufferPointer { all in
            if planarOutput {
                for c in 0..<channels { body(UnsafeBufferPointer(rebasing: all[(c * stride)..<(c * stride + Int(produced))])) }
            } else {
                body(UnsafeBufferPointer(rebasing: all[0..<(Int(produced) * channels)]))
            }
        }
    }
}
