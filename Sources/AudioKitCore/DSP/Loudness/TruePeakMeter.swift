import Dispatch
import DubSupport

/// The highest inter-sample peak of interleaved audio: the signal upsampled to 192 kHz with libswresample's defaults,
/// as ffmpeg's `ebur128` filter measures it (BS.1770-4's true peak). The upsampling is the larger part of measuring
/// loudness, so it runs beside the caller: `add` hands each chunk to threads of the meter's own and returns (at most a
/// few chunks wait, so memory stays flat). With two or more channels, each half of them has a thread and an upsampler:
/// the resampler treats each channel on its own, so the peaks are those of one upsampler for all of them.
public struct TruePeakMeter {
    /// The channel groups, each with its thread and upsampler; empty at 192 kHz or more.
    private let groups: [ChannelGroup]
    /// The highest absolute value seen so far (linear), without an upsampler.
    private var peak: Float = 0

    /// The most frames given to an upsampler at once: its buffers grow to the largest input it has seen, so a big
    /// chunk would hold megabytes for the whole measurement.
    static let slice = 4096

    /// A meter for `channels` interleaved channels at `sampleRate`; at 192 kHz or more the samples are their own peaks.
    public init(sampleRate: Int, channels: Int) {
        guard sampleRate < 192_000 else {
            groups = []
            return
        }
        let split = channels / 2
        let ranges = split == 0 ? [0..<channels] : [0..<split, split..<channels]
        // Without an upsampler (libswresample refusing the rate), the true peak is the sample peak.
        groups = (try? ranges.map { try ChannelGroup($0, of: channels, sampleRate: sampleRate) }) ?? []
    }

    /// Adds interleaved samples (waits only while earlier chunks are still being upsampled).
    public mutating func add(_ samples: [Float]) {
        guard !groups.isEmpty else {
            peak = max(peak, samples.withUnsafeBufferPointer(Self.largestMagnitude))
            return
        }
        for group in groups { group.submit(samples) }
    }

    /// The true peak (linear) of everything added so far; call once, at the end: it waits for the upsampling and
    /// drains the upsamplers.
    public mutating func result() -> Double {
        Double(groups.reduce(peak) { max($0, $1.finish()) })
    }

    /// Some adjacent channels, their upsampler (planar output: each channel is scanned where it lies) and the thread
    /// that alone touches them once the meter is made.
    private final class ChannelGroup: @unchecked Sendable {
        let channels: Range<Int>
        let total: Int
        let upsampler: SwrRateConverter
        let thread: SerialThread
        /// Chunks that may wait for the thread.
        let slots = DispatchSemaphore(value: 4)
        var peak: Float = 0
        /// The group's channels of one slice, when the group is not all of them (kept between calls).
        var picked: [Float] = []

        init(_ channels: Range<Int>, of total: Int, sampleRate: Int) throws {
            self.channels = channels
            self.total = total
            upsampler = try SwrRateConverter(from: sampleRate, to: 192_000, channels: channels.count, path: "loudness", planarOutput: true)
            // Started only once nothing can throw: a group left half-made has no deinit to stop its thread.
            thread = SerialThread()
        }

        deinit { thread.shutdown() }

        func submit(_ samples: [Float]) {
            slots.wait()
            thread.submit {
                self.add(samples)
                self.slots.signal()
            }
        }

        /// The peak, once the thread has done every chunk and drained the upsampler.
        func finish() -> Float {
            let done = DispatchSemaphore(value: 0)
            thread.submit {
                self.drain()
                done.signal()
            }
            done.wait()
            return peak
        }

        /// Upsamples the group's channels of interleaved `samples`, a slice at a time.
        private func add(_ samples: [Float]) {
            let width = channels.count, first = channels.lowerBound, total = total
            var highest = peak
            samples.withUnsafeBufferPointer { all in
                var frame = 0
                let frames = all.count / total
                while frame < frames {
                    let count = min(TruePeakMeter.slice, frames - frame)
                    if width == total {
                        try? upsampler.convert(UnsafeBufferPointer(rebasing: all[(frame * total)..<((frame + count) * total)])) {
                            highest = max(highest, TruePeakMeter.largestMagnitude($0))
                        }
                    } else {
                        if picked.count < count * width { picked = [Float](repeating: 0, count: TruePeakMeter.slice * width) }
                        picked.withUnsafeMutableBufferPointer { picked in
                            let from = all.baseAddress! + frame * total + first
                            if width == 1 {
                                for f in 0..<count { picked[f] = from[f * total] }
                            } else {
                                for f in 0..<count {
                                    for c in 0..<width { picked[f * width + c] = from[f * total + c] }
                                }
                            }
                            try? upsampler.convert(UnsafeBufferPointer(rebasing: picked[0..<(count * width)])) {
                                highest = max(highest, TruePeakMeter.largestMagnitude($0))
                            }
                        }
                    }
                    frame += count
                }
            }
            peak = highest
        }

        private func drain() {
            var more = true
            while more {
                more = false
                try? upsampler.convert(nil) { plane in
                    peak = max(peak, TruePeakMeter.largestMagnitude(plane))
                    more = more || !plane.isEmpty
                }
            }
        }
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
