import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// Measures the `VoicePrint` of each of many stretches of one recording in a single streamed pass (16 kHz mono,
/// 32 ms frames every 16 ms): pitch by normalised autocorrelation (computed through the FFT, corrected for the
/// window's own autocorrelation), and the envelope as a mel cepstrum. Only the frames inside a stretch are analysed,
/// and only the open stretches' frame figures are held, so memory stays flat in the recording's length.
public struct VoiceProfiler: Sendable {
    public static let analysisRate = 16_000
    static let frameLength = 512
    static let hop = 256
    static let fftSize = 1024
    /// The pitch range searched, in Hz (deep male to high child voices).
    static let pitchRange = 60.0...450.0
    /// A frame is pitched when its normalised autocorrelation peak reaches this.
    static let voicingThreshold = 0.5
    static let melBands = 24
    static let coefficients = 12

    private let window: [Float]
    /// The Hann window's own normalised autocorrelation, by lag (Boersma 1993).
    private let windowCorrelation: [Double]
    private let melFilters: [[(bin: Int, weight: Float)]]

    public init() {
        let n = Self.frameLength
        window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n - 1))) }
        let correlation = Self.autocorrelation(of: window, fft: FFT(size: Self.fftSize)).autocorrelation
        windowCorrelation = correlation.map { Double($0 / correlation[0]) }
        melFilters = Self.melFilterbank(bands: Self.melBands, fftSize: Self.fftSize, sampleRate: Double(Self.analysisRate), low: 100, high: 7000)
    }

    /// The print of each span (seconds on the recording's timeline; they may overlap and come in any order), from the
    /// audio file at `path` (any format the media libraries read; mixed down to mono). A long recording is measured in
    /// two halves at once, each with a reader of its own, split in a pause between spans (`splitPoint`).
    public func profile(path: String, spans: [(start: Double, end: Double)]) throws -> [VoicePrint] {
        try profile(path: path, spans: spans, inTwo: true)
    }

    /// `profile(path:spans:)`, in two halves only with `inTwo` and spans that cover `minimumSeconds` or more (from the
    /// first one's start to the last one's end).
    func profile(path: String, spans: [(start: Double, end: Double)], inTwo: Bool, minimumSeconds: Double = 60) throws -> [VoicePrint] {
        guard inTwo, let cut = Self.splitPoint(spans, minimumSeconds: minimumSeconds) else { return try profile(path: path, spans: spans, from: 0) }
        let time = Double(cut) / Double(Self.analysisRate)
        let halves = [spans.map { $0.start < time ? $0 : (0, -1) }, spans.map { $0.start >= time ? $0 : (0, -1) }]
        let prints = try ParallelWork.run(2) { half in try profile(path: path, spans: halves[half], from: half == 0 ? 0 : cut) }
        return spans.indices.map { prints[spans[$0].start >= time ? 1 : 0][$0] }
    }

    /// The prints of `spans` from one reader starting at sample `first` (a multiple of the hop, so frames fall where a
    /// reader from the start would put them).
    private func profile(path: String, spans: [(start: Double, end: Double)], from first: Int) throws -> [VoicePrint] {
        let reader = try AudioReader(path: path, options: AudioReadOptions(sampleRate: Self.analysisRate, channels: 1,
                                                                           start: Double(first) / Double(Self.analysisRate)))
        var frames = FrameStream(spans: spans, profiler: self, offset: first)
        while let chunk = try reader.next() {
            frames.add(chunk)
            if frames.isDone { break }
        }
        return frames.finish()
    }

    /// Where to split a recording's spans into two halves measured at once: a sample on the frame grid in a pause of at
    /// least 0.2 s between spans (so neither half's frames reach into the other's, and the later reader's resampler
    /// has settled before its first frame), the one nearest the middle of the spans, within their middle half. Nil
    /// when the spans cover less than `minimumSeconds` or there is no such pause.
    static func splitPoint(_ spans: [(start: Double, end: Double)], minimumSeconds: Double) -> Int? {
        let valid = spans.filter { $0.start.isFinite && $0.end.isFinite && $0.end >= $0.start }.sorted { $0.start < $1.start }
        guard let first = valid.first?.start, let last = valid.map(\.end).max(), last - first >= minimumSeconds else { return nil }
        let middle = (first + last) / 2, margin = 0.1
        var best: Int?, bestDistance = (last - first) / 4
        var reached = -Double.infinity
        for (span, next) in zip(valid, valid.dropFirst()) {
            reached = max(reached, span.end)
            // The latest grid sample at least `margin` before the next span, if still `margin` after everything before it.
            let cut = Int((next.start - margin) * Double(analysisRate)) / hop * hop
            let time = Double(cut) / Double(analysisRate)
            if time >= reached + margin, abs(time - middle) <= bestDistance { (best, bestDistance) = (cut, abs(time - middle)) }
        }
        return best
    }

    /// The prints of spans of samples already in memory (16 kHz mono), for tests and short clips.
    public func profile(samples: [Float], spans: [(start: Double, end: Double)]) -> [VoicePrint] {
        var frames = FrameStream(spans: spans, profiler: self)
        frames.add(samples)
        return frames.finish()
    }

    /// One frame's figures: level in dB, pitch in Hz (nil when unpitched), and mel cepstrum.
    struct Frame {
        var level: Double
        var pitch: Double?
        var cepstrum: [Double]
    }

    func analyse(_ samples: ArraySlice<Float>, fft: FFT) -> Frame {
        var windowed = [Float](repeating: 0, count: Self.frameLength)
        var energy = 0.0
        for (i, x) in samples.enumerated() {
            windowed[i] = x * window[i]
            energy += Double(windowed[i] * windowed[i])
        }
        let level = 10 * log10(energy / Double(Self.frameLength) + 1e-12)
        let (power, correlation) = Self.autocorrelation(of: windowed, fft: fft)
        let pitch = correlation[0] > 0 ? pitchOf(autocorrelation: correlation) : nil
        return Frame(level: level, pitch: pitch, cepstrum: cepstrum(of: power))
    }

    /// A frame's power spectrum (bins 0...fftSize/2) and its autocorrelation by lag (the power spectrum's inverse
    /// transform; zero padding to twice the frame keeps it linear, not circular).
    static func autocorrelation(of frame: [Float], fft: FFT) -> (power: [Float], autocorrelation: [Float]) {
        let power = fft.powerSpectrum(frame)
        var spectrum = [Float](repeating: 0, count: 2 * fft.bins)
        for k in 0..<fft.bins { spectrum[2 * k] = power[k] }
        let correlation = [Float](unsafeUninitializedCapacity: fft.size) { buffer, count in
            spectrum.withUnsafeBufferPointer { fft.inverse($0, into: buffer) }
            count = fft.size
        }
        return (power, correlation)
    }

    /// The fundamental from a frame's autocorrelation: the best window-corrected peak in the pitch range, refined by
    /// a parabola; nil when it is weaker than `voicingThreshold`.
    private func pitchOf(autocorrelation r: [Float]) -> Double? {
        let rate = Double(Self.analysisRate)
        let minLag = Int(rate / Self.pitchRange.upperBound), maxLag = Int(rate / Self.pitchRange.lowerBound)
        let r0 = Double(r[0])
        func corrected(_ lag: Int) -> Double { Double(r[lag]) / r0 / max(windowCorrelation[lag], 1e-3) }
        var best = minLag, bestValue = -1.0
        for lag in minLag...maxLag {
            let value = corrected(lag)
            if value > bestValue { (best, bestValue) = (lag, value) }
        }
        guard bestValue >= Self.voicingThreshold, best > minLag, best < maxLag else { return nil }
        // Prefer the shortest lag with nearly the same strength (avoids taking twice the period).
        if let shorter = (minLag + 1..<best).first(where: { corrected($0) >= 0.92 * bestValue && corrected($0) >= corrected($0 - 1) && corrected($0) >= corrected($0 + 1) }) {
            best = shorter
        }
        let (a, b, c) = (corrected(best - 1), corrected(best), corrected(best + 1))
        let denominator = a - 2 * b + c
        let offset = denominator != 0 ? max(-0.5, min(0.5, 0.5 * (a - c) / denominator)) : 0
        return rate / (Double(best) + offset)
    }

    /// Mel cepstrum c1...c12 of a power spectrum (natural-log band energies, orthonormal DCT-II).
    private func cepstrum(of power: [Float]) -> [Double] {
        let bands = melFilters.map { filter in log(Double(filter.reduce(Float(0)) { $0 + power[$1.bin] * $1.weight }) + 1e-10) }
        let m = Double(bands.count)
        return (1...Self.coefficients).map { k in
            var sum = 0.0
            for (n, value) in bands.enumerated() { sum += value * cos(Double.pi * Double(k) * (Double(n) + 0.5) / m) }
            return sum * (2 / m).squareRoot()
        }
    }

    /// Triangular mel filters between `low` and `high` Hz.
    static func melFilterbank(bands: Int, fftSize: Int, sampleRate: Double, low: Double, high: Double) -> [[(bin: Int, weight: Float)]] {
        func mel(_ hz: Double) -> Double { 2595 * log10(1 + hz / 700) }
        func hz(_ mel: Double) -> Double { 700 * (pow(10, mel / 2595) - 1) }
        let edges = (0...(bands + 1)).map { hz(mel(low) + (mel(high) - mel(low)) * Double($0) / Double(bands + 1)) }
        let binHz = sampleRate / Double(fftSize)
        return (1...bands).map { b in
            let (left, centre, right) = (edges[b - 1], edges[b], edges[b + 1])
            return (Int(left / binHz)...Int(right / binHz) + 1).compactMap { bin in
                let f = Double(bin) * binHz
                let weight = f <= centre ? (f - left) / (centre - left) : (right - f) / (right - centre)
                return weight > 0 && bin <= fftSize / 2 ? (bin, Float(weight)) : nil
            }
        }
    }
}

