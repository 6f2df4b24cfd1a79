/// The highest inter-sample peak of interleaved audio: the signal upsampled to 192 kHz with libswresample's defaults,
/// as ffmpeg's `ebur128` filter measures it (BS.1770-4's true peak). Its own type so that it can run on another thread
/// than the loudness itself (the upsampling is the larger part of the work).
public struct TruePeakMeter {
    private let channels: Int
    private let upsampler: SwrRateConverter?
    /// The highest absolute value seen so far (linear).
    private var peak: Float = 0

    /// The most frames given to the upsampler at once: its buffers grow to the largest input it has seen, so a big
    /// chunk would hold megabytes for the whole measurement.
    static let slice = 4096

    /// A meter for `channels` interleaved channels at `sampleRate`; at 192 kHz or more the samples are their own peaks.
    public init(sampleRate: Int, channels: Int) {
        self.channels = channels
        upsampler = sampleRate < 192_000
            ? try? SwrRateConverter(from: sampleRate, to: 192_000, channels: channels, path: "loudness")
            : nil
    }

    /// Adds interleaved samples.
    public mutating func add(_ samples: [Float]) {
        guard let upsampler else {
            peak = max(peak, samples.withUnsafeBufferPointer(Self.largestMagnitude))
            return
        }
        let slice = Self.slice * channels
        var highest = peak
        samples.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let end = min(all.count, start + slice)
                try? upsampler.convert(UnsafeBufferPointer(rebasing: all[start..<end])) { highest = max(highest, Self.largestMagnitude($0)) }
                start = end
            }
        }
        peak = highest
    }

    /// The true peak (linear) of everything added so far; call once, at the end: it drains the upsampler.
    public mutating func result() -> Double {
        if let upsampler, let tail = try? upsampler.flush() { peak = max(peak, tail.withUnsafeBufferPointer(Self.largestMagnitude)) }
        return Double(peak)
    }

    /// The largest absolute value in `buffer`, sixteen lanes at a time (the upsampled signal is four times the input).
    static func largestMagnitude(_ buffer: UnsafeBufferPointer<Float>) -> Float {
        guard let base = buffer.baseAddress else { return 0 }
        var high = SIMD16<Float>(repeating: 0), low = SIMD16<Float>(repeating: 0)
        var i = 0
        let raw = UnsafeRawPointer(base)
        while i + 16 <= buffer.count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            // Compare and select: the standard library's pointwiseMax follows IEEE maximum's NaN rules lane by lane
            // and is twenty times slower.
            high = high.replacing(with: v, where: v .> high)
            low = low.replacing(with: v, where: v .< low)
            i += 16
        }
        var largest = max(high.max(), -low.min())
        while i < buffer.count {
            largest = max(largest, abs(buffer[i]))
            i += 1
        }
        return largest
    }
}
