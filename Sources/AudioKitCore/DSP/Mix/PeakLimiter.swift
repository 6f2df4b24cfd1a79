import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// Applies a gain and a look-ahead peak limiter to a float WAV, writing the final file; if the result's
/// true peak still exceeds the ceiling (inter-sample peaks), runs again with the ceiling lowered by the excess.
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
        var limiter = LookAheadLimiter(ceiling: Float(pow(10, ceiling / 20)), sampleRate: sampleRate, channels: channels)
        var meter = LoudnessMeter(sampleRate: sampleRate, channels: channels)
        let linear = Float(pow(10, gain / 20))
        try AtomicFile.write(to: output) { temp in
            let writer = try SoundFileWriter(path: temp, format: format, sampleRate: sampleRate, channels: channels)
            while true {
                var chunk = try reader.read()
                if chunk.isEmpty { break }
                for i in chunk.indices { chunk[i] *= linear }
                let limited = limiter.process(chunk)
                meter.add(limited)
                try writer.write(limited)
            }
            let tail = limiter.flush()
            meter.add(tail)
            try writer.write(tail)
            try writer.close()
        }
        return meter.result()
    }
}

/// A 5 ms look-ahead limiter: the gain falls ahead of each peak (the minimum of the needed gains over the
/// look-ahead window, smoothed) and recovers over ~80 ms; a final clamp guarantees the sample ceiling.
struct LookAheadLimiter {
    let ceiling: Float
    let channels: Int
    let lookahead: Int
    let releaseCoefficient: Float
    var delay: [Float] = []
    var needed: [Float] = []
    var gain: Float = 1

    init(ceiling: Float, sampleRate: Int, channels: Int) {
        self.ceiling = ceiling
        self.channels = channels
        lookahead = max(1, sampleRate / 200)
        releaseCoefficient = Float(1 - exp(-1 / (0.08 * Double(sampleRate))))
    }

    mutating func process(_ input: [Float]) -> [Float] {
        let frames = input.count / channels
        for f in 0..<frames {
            var peak: Float = 0
            for c in 0..<channels { peak = max(peak, abs(input[f * channels + c])) }
            needed.append(peak > ceiling ? ceiling / peak : 1)
        }
        delay += input
        return drain(keep: lookahead)
    }

    mutating func flush() -> [Float] { drain(keep: 0) }

    private mutating func drain(keep: Int) -> [Float] {
        let ready = needed.count - keep
        guard ready > 0 else { return [] }
        // Sliding minimum of the needed gains over [f, f + lookahead] (monotonic queue, O(n)).
        var windowMin = [Float](repeating: 1, count: ready)
        var queue: [Int] = []
        var head = 0
        var next = 0
        for f in 0..<ready {
            let last = min(needed.count - 1, f + lookahead)
            while next <= last {
                while queue.count > head, needed[queue[queue.count - 1]] >= needed[next] { queue.removeLast() }
                queue.append(next)
                next += 1
            }
            while queue[head] < f { head += 1 }
            windowMin[f] = needed[queue[head]]
        }
        var out = [Float](repeating: 0, count: ready * channels)
        for f in 0..<ready {
            let target = windowMin[f]
            if target < gain {
                gain += (target - gain) * 0.5
                gain = min(gain, needed[f])
            } else {
                gain += (target - gain) * releaseCoefficient
            }
            for c in 0..<channels {
                out[f * channels + c] = max(-ceiling, min(ceiling, delay[f * channels + c] * gain))
            }
        }
        needed.removeFirst(ready)
        delay.removeFirst(ready * channels)
        return out
    }
}
