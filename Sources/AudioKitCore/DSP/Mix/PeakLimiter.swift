import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// Applies a gain and a look-ahead peak limiter to a float WAV, writing the final file; if the result's
/// true peak still exceeds the ceiling (inter-sample peaks), runs again with the ceiling lowered by the excess.
/// Mono and stereo are limited linked (one gain, so the stereo image holds); surround channel by channel, so a loud
/// centre never lowers the others.
enum PeakLimiter {
    static func finish(raw: String, output: String, gain: Double, ceiling: Double, sampleRate: Int, channels: Int) throws
        -> LoudnessMeter.Result {
        var sampleCeiling = ceiling - 0.3
        var result = LoudnessMeter.Result(integrated: -70, range: 0, samplePeak: -.infinity, truePeak: -.infinity)
        for _ in 0..<4 {
            result = try pass(raw: raw, output: output, gain: gain, ceiling: sampleCeiling, sampleRate: sampleRate, channels: channels)
            if result.truePeak <= ceiling { break }
            sampleCeiling -= result.truePeak - ceiling + 0.05
        }
        return result
    }

    private static func pass(raw: String, output: String, gain: Double, ceiling: Double, sampleRate: Int, channels: Int) throws
        -> LoudnessMeter.Result {
        let reader = try SoundFileReader(path: raw)
        let format = try SoundFileFormat(path: output, encoding: output.lowercased().hasSuffix(".wav") ? .float32 : .int24)
        var limiter = LookAheadLimiter(ceiling: Float(pow(10, ceiling / 20)), sampleRate: sampleRate, channels: channels, linked: channels <= 2)
        // Measured on the writing thread, beside the limiter.
        let meter = MeterBox(LoudnessMeter(sampleRate: sampleRate, channels: channels))
        let linear = Float(pow(10, gain / 20))
        try AtomicFile.write(to: output) { temp in
            let writer = try BackgroundSoundWriter(path: temp, format: format, sampleRate: sampleRate, channels: channels,
                                                   observer: { meter.meter.add($0) })
            while true {
                var chunk = try reader.read()
                if chunk.isEmpty { break }
                for i in chunk.indices { chunk[i] *= linear }
                let limited = limiter.process(chunk)
                try writer.write(limited)
            }
            let tail = limiter.flush()
            try writer.write(tail)
            try writer.close()
        }
        var result = meter.meter.result()
        result.curve = meter.meter.curve(window: 1)
        return result
    }
}

/// A 5 ms look-ahead limiter: the gain falls ahead of each peak (the minimum of the needed gains over the
/// look-ahead window, smoothed) and recovers over ~80 ms; a final clamp guarantees the sample ceiling. Linked: one gain
/// for every channel; unlinked: one per channel.
struct LookAheadLimiter {
    let ceiling: Float
    let channels: Int
    let lookahead: Int
    let releaseCoefficient: Float
    /// The channels sharing each gain: all of them (linked), or each alone.
    let groups: [[Int]]
    var delay: [Float] = []
    /// Per group, the gain each pending frame needs.
    var needed: [[Float]]
    var gains: [Float]

    init(ceiling: Float, sampleRate: Int, channels: Int, linked: Bool = true) {
        self.ceiling = ceiling
        self.channels = channels
        lookahead = max(1, sampleRate / 200)
        releaseCoefficient = Float(1 - exp(-1 / (0.08 * Double(sampleRate))))
        groups = linked ? [Array(0..<channels)] : (0..<channels).map { [$0] }
        needed = Array(repeating: [], count: groups.count)
        gains = Array(repeating: 1, count: groups.count)
    }

    mutating func process(_ input: [Float]) -> [Float] {
        let frames = input.count / channels
        for (g, group) in groups.enumerated() {
            for f in 0..<frames {
                var peak: Float = 0
                for c in group { peak = max(peak, abs(input[f * channels + c])) }
                needed[g].append(peak > ceiling ? ceiling / peak : 1)
            }
        }
        delay += input
        return drain(keep: lookahead)
    }

    mutating func flush() -> [Float] { drain(keep: 0) }

    private mutating func drain(keep: Int) -> [Float] {
        let ready = (needed.first?.count ?? 0) - keep
        guard ready > 0 else { return [] }
        var out = [Float](repeating: 0, count: ready * channels)
        for (g, group) in groups.enumerated() {
            let windowMin = Self.slidingMinimum(needed[g], count: ready, window: lookahead)
            var gain = gains[g]
            for f in 0..<ready {
                let target = windowMin[f]
                if target < gain {
                    gain += (target - gain) * 0.5
                    gain = min(gain, needed[g][f])
                } else {
                    gain += (target - gain) * releaseCoefficient
                }
                for c in group {
                    out[f * channels + c] = max(-ceiling, min(ceiling, delay[f * channels + c] * gain))
                }
            }
            gains[g] = gain
            needed[g].removeFirst(ready)
        }
        delay.removeFirst(ready * channels)
        return out
    }

    /// For each of the first `count` frames, the minimum of `values` over [f, f + window] (monotonic queue, O(n)).
    private static func slidingMinimum(_ values: [Float], count: Int, window: Int) -> [Float] {
        var result = [Float](repeating: 1, count: count)
        var queue: [Int] = []
        var head = 0
        var next = 0
        for f in 0..<count {
            let last = min(values.count - 1, f + window)
            while next <= last {
                while queue.count > head, values[queue[queue.count - 1]] >= values[next] { queue.removeLast() }
                queue.append(next)
                next += 1
            }
            while queue[head] < f { head += 1 }
            result[f] = values[queue[head]]
        }
        return result
    }
}

/// A loudness meter that a background writer's thread adds to; read once that writer is closed.
final class MeterBox {
    var meter: LoudnessMeter
    init(_ meter: LoudnessMeter) { self.meter = meter }
}
