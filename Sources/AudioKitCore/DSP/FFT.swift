import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// An in-place radix-2 complex FFT of a fixed power-of-two size, with precomputed twiddles.
public struct FFT: Sendable {
    public let size: Int
    private let cosTable: [Float]
    private let sinTable: [Float]
    private let bitReverse: [Int]

    /// - Precondition: `size` is a power of two ≥ 2.
    public init(size: Int) {
        precondition(size >= 2 && size & (size - 1) == 0, "FFT size must be a power of two")
        self.size = size
        cosTable = (0..<size / 2).map { Float(cos(-2 * Double.pi * Double($0) / Double(size))) }
        sinTable = (0..<size / 2).map { Float(sin(-2 * Double.pi * Double($0) / Double(size))) }
        let bits = Int(log2(Double(size)))
        bitReverse = (0..<size).map { i in
            var r = 0, x = i
            for _ in 0..<bits { r = (r << 1) | (x & 1); x >>= 1 }
            return r
        }
    }

    /// Transforms (`real`, `imag`) in place; `inverse` computes the unscaled inverse.
    public func transform(real: inout [Float], imag: inout [Float], inverse: Bool = false) {
        for i in 0..<size where i < bitReverse[i] {
            real.swapAt(i, bitReverse[i])
            imag.swapAt(i, bitReverse[i])
        }
        let sign: Float = inverse ? -1 : 1
        var length = 2
        while length <= size {
            let half = length / 2
            let step = size / length
            var start = 0
            while start < size {
                for k in 0..<half {
                    let wr = cosTable[k * step], wi = sign * sinTable[k * step]
                    let a = start + k, b = a + half
                    let tr = real[b] * wr - imag[b] * wi
                    let ti = real[b] * wi + imag[b] * wr
                    real[b] = real[a] - tr
                    imag[b] = imag[a] - ti
                    real[a] += tr
                    imag[a] += ti
                }
                start += length
            }
            length *= 2
        }
    }

    /// The power spectrum (bins 0...size/2) of a real frame.
    public func powerSpectrum(_ frame: [Float]) -> [Float] {
        var re = frame + [Float](repeating: 0, count: max(0, size - frame.count))
        var im = [Float](repeating: 0, count: size)
        transform(real: &re, imag: &im)
        return (0...size / 2).map { re[$0] * re[$0] + im[$0] * im[$0] }
    }
}
