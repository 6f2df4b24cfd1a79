import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// EBU R128 / ITU-R BS.1770-4 measurement: integrated loudness (400 ms blocks with 75 % overlap,
/// −70 LUFS absolute and −10 LU relative gates), loudness range (3 s windows, 10th–95th percentile,
/// −20 LU relative gate, on a 0.01 LU histogram), sample peak and true peak (the signal upsampled to
/// 192 kHz, as ffmpeg's `ebur128` filter measures it). Feed it interleaved samples in any number of chunks.
public struct LoudnessMeter {
    /// The result of a measurement.
    public struct Result: Sendable, Equatable, Codable {
        /// Integrated loudness in LUFS (−70 for silence).
        public var integrated: Double
        /// Loudness range in LU.
        public var range: Double
        /// Highest absolute sample value, in dBFS.
        public var samplePeak: Double
        /// Highest inter-sample peak, in dBTP.
        public var truePeak: Double
        /// What reading the file warned about (a truncated or damaged input), when measured from a file.
        public var warnings: [String]?
        /// The loudness of each second (ungated LUFS, −70 for silence), when asked for: a picture of the level over time.
        public var curve: [Double]?

        public init(integrated: Double, range: Double, samplePeak: Double, truePeak: Double) {
            self.integrated = integrated
            self.range = range
            self.samplePeak = samplePeak
            self.truePeak = truePeak
        }

        enum CodingKeys: String, CodingKey {
            case integrated = "integrated_lufs"
            case range = "range_lu"
            case samplePeak = "sample_peak_dbfs"
            case truePeak = "true_peak_dbtp"
            case warnings, curve
        }
    }

    public let sampleRate: Int
    public let channels: Int
    private var filters: [KWeighting]
    private var truePeak: TruePeakMeter?
    private var weights: [Double]
    private var samplePeak = 0.0
    /// Mean square per 100 ms step, per channel-weighted sum.
    private var stepEnergy: [Double] = []
    private var accumulator = 0.0
    private var inStep = 0
    private let stepLength: Int

    /// A meter for interleaved audio with `channels` in FFmpeg's order (L R C LFE Ls Rs for 5.1). Without `truePeak`
    /// the signal is not upsampled (the result's true peak is then the sample peak): for a measure of loudness alone.
    public init(sampleRate: Int, channels: Int, truePeak: Bool = true) {
        self.sampleRate = sampleRate
        self.channels = channels
        filters = Array(repeating: KWeighting(sampleRate: Double(sampleRate)), count: channels)
        self.truePeak = truePeak ? TruePeakMeter(sampleRate: sampleRate, channels: channels) : nil
        weights = (0..<channels).map { c in
            if channels == 6 { return [1, 1, 1, 0, 1.41, 1.41][c] }
            if channels == 8 { return [1, 1, 1, 0, 1.41, 1.41, 1.41, 1.41][c] }
            return 1
        }
        stepLength = sampleRate / 10
    }

    /// Adds interleaved samples.
    public mutating func add(_ samples: [Float]) {
        truePeak?.add(samples)
        // Locals and raw pointers in the per-sample loop (no uniqueness or bounds checks); the arithmetic, and so the
        // result, is the same as one sample at a time through the properties.
        let channels = channels, stepLength = stepLength
        var filters = filters, peak = samplePeak, accumulator = accumulator, inStep = inStep, steps: [Double] = []
        filters.withUnsafeMutableBufferPointer { filter in
            weights.withUnsafeBufferPointer { weight in
                samples.withUnsafeBufferPointer { buffer in
                    var i = 0
                    for _ in 0..<(buffer.count / channels) {
                        var sum = 0.0
                        for c in 0..<channels {
                            let x = Double(buffer[i])
                            i += 1
                            peak = max(peak, abs(x))
                            let y = filter[c].process(x)
                            sum += weight[c] * y * y
                        }
                        accumulator += sum
                        inStep += 1
                        if inStep == stepLength {
                            steps.append(accumulator / Double(stepLength))
                            accumulator = 0
                            inStep = 0
                        }
                    }
                }
            }
        }
        self.filters = filters
        samplePeak = peak
        self.accumulator = accumulator
        self.inStep = inStep
        stepEnergy += steps
    }

