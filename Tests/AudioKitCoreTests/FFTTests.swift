import AudioKitCore
import Foundation
import TestSupport
import Testing

@Suite("FFT (libavutil av_tx) against a direct DFT")
struct FFTTests {
    /// A deterministic test frame: two partials, a chirp and an offset.
    static func frame(_ n: Int) -> [Float] {
        (0..<n).map { i in
            let t = Double(i) / Double(n)
            return Float(0.3 + sin(2 * .pi * 5 * t) + 0.5 * cos(2 * .pi * 37 * t + 0.4) + 0.2 * sin(2 * .pi * 90 * t * t))
        }
    }

    /// X[k] = Σ x[n] e^(−2πikn/N), in double precision.
    static func dft(_ x: [Float], bins: Int) -> [(re: Double, im: Double)] {
        (0..<bins).map { k in
            var re = 0.0, im = 0.0
            for (n, v) in x.enumerated() {
                let angle = -2 * Double.pi * Double(k * n) / Double(x.count)
                re += Double(v) * cos(angle)
                im += Double(v) * sin(angle)
            }
            return (re, im)
        }
    }

    @Test("forward bins, power spectrum and zero padding equal a direct DFT within 1e-5 of the peak", arguments: [16, 512, 1024, 2048])
    func forwardMatchesDirectDFT(size: Int) async throws {
        // Off Swift's cooperative pool: the direct DFT takes a while in a debug build.
        let failures = try await OffPool.run { Self.checkForward(size: size) }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    static func checkForward(size: Int) -> [String] {
        var findings = Findings()
        let fft = FFT(size: size)
        let x = frame(size)
        let truth = dft(x, bins: fft.bins)
        var spectrum = [Float](repeating: 0, count: 2 * fft.bins)
        x.withUnsafeBufferPointer { input in spectrum.withUnsafeMutableBufferPointer { fft.forward(input, into: $0) } }
        let peak = truth.map { hypot($0.re, $0.im) }.max()!
        for k in 0..<fft.bins {
            findings.check(abs(Double(spectrum[2 * k]) - truth[k].re) <= 1e-5 * peak, "re bin \(k)")
            findings.check(abs(Double(spectrum[2 * k + 1]) - truth[k].im) <= 1e-5 * peak, "im bin \(k)")
        }
        let power = fft.powerSpectrum(x)
        findings.check(power.count == fft.bins, "power.count == fft.bins")
        for k in 0..<fft.bins { findings.check(abs(Double(power[k]) - (truth[k].re * truth[k].re + truth[k].im * truth[k].im)) <= 1e-4 * peak * peak, "power bin \(k)") }
        // A short frame is zero-padded: the DFT of the padded frame.
        let short = Array(x.prefix(size * 5 / 8))
        let padded = dft(short + [Float](repeating: 0, count: size - short.count), bins: fft.bins)
        let shortPower = fft.powerSpectrum(short)
        for k in 0..<fft.bins { findings.check(abs(Double(shortPower[k]) - (padded[k].re * padded[k].re + padded[k].im * padded[k].im)) <= 1e-4 * peak * peak, "padded power bin \(k)") }
        return findings.failures
    }

    @Test("inverse of the forward transform gives size × the frame back", arguments: [16, 512, 2048])
    func inverseRoundTripScalesBySize(size: Int) {
        let fft = FFT(size: size)
        let x = Self.frame(size)
        var spectrum = [Float](repeating: 0, count: 2 * fft.bins)
        var back = [Float](repeating: 0, count: size)
        x.withUnsafeBufferPointer { input in spectrum.withUnsafeMutableBufferPointer { fft.forward(input, into: $0) } }
        spectrum.withUnsafeBufferPointer { input in back.withUnsafeMutableBufferPointer { fft.inverse(input, into: $0) } }
        for i in 0..<size { #expect(abs(back[i] / Float(size) - x[i]) <= 1e-5, "sample \(i)") }
    }
}
