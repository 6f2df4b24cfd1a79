import CFFmpeg
import DubSupport

/// A real-input FFT of a fixed power-of-two size through libavutil's `av_tx` (SIMD where the CPU has it):
/// `forward` turns `size` real samples into the `size / 2 + 1` bins of their spectrum, `inverse` turns those bins
/// back into `size` real samples, unscaled (a round trip multiplies by `size`). Spectra are interleaved
/// (re₀, im₀, re₁, im₁, …): `2 * bins` floats.
///
/// Sole owner of its two transform contexts and their aligned buffers. A transform writes scratch state inside its
/// context, so an instance serves one thread at a time (it is not `Sendable`); make one per worker.
public final class FFT {
    /// Samples per transform.
    public let size: Int
    /// Bins in a spectrum: `size / 2 + 1`.
    public var bins: Int { size / 2 + 1 }

    private var forwardContext: OpaquePointer?
    private var inverseContext: OpaquePointer?
    private let forwardTransform: av_tx_fn
    private let inverseTransform: av_tx_fn
    /// `size` floats of time signal, then `2 * bins` floats of spectrum; both 64-byte aligned (av_malloc).
    private let time: UnsafeMutablePointer<Float>
    private let spectrum: UnsafeMutablePointer<Float>

    /// - Precondition: `size` is a power of two ≥ 16 (libavutil's smallest real transform).
    public init(size: Int) {
        precondition(size >= 16 && size & (size - 1) == 0, "FFT size must be a power of two of at least 16")
        self.size = size
        var forward: av_tx_fn?
        var inverse: av_tx_fn?
        var scale: Float = 1
        let forwardStatus = av_tx_init(&forwardContext, &forward, AV_TX_FLOAT_RDFT, 0, Int32(size), &scale, 0)
        let inverseStatus = av_tx_init(&inverseContext, &inverse, AV_TX_FLOAT_RDFT, 1, Int32(size), &scale, 0)
        // av_tx_init fails only on a bad size or out of memory; the size was checked above.
        guard forwardStatus >= 0, inverseStatus >= 0, let forward, let inverse else {
            fatalError("av_tx_init failed for a \(size)-point real FFT: \(avErrorString(min(forwardStatus, inverseStatus)))")
        }
        forwardTransform = forward
        inverseTransform = inverse
        time = av_malloc(size * MemoryLayout<Float>.size).bindMemory(to: Float.self, capacity: size)
        spectrum = av_malloc((size + 2) * MemoryLayout<Float>.size).bindMemory(to: Float.self, capacity: size + 2)
    }

    deinit {
        av_tx_uninit(&forwardContext)
        av_tx_uninit(&inverseContext)
        av_free(time)
        av_free(spectrum)
    }

    /// The spectrum of `frame` (zero-padded to `size`; at most `size` samples are read) into `output`
    /// (`2 * bins` floats, interleaved).
    public func forward(_ frame: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count >= 2 * bins, "spectrum buffer too small")
        transformForward(frame)
        output.baseAddress!.update(from: spectrum, count: 2 * bins)
    }

    /// Loads `frame` (zero-padded) into `time` and runs the forward transform into `spectrum`. The DC and Nyquist bins
    /// of a real signal are real; the transform of FFmpeg 5.1 (libavutil 57.28) leaves the Nyquist bin's imaginary slot
    /// unwritten, so both are set here.
    private func transformForward(_ frame: UnsafeBufferPointer<Float>) {
        let n = min(frame.count, size)
        if let base = frame.baseAddress { time.update(from: base, count: n) }
        if n < size { (time + n).update(repeating: 0, count: size - n) }
        forwardTransform(forwardContext, spectrum, time, MemoryLayout<Float>.stride)
        spectrum[1] = 0
        spectrum[size + 1] = 0
    }

    /// The unscaled real inverse of `input` (`2 * bins` floats, interleaved) into `output` (`size` floats).
    public func inverse(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(input.count >= 2 * bins && output.count >= size, "buffer too small")
        spectrum.update(from: input.baseAddress!, count: 2 * bins)
        inverseTransform(inverseContext, time, spectrum, 2 * MemoryLayout<Float>.stride)
        output.baseAddress!.update(from: time, count: size)
    }

    /// The power spectrum (|X|², bins 0...size/2) of `frame` into `power` (`bins` floats).
    public func powerSpectrum(_ frame: UnsafeBufferPointer<Float>, into power: UnsafeMutableBufferPointer<Float>) {
        precondition(power.count >= bins, "power buffer too small")
        transformForward(frame)
        for k in 0..<bins {
            let re = spectrum[2 * k], im = spectrum[2 * k + 1]
            power[k] = re * re + im * im
        }
    }

    /// The power spectrum (|X|², bins 0...size/2) of a real frame.
    public func powerSpectrum(_ frame: [Float]) -> [Float] {
        [Float](unsafeUninitializedCapacity: bins) { buffer, count in
            frame.withUnsafeBufferPointer { powerSpectrum($0, into: buffer) }
            count = bins
        }
    }
}
