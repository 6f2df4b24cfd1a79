import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// The STFT behind `VocalSeparator`: Hann analysis and synthesis at 75 % overlap, a vocal mask per bin, overlap-add of
/// the vocal estimate; the background is the delayed input minus the vocals. Its two halves are
/// `SeparationAnalysis` and `SeparationSynthesis` (which `VocalSeparator` runs on two threads); this holds what they
/// share: the frame size, the window and the masks.
enum SeparationSTFT {
    static func frameSize(for rate: Int) -> Int {
        var n = 256
        while n < Int(0.046 * Double(rate)) { n *= 2 }
        return n
    }

    static func hann(_ n: Int) -> [Float] {
        (0..<n).map { (i: Int) -> Float in Float(0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(n))) }
    }

    /// Similarity of the two channels in a bin (left and right as re, im): 1 for identical (centre-panned) content,
    /// 0 for unrelated or opposed; raised to the 8th power.
    static func centreMask(_ lRe: Float, _ lIm: Float, _ rRe: Float, _ rIm: Float) -> Float {
        let lr = lRe * rRe + lIm * rIm
        let energy = lRe * lRe + lIm * lIm + rRe * rRe + rIm * rIm
        guard energy > 1e-12 else { return 0 }
        let similarity = max(0, 2 * lr / energy)
        let squared = similarity * similarity, fourth = squared * squared
        return fourth * fourth
    }

    /// Wiener-style gain against the noise spectrum (mono).
    static func wienerMask(_ r: Float, _ i: Float, noise: Float?) -> Float {
        let power = r * r + i * i
        guard let noise, power > 1e-12 else { return 0 }
        let gain = max(0, 1 - 1.5 * noise / power)
        return gain * gain
    }

}