/// The frames of a recording as they stream past, credited to the spans they fall in.
private struct FrameStream {
    let spans: [(start: Double, end: Double)]
    let profiler: VoiceProfiler
    let fft = FFT(size: VoiceProfiler.fftSize)
    /// Span indices by start time; `nextSpan` is the first not yet opened.
    let order: [Int]
    var nextSpan = 0
    /// The frames of each open span.
    var open: [Int: [VoiceProfiler.Frame]] = [:]
    var prints: [VoicePrint?]
    var pending: [Float] = []
    /// The sample index of `pending[0]`.
    var offset = 0

    init(spans: [(start: Double, end: Double)], profiler: VoiceProfiler, offset: Int = 0) {
        self.offset = offset
        // A span whose times are not finite measures nothing.
        let spans: [(start: Double, end: Double)] = spans.map { $0.start.isFinite && $0.end.isFinite ? $0 : (0, -1) }
        self.spans = spans
        self.profiler = profiler
        order = spans.indices.filter { spans[$0].end >= spans[$0].start }.sorted { spans[$0].start < spans[$1].start }
        prints = Array(repeating: nil, count: spans.count)
    }

    var isDone: Bool { nextSpan == order.count && open.isEmpty }

    mutating func add(_ samples: [Float]) {
        pending += samples
        let rate = Double(VoiceProfiler.analysisRate), n = VoiceProfiler.frameLength, hop = VoiceProfiler.hop
        var start = 0
        while start + n <= pending.count {
            let centre = Double(offset + start + n / 2) / rate
            closeSpans(before: centre)
            while nextSpan < order.count, spans[order[nextSpan]].start <= centre {
                open[order[nextSpan]] = []
                nextSpan += 1
            }
            if !open.isEmpty {
                let frame = profiler.analyse(pending[start..<(start + n)], fft: fft)
                for key in open.keys where spans[key].end >= centre { open[key]?.append(frame) }
            } else if nextSpan < order.count {
                // Skip ahead to the next span's first frame.
                let target = Int(spans[order[nextSpan]].start * rate) - n / 2 - offset
                if target > start + hop {
                    start = min(target - target % hop, pending.count - pending.count % hop)
                    continue
                }
            }
            start += hop
        }
        pending.removeFirst(min(start, pending.count))
        offset += start
    }

