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
        // The loudness and true peak are measured here, after the limiter (the meter upsamples on threads of its own).
        var meter = LoudnessMeter(sampleRate: sampleRate, channels: channels)
        let linear = Float(pow(10, gain / 20))
        try AtomicFile.write(to: output) { temp in
            let writer = try BackgroundSoundWriter(path: temp, format: format, sampleRate: sampleRate, channels: channels)
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
        var result = meter.result()
        result.curve = meter.curve(window: 1)
        return result
    }
}

/// A meter that a background writer's thread adds to; read once that writer is closed.
final class MeterBox<Meter> {
    var meter: Meter
    init(_ meter: Meter) { self.meter = meter }
}