    /// The measurement of everything added so far (call once, at the end: it waits for the true-peak upsampling and
    /// drains it).
    public mutating func result() -> Result {
        let peak = truePeak?.result() ?? 0
        let blocks = windows(of: 4)
        let integrated = gatedLoudness(blocks, relativeGate: -10)
        let shortTerm = windows(of: 30)
        let range = loudnessRange(shortTerm)
        return Result(integrated: integrated, range: range, samplePeak: Self.db(samplePeak), truePeak: Self.db(max(peak, samplePeak)))
    }

    /// Mean energies of windows `steps` × 100 ms long, one per 100 ms step.
    private func windows(of steps: Int) -> [Double] {
        guard stepEnergy.count >= steps else { return [] }
        var sum = stepEnergy[0..<steps].reduce(0, +)
        var out = [sum / Double(steps)]
        for i in steps..<stepEnergy.count {
            sum += stepEnergy[i] - stepEnergy[i - steps]
            out.append(sum / Double(steps))
        }
        return out
    }

    private func gatedLoudness(_ energies: [Double], relativeGate: Double) -> Double {
        let absolute = energies.filter { Self.lufs($0) >= -70 }
        guard !absolute.isEmpty else { return -70 }
        let threshold = Self.lufs(absolute.reduce(0, +) / Double(absolute.count)) + relativeGate
        let gated = absolute.filter { Self.lufs($0) > threshold }
        guard !gated.isEmpty else { return -70 }
        return Self.lufs(gated.reduce(0, +) / Double(gated.count))
    }

    /// Short-term levels are binned at 0.01 LU above the −20 LU gate; the range runs from the value at the
    /// 10th percentile rank to the one at the 95th (ranks rounded to the nearest window).
    private func loudnessRange(_ energies: [Double]) -> Double {
        let absolute = energies.filter { Self.lufs($0) >= -70 }
        guard !absolute.isEmpty else { return 0 }
        let gate = Self.bin(Self.lufs(absolute.reduce(0, +) / Double(absolute.count)) - 20)
        let levels = absolute.map { Self.bin(Self.lufs($0)) }.filter { $0 >= gate }.sorted()
        guard !levels.isEmpty else { return 0 }
        let low = levels[max(Int(0.10 * Double(levels.count) + 0.5) - 1, 0)]
        let high = levels[max(Int(0.95 * Double(levels.count) + 0.5) - 1, 0)]
        return high - low
    }

    /// A loudness rounded down to its 0.01 LU histogram bin.
    private static func bin(_ loudness: Double) -> Double {
        (((loudness + 70) * 100).rounded(.down)) / 100 - 70
    }

    static func lufs(_ meanSquare: Double) -> Double { meanSquare > 0 ? -0.691 + 10 * log10(meanSquare) : -.infinity }
    static func db(_ amplitude: Double) -> Double { amplitude > 0 ? 20 * log10(amplitude) : -.infinity }
}

extension LoudnessMeter {
    /// Measures a whole file (any media AudioKitCore reads), streaming; without `truePeak`, the loudness alone (faster).
    /// With `curve`, the result has the loudness of each second too.
    public static func measure(path: String, streamIndex: Int? = nil, truePeak: Bool = true, curve: Bool = false) throws -> Result {
        let reader = try AudioReader(path: path, options: AudioReadOptions(streamIndex: streamIndex))
        var meter = LoudnessMeter(sampleRate: reader.sampleRate, channels: reader.channels, truePeak: truePeak)
        while let chunk = try reader.next() { meter.add(chunk) }
        var result = meter.result()
        if curve { result.curve = meter.curve(window: 1) }
        result.warnings = reader.warnings.isEmpty ? nil : reader.warnings
        return result
    }
}

extension LoudnessMeter {
    /// The loudness (LUFS, ungated; −70 for silence) of consecutive windows of `seconds` of what was added so far.
    public func curve(window seconds: Double) -> [Double] {
        let steps = max(1, Int((seconds * 10).rounded()))
        return stride(from: 0, to: stepEnergy.count, by: steps).map { start in
            let slice = stepEnergy[start..<min(stepEnergy.count, start + steps)]
            return max(-70, Self.lufs(slice.reduce(0, +) / Double(slice.count)))
        }
    }
}
