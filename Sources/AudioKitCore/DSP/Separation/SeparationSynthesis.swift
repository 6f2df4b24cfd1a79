/// The synthesis half of `SeparationSTFT`: each frame's vocal spectrum transformed back, windowed and overlap-added
/// into the vocals; the background is the input, delayed to match, minus the vocals.
struct SeparationSynthesis {
    let size: Int
    let hop: Int
    let channels: Int
    let fft: FFT
    let window: [Float]
    var input: [Float]
    var inputBase: Int
    var output: [Float] = []
    var outputBase: Int
    var framePosition: Int
    var totalIn = 0
    var frame: [Float]

    /// The synthesis of `analysis`'s frames: the same frame grid, window and channels.
    init(matching analysis: SeparationAnalysis) {
        (size, hop, channels, window) = (analysis.size, analysis.hop, analysis.channels, analysis.window)
        fft = FFT(size: size)
        frame = [Float](repeating: 0, count: size)
        // The analysis's first frame starts this far before the input (primed with silence).
        input = [Float](repeating: 0, count: (size - hop) * channels)
        inputBase = -(size - hop)
        framePosition = inputBase
        outputBase = inputBase
    }

    /// Adds the input `chunk` and the spectra of the frames the analysis completed with it; returns the vocals and
    /// background that are final.
    mutating func add(_ chunk: [Float], spectra: [Float]) -> ([Float], [Float]) {
        input += chunk
        totalIn += chunk.count / channels
        synthesize(spectra)
        return release(upTo: framePosition)
    }

    /// Adds the last frames' spectra and returns the rest; totals equal the input's length.
    mutating func finish(spectra: [Float]) -> ([Float], [Float]) {
        synthesize(spectra)
        return release(upTo: totalIn)
    }

    private mutating func synthesize(_ spectra: [Float]) {
        let length = size + 2, channels = channels, size = size
        // Hann analysis × Hann synthesis at 75 % overlap sums to 1.5; the inverse FFT is unscaled.
        let scale = 1 / (1.5 * Float(size))
        for start in stride(from: 0, to: spectra.count, by: length) {
            spectra.withUnsafeBufferPointer { spectra in
                frame.withUnsafeMutableBufferPointer { fft.inverse(UnsafeBufferPointer(rebasing: spectra[start..<(start + length)]), into: $0) }
            }
            let needed = (framePosition - outputBase + size) * channels
            if output.count < needed { output.append(contentsOf: repeatElement(0, count: needed - output.count)) }
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
        return (vocals, background)
    }
}