    private mutating func closeSpans(before time: Double) {
        for key in open.keys where spans[key].end < time {
            prints[key] = Self.print(open.removeValue(forKey: key) ?? [])
        }
    }

    mutating func finish() -> [VoicePrint] {
        closeSpans(before: .infinity)
        return prints.map { $0 ?? VoicePrint.silent }
    }

    /// A span's print from its frames: the loud ones (within 30 dB of its loudest, and above −60 dBFS) give the
    /// envelope; the pitched ones among them the pitch.
    static func print(_ frames: [VoiceProfiler.Frame]) -> VoicePrint {
        let hopSeconds = Double(VoiceProfiler.hop) / Double(VoiceProfiler.analysisRate)
        guard let loudest = frames.map(\.level).max() else { return VoicePrint.silent }
        let loud = frames.filter { $0.level >= max(loudest - 30, -60) }
        guard !loud.isEmpty else { return VoicePrint.silent }
        var cepstrum = [Double](repeating: 0, count: VoiceProfiler.coefficients)
        for frame in loud { for i in cepstrum.indices { cepstrum[i] += frame.cepstrum[i] / Double(loud.count) } }
        let pitches = loud.compactMap(\.pitch).map { 12 * log2($0 / 440) }.sorted()
        let pitched = pitches.count >= 5 && Double(pitches.count) >= 0.15 * Double(loud.count)
        let median = pitched ? 440 * exp2(pitches[pitches.count / 2] / 12) : nil
        let spread = pitched ? pitches[pitches.count * 3 / 4] - pitches[pitches.count / 4] : 0
        return VoicePrint(pitch: median, pitchSpread: spread, cepstrum: cepstrum, seconds: Double(loud.count) * hopSeconds)
    }
}
