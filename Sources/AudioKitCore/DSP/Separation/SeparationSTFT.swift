import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// The streaming STFT behind `VocalSeparator`: Hann analysis and synthesis at 75 % overlap, a vocal mask
/// per bin, overlap-add of the vocal estimate; the background is the delayed input minus the vocals.
struct SeparationSTFT {
    let size: Int
    let hop: Int
    let channels: Int
    let sampleRate: Int
    let fft: FFT
    let window: [Float]
    let activity: VoiceActivity
    let noise: [Float]?
    let lowBin: Int
    let highBin: Int
    var input: [Float] = []
    var inputBase = 0
    var output: [Float] = []
    var outputBase = 0
    var previousMask: [Float]
    /// Scratch reused by every frame: one windowed channel (then the inverse), each channel's spectrum, the vocals'.
    var frame: [Float]
    var spectra: [Float]
    var vocalSpectrum: [Float]
    var totalIn = 0
    var emitted = 0
    var framePosition = 0

    static func frameSize(for rate: Int) -> Int {
        var n = 256
        while n < Int(0.046 * Double(rate)) { n *= 2 }
        return n
    }

    static func hann(_ n: Int) -> [Float] {
        (0..<n).map { (i: Int) -> Float in Float(0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(n))) }
    }

    init(sampleRate: Int, channels: Int, activity: VoiceActivity, noise: [Float]?) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.activity = activity
        self.noise = noise
        size = Self.frameSize(for: sampleRate)
        hop = size / 4
        fft = FFT(size: size)
        window = Self.hann(size)
        lowBin = Int(90 * Double(size) / Double(sampleRate))
        highBin = min(size / 2, Int(9000 * Double(size) / Double(sampleRate)))
        previousMask = [Float](repeating: 0, count: size / 2 + 1)
        frame = [Float](repeating: 0, count: size)
        spectra = [Float](repeating: 0, count: (size + 2) * channels)
        vocalSpectrum = [Float](repeating: 0, count: size + 2)
        // Prime with half a frame of silence so the first samples are fully covered by frames.
        input = [Float](repeating: 0, count: (size - hop) * channels)
        inputBase = -(size - hop)
        framePosition = inputBase
        output = [Float](repeating: 0, count: 0)
        outputBase = inputBase
    }

    /// Adds input; returns the vocals and background that are final.
    mutating func process(_ chunk: [Float]) -> ([Float], [Float]) {
        input += chunk
        totalIn += chunk.count / channels
        while framePosition + size <= inputBase + input.count / channels {
            analyzeFrame()
        }
        return release(upTo: framePosition)
    }

    /// Flushes the tail (padding with silence) and returns the rest; totals equal the input's length.
    mutating func finish() -> ([Float], [Float]) {
        input += [Float](repeating: 0, count: size * channels)
        while framePosition < totalIn {
            analyzeFrame()
        }
        return release(upTo: totalIn)
    }

    private mutating func analyzeFrame() {
        let offset = framePosition - inputBase
        let bins = fft.bins, stride = 2 * bins, channels = channels, size = size
        // Forward transforms of each windowed channel (interleaved bins; channel c's at c × stride).
        for c in 0..<channels {
            input.withUnsafeBufferPointer { samples in
                window.withUnsafeBufferPointer { window in
                    frame.withUnsafeMutableBufferPointer { frame in
                        var index = offset * channels + c
                        for i in 0..<size {
                            frame[i] = samples[index] * window[i]
                            index &+= channels
                        }
                    }
                }
            }
            frame.withUnsafeBufferPointer { frame in
                spectra.withUnsafeMutableBufferPointer { fft.forward(frame, into: UnsafeMutableBufferPointer(rebasing: $0[(c * stride)...])) }
            }
        }
        let time = (Double(framePosition) + Double(size) / 2) / Double(sampleRate)
        let speech = activity.isSpeech(at: time)
        // The vocal spectrum: the mask (smoothed over time against musical noise) applied to the centre (stereo) or
        // the signal (mono).
        let (lowBin, highBin) = (lowBin, highBin)
        let noisePower = noise
        spectra.withUnsafeBufferPointer { x in
            vocalSpectrum.withUnsafeMutableBufferPointer { vocal in
                previousMask.withUnsafeMutableBufferPointer { previous in
                    for k in 0..<bins {
                        var m: Float = 0
                        if speech && k >= lowBin && k <= highBin {
                            m = channels == 2
                                ? Self.centreMask(x[2 * k], x[2 * k + 1], x[stride + 2 * k], x[stride + 2 * k + 1])
                                : Self.wienerMask(x[2 * k], x[2 * k + 1], noise: noisePower?[k])
                        }
                        let smoothed = 0.7 * m + 0.3 * previous[k]
                        previous[k] = m
                        let (xr, xi) = channels == 2
                            ? ((x[2 * k] + x[stride + 2 * k]) / 2, (x[2 * k + 1] + x[stride + 2 * k + 1]) / 2)
                            : (x[2 * k], x[2 * k + 1])
                        vocal[2 * k] = xr * smoothed
                        vocal[2 * k + 1] = xi * smoothed
                    }
                }
            }
        }
        vocalSpectrum.withUnsafeBufferPointer { spectrum in
            frame.withUnsafeMutableBufferPointer { fft.inverse(spectrum, into: $0) }
        }
        let needed = (framePosition - outputBase + size) * channels
        if output.count < needed { output.append(contentsOf: repeatElement(0, count: needed - output.count)) }
        // Hann analysis × Hann synthesis at 75 % overlap sums to 1.5; the inverse FFT is unscaled.
        let scale = 1 / (1.5 * Float(size))
        let base = (framePosition - outputBase) * channels
        frame.withUnsafeBufferPointer { frame in
            window.withUnsafeBufferPointer { window in
                output.withUnsafeMutableBufferPointer { output in
                    for i in 0..<size {
                        let v = frame[i] * window[i] * scale
                        for c in 0..<channels { output[base + i * channels + c] += v }
                    }
                }
            }
        }
        framePosition += hop
    }

    /// Similarity of the two channels in a bin (left and right as re, im): 1 for identical (centre-panned) content,
    /// 0 for unrelated or opposed; raised to the 8th power.
    private static func centreMask(_ lRe: Float, _ lIm: Float, _ rRe: Float, _ rIm: Float) -> Float {
        let lr = lRe * rRe + lIm * rIm
        let energy = lRe * lRe + lIm * lIm + rRe * rRe + rIm * rIm
        guard energy > 1e-12 else { return 0 }
        let similarity = max(0, 2 * lr / energy)
        let squared = similarity * similarity, fourth = squared * squared
        return fourth * fourth
    }

    /// Wiener-style gain against the noise spectrum (mono).
    private static func wienerMask(_ r: Float, _ i: Float, noise: Float?) -> Float {
        let power = r * r + i * i
        guard let noise, power > 1e-12 else { return 0 }
        let gain = max(0, 1 - 1.5 * noise / power)
        return gain * gain
    }

    /// Emits frames before `end`: vocals from the overlap-add, background = input − vocals.
    private mutating func release(upTo end: Int) -> ([Float], [Float]) {
        let from = max(outputBase, 0)
        let to = min(end, totalIn)
        guard to > from else { return ([], []) }
        let count = (to - from) * channels
        let outputOffset = (from - outputBase) * channels, inputOffset = (from - inputBase) * channels
        let available = max(0, min(count, output.count - outputOffset))
        var vocals = [Float](repeating: 0, count: count)
        var background = [Float](repeating: 0, count: count)
        input.withUnsafeBufferPointer { input in
            output.withUnsafeBufferPointer { output in
                vocals.withUnsafeMutableBufferPointer { vocals in
                    background.withUnsafeMutableBufferPointer { background in
                        for i in 0..<count {
                            let v = i < available ? output[outputOffset + i] : 0
                            vocals[i] = v
                            background[i] = input[inputOffset + i] - v
                        }
                    }
                }
            }
        }
        let drop = to - outputBase
        output.removeFirst(min(output.count, drop * channels))
        outputBase = to
        let keep = framePosition - inputBase
        if keep > 0 && to - inputBase > 0 {
            let discard = min(keep, to - inputBase)
            input.removeFirst(discard * channels)
            inputBase += discard
        }
        emitted += to - from
        return (vocals, background)
    }
}
