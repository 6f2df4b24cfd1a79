import DubSupport

/// Streams mono audio with its leading and trailing silence cut, keeping `margin` seconds of each, so a synthesized
/// line's measured length is its speech and the fit places the speech, not the engine's padding. Silence inside the
/// audio is kept; memory is the longest pause, not the clip.
public struct SilenceTrimmer: Sendable {
    /// A sample louder than this (absolute, full scale 1) is sound.
    public let threshold: Float
    /// Samples of silence kept before the first sound and after the last.
    public let margin: Int
    private var started = false
    /// Before the first sound: its last `margin` samples. After it: the quiet samples since the last sound.
    private var held: [Float] = []

    /// A trimmer for audio at `sampleRate`.
    public init(sampleRate: Int, threshold: Float = 0.002, margin: Double = 0.01) {
        self.threshold = threshold
        self.margin = Int(Double(sampleRate) * margin)
    }

    /// The samples of `chunk` (and any held back before it) that belong to the trimmed audio so far.
    public mutating func process(_ chunk: [Float]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(chunk.count)
        for x in chunk {
            if abs(x) > threshold {
                if !started {
                    started = true
                    out += held.suffix(margin)
                } else {
                    out += held
                }
                held.removeAll(keepingCapacity: true)
                out.append(x)
            } else {
                held.append(x)
                if !started, held.count > 4 * max(margin, 1) { held.removeFirst(held.count - margin) }
            }
        }
        return out
    }

    /// The trailing margin, at the end of the audio (nothing when it was silent throughout).
    public mutating func finish() -> [Float] {
        defer { held.removeAll() }
        return started ? Array(held.prefix(margin)) : []
    }

    /// Whether any sound has been seen.
    public var heardSound: Bool { started }

    /// `samples` trimmed in one go.
    public static func trim(_ samples: [Float], sampleRate: Int) -> [Float] {
        var trimmer = SilenceTrimmer(sampleRate: sampleRate)
        let body = trimmer.process(samples)
        return trimmer.heardSound ? body + trimmer.finish() : samples
    }
}
