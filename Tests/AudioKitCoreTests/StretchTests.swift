import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

@Suite("Time-stretch (WSOLA)")
struct StretchTests {
    /// A voiced, speech-like test signal: 150 Hz with decaying harmonics and a slow amplitude envelope.
    static func voiced(rate: Int, seconds: Double, f0: Double = 150) -> [Float] {
        (0..<Int(Double(rate) * seconds)).map { (i: Int) -> Float in
            let t = Double(i) / Double(rate)
            var x = 0.0
            for h in 1...8 { x += sin(2 * Double.pi * f0 * Double(h) * t) / Double(h * h) }
            return Float(0.4 * x * (0.6 + 0.4 * sin(2 * Double.pi * 1.5 * t)))
        }
    }

    /// F0 from the autocorrelation peak between 60 and 400 Hz, with parabolic interpolation.
    static func fundamental(_ x: [Float], rate: Int) -> Double {
        let segment = Array(x[(x.count / 4)..<(x.count / 4 + rate / 4)])
        func r(_ lag: Int) -> Double {
            var s = 0.0
            for i in 0..<(segment.count - lag) { s += Double(segment[i]) * Double(segment[i + lag]) }
            return s
        }
        let lags = (rate / 400)...(rate / 60)
        let best = lags.max { r($0) < r($1) }!
        let (a, b, c) = (r(best - 1), r(best), r(best + 1))
        let shift = 0.5 * (a - c) / (a - 2 * b + c)
        return Double(rate) / (Double(best) + shift)
    }

    /// Long-term average spectrum in dB, 1024-point frames at 16 kHz, bins 100–4000 Hz.
    static func ltas(_ x: [Float]) -> [Double] {
        let fft = FFT(size: 1024)
        var sum = [Double](repeating: 0, count: 513)
        var frames = 0
        for start in stride(from: 0, to: x.count - 1024, by: 512) {
            let frame = (0..<1024).map { x[start + $0] * Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / 1024)) }
            for (k, p) in fft.powerSpectrum(frame).enumerated() { sum[k] += Double(p) }
            frames += 1
        }
        return (7...256).map { 10 * log10(sum[$0] / Double(frames) + 1e-12) }
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        let offset = (zip(a, b).map { $0 - $1 }.reduce(0, +)) / Double(a.count)
        return zip(a, b).map { abs($0 - $1 - offset) }.reduce(0, +) / Double(a.count)
    }

    @Test("output length is exact to the sample", arguments: [0.5, 0.8, 1.0, 1.15, 1.3, 1.5, 2.0])
    func exactLength(factor: Double) throws {
        let speech = try SoundFileReader(path: Repository.sample("mono.wav")).readAll()
        let target = Int((Double(speech.count) / factor).rounded())
        let out = try TimeStretcher.stretch(speech, channels: 1, sampleRate: 16000, outputFrames: target)
        #expect(out.count == target)
        let stereo = zip(speech, speech.reversed()).flatMap { [$0, $1] }
        let odd = target + (factor > 0.5 ? 7 : -7)
        let out2 = try TimeStretcher.stretch(stereo, channels: 2, sampleRate: 16000, outputFrames: odd)
        #expect(out2.count == odd * 2)
    }

    @Test("pitch is unchanged within 1 %", arguments: [0.6, 0.8, 1.15, 1.3, 1.8])
    func pitch(factor: Double) throws {
        let x = Self.voiced(rate: 16000, seconds: 2)
        let y = try TimeStretcher.stretch(x, channels: 1, sampleRate: 16000, outputFrames: Int(Double(x.count) / factor))
        let f0 = Self.fundamental(y, rate: 16000)
        #expect(abs(f0 / 150 - 1) < 0.01, "F0 \(f0) Hz")
    }

    @Test("no clicks: the boundaries are the input's own samples and no jump exceeds the input's")
    func noClicks() throws {
        let x = (0..<16000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }
        for factor in [0.7, 1.15, 1.6] {
            let y = try TimeStretcher.stretch(x, channels: 1, sampleRate: 16000, outputFrames: Int(16000 / factor))
            #expect(abs(y.first! - x.first!) < 1e-6)
            #expect(abs(y.last! - x.last!) < 1e-6)
            let maxStep = { (s: [Float]) in zip(s, s.dropFirst()).map { abs($1 - $0) }.max()! }
            #expect(maxStep(y) <= maxStep(x) * 1.25, "factor \(factor): step \(maxStep(y)) vs \(maxStep(x))")
        }
    }

    @Test("on speech, the spectrum stays as close to the input's as sox tempo's does (within 1.5 dB of it)")
    func closeToSox() throws {
        let scratch = try Scratch()
        let input = Repository.sample("mono.wav")
        let speech = try SoundFileReader(path: input).readAll()
        let soxOut = scratch.path("sox.wav")
        try Tool.run("sox", [input, soxOut, "tempo", "-s", "1.15"])
        let sox = try SoundFileReader(path: soxOut).readAll()
        let ours = try TimeStretcher.stretch(speech, channels: 1, sampleRate: 16000, outputFrames: sox.count)
        let reference = Self.ltas(speech)
        let oursDistance = Self.distance(Self.ltas(ours), reference)
        let soxDistance = Self.distance(Self.ltas(sox), reference)
        #expect(oursDistance <= soxDistance + 1.5, "ours \(oursDistance) dB, sox \(soxDistance) dB from the input")
        print("stretch 1.15 on speech: LTAS distance to input ours \(oursDistance) dB, sox \(soxDistance) dB; ours to sox \(Self.distance(Self.ltas(ours), Self.ltas(sox))) dB")
        #expect(Self.distance(Self.ltas(ours), Self.ltas(sox)) < 2.5)
    }

    @Test("factors outside 0.5–2.0 are refused")
    func limits() {
        #expect(throws: MediaError.self) { try TimeStretcher(sampleRate: 16000, channels: 1, inputFrames: 1000, outputFrames: 400) }
        #expect(throws: MediaError.self) { try TimeStretcher(sampleRate: 16000, channels: 1, inputFrames: 1000, outputFrames: 2100) }
    }
}
