import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// Tempo change without pitch change by WSOLA (waveform-similarity overlap-add), tuned for speech,
/// producing exactly the requested number of output frames.
///
/// Frames of ~30 ms are taken from the input at positions spread evenly from its start to its end, each
/// shifted within ±12 ms to the spot whose waveform best continues the previous frame (normalised cross-
/// correlation, coarse on a decimated mono mix, then refined at full rate), Hann-windowed and overlap-added
/// at evenly spread output positions; the sum is divided by the window sum, so the first and last samples
/// are the input's own and nothing clicks at the boundaries. Streaming: memory is bounded by a few frames.
public final class TimeStretcher {
    public let sampleRate: Int
    public let channels: Int
    public let inputFrames: Int
    public let outputFrames: Int
    /// The tempo factor: > 1 faster (shorter), < 1 slower.
    public var factor: Double { Double(inputFrames) / Double(outputFrames) }

    let frame: Int
    let search: Int
    let decimation: Int
    let frameCount: Int
    let window: [Float]

    /// Input not yet released, interleaved; `inputBase` is the absolute frame index of its first frame.
    var input: [Float] = []
    /// The same input mixed to mono, for the similarity search.
    var mono: [Float] = []
    var inputBase = 0
    var inputReceived = 0
    /// Output accumulators from `outputBase` on, interleaved, with the window sum per frame.
    var accumulator: [Float] = []
    var windowSum: [Float] = []
    var outputBase = 0
    var nextFrame = 0
    var previousStart = 0
    var emitted = 0

    /// Prepares to turn `inputFrames` frames into exactly `outputFrames` frames.
    /// - Throws: `MediaError.invalidArgument` when the factor is outside 0.5–2.0 or a length is not positive.
    public init(sampleRate: Int, channels: Int, inputFrames: Int, outputFrames: Int) throws {
        guard inputFrames > 0, outputFrames > 0 else {
            throw MediaError(.invalidArgument, "time-stretch needs audio and a positive target length")
        }
        let factor = Double(inputFrames) / Double(outputFrames)
        guard factor >= 0.5 - 1e-9, factor <= 2.0 + 1e-9 else {
            throw MediaError(.invalidArgument, "time-stretch factor \(factor.fixed(2)) is outside 0.5–2.0")
        }
        self.sampleRate = sampleRate
        self.channels = channels
        self.inputFrames = inputFrames
        self.outputFrames = outputFrames
        var n = max(64, Int(0.030 * Double(sampleRate)) & ~1)
        n = min(n, max(2, min(inputFrames, outputFrames) & ~1))
        frame = n
        search = min(Int(0.012 * Double(sampleRate)), max(0, (inputFrames - n) / 4))
        decimation = max(2, sampleRate / 4000)
        let hop = Double(n / 2)
        frameCount = outputFrames <= n ? 1 : Int((Double(outputFrames - n) / hop).rounded(.up)) + 1
        window = (0..<n).map { (i: Int) -> Float in
            let phase: Double = 2 * Double.pi * (Double(i) + 0.5) / Double(n)
            return Float(0.5 - 0.5 * cos(phase))
        }
    }

    /// Where frame `k` goes in the output.
    func outputStart(_ k: Int) -> Int {
        frameCount == 1 ? 0 : Int((Double(k) * Double(outputFrames - frame) / Double(frameCount - 1)).rounded())
    }

    /// Where frame `k` is nominally taken from in the input.
    func nominalInputStart(_ k: Int) -> Int {
        frameCount == 1 ? 0 : Int((Double(k) * Double(max(inputFrames - frame, 0)) / Double(frameCount - 1)).rounded())
    }

    /// Adds input (interleaved) and returns the output that is final.
    public func process(_ chunk: [Float]) -> [Float] {
        input += chunk
        if channels == 1 {
            mono += chunk
        } else {
            let scale = 1 / Float(channels)
            mono += (0..<(chunk.count / channels)).map { f in
                var sum: Float = 0
                for c in 0..<channels { sum += chunk[f * channels + c] }
                return sum * scale
            }
        }
        inputReceived += chunk.count / channels
        var out: [Float] = []
        while nextFrame < frameCount, inputReceived >= requiredInput(for: nextFrame) {
            placeFrame(nextFrame)
            nextFrame += 1
            out += releaseOutput(upTo: nextFrame < frameCount ? outputStart(nextFrame) : outputFrames)
            trimInput()
        }
        return out
    }

    /// Signals the end of input and returns the rest of the output; the total is exactly `outputFrames`.
    public func finish() -> [Float] {
        var out: [Float] = []
        while nextFrame < frameCount {
            placeFrame(nextFrame)
            nextFrame += 1
            out += releaseOutput(upTo: nextFrame < frameCount ? outputStart(nextFrame) : outputFrames)
        }
        out += releaseOutput(upTo: outputFrames)
        return out
    }

    /// Stretches a whole buffer.
    public static func stretch(_ samples: [Float], channels: Int, sampleRate: Int, outputFrames: Int) throws -> [Float] {
        let stretcher = try TimeStretcher(sampleRate: sampleRate, channels: channels, inputFrames: samples.count / channels,
                                          outputFrames: outputFrames)
        return stretcher.process(samples) + stretcher.finish()
    }
}
