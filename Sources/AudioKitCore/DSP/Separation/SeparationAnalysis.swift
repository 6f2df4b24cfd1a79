/// The analysis half of `SeparationSTFT`: Hann frames at 75 % overlap, each channel's forward transform, and the vocal
/// mask per bin (smoothed over time against the previous frame's), giving each frame's vocal spectrum in order.
struct SeparationAnalysis {
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
    var input: [Float]
    var inputBase: Int
    var framePosition: Int
    var totalIn = 0
    var previousMask: [Float]
    /// Scratch reused by every frame: one windowed channel, each channel's spectrum, the vocals'.
    var frame: [Float]
    var spectra: [Float]
    var vocalSpectrum: [Float]

    /// Floats in one frame's vocal spectrum (interleaved re, im for `size / 2 + 1` bins).
    var spectrumLength: Int { size + 2 }

    init(sampleRate: Int, channels: Int, activity: VoiceActivity, noise: [Float]?) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.activity = activity
        self.noise = noise
        size = SeparationSTFT.frameSize(for: sampleRate)
        hop = size / 4
        fft = FFT(size: size)
        window = SeparationSTFT.hann(size)
        lowBin = Int(90 * Double(size) / Double(sampleRate))
        highBin = min(size / 2, Int(9000 * Double(size) / Double(sampleRate)))
        previousMask = [Float](repeating: 0, count: size / 2 + 1)
        frame = [Float](repeating: 0, count: size)
        spectra = [Float](repeating: 0, count: (size + 2) * channels)
        vocalSpectrum = [Float](repeating: 0, count: size + 2)
        // Primed with silence so the first samples are fully covered by frames.
        input = [Float](repeating: 0, count: (size - hop) * channels)
        inputBase = -(size - hop)
        framePosition = inputBase
    }

    /// Adds input; appends the vocal spectra of the frames it completed, one after another, to `spectra`.
    mutating func process(_ chunk: [Float], into spectra: inout [Float]) {
        input += chunk
        totalIn += chunk.count / channels
        while framePosition + size <= inputBase + input.count / channels {
            analyzeFrame(into: &spectra)
        }
        // The samples before the next frame are dropped once there are a few seconds of them, not after every chunk:
        // moving the buffer's rest down after each 512-frame chunk cost a second of copying per hour of input.
        let done = framePosition - inputBase
        if done >= 1 << 17 {
            input.removeFirst(done * channels)
            inputBase += done
        }
    }

    /// The spectra of the last frames, over the input's end padded with silence.
    mutating func finish() -> [Float] {
        input += [Float](repeating: 0, count: size * channels)
        var spectra: [Float] = []
        while framePosition < totalIn {
            analyzeFrame(into: &spectra)
        }
        return spectra
    }

    private mutating func analyzeFrame(into out: inout [Float]) {
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
                                ? SeparationSTFT.centreMask(x[2 * k], x[2 * k + 1], x[stride + 2 * k], x[stride + 2 * k + 1])
                                : SeparationSTFT.wienerMask(x[2 * k], x[2 * k + 1], noise: noisePower?[k])
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
        out.append(contentsOf: vocalSpectrum)
        framePosition += hop
    }
}
