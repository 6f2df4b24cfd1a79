#if canImport(Glibc)
import Glibc
#endif

/// A 5 ms look-ahead limiter: the gain falls ahead of each peak (the minimum of the needed gains over the
/// look-ahead window, smoothed) and recovers over ~80 ms; a final clamp guarantees the sample ceiling. Linked: one gain
/// for every channel; unlinked: one per channel.
struct LookAheadLimiter {
    let ceiling: Float
    let channels: Int
    let lookahead: Int
    let releaseCoefficient: Float
    let linked: Bool
    /// The number of gains: one (linked) or one per channel.
    let groups: Int
    /// Input not yet given out (interleaved).
    private var delay: [Float] = []
    /// For each frame of `delay`, the gain each group needs (frame by frame, `groups` values each).
    private var needed: [Float] = []
    private var gains: [Float]
    /// The sliding minimum's queue of frame indices (kept between calls for its storage).
    private var queue: [Int] = []

    init(ceiling: Float, sampleRate: Int, channels: Int, linked: Bool = true) {
        self.ceiling = ceiling
        self.channels = channels
        self.linked = linked
        lookahead = max(1, sampleRate / 200)
        releaseCoefficient = Float(1 - exp(-1 / (0.08 * Double(sampleRate))))
        groups = linked ? 1 : channels
        gains = Array(repeating: 1, count: groups)
    }

    /// Takes interleaved samples; returns those that have left the look-ahead, limited.
    mutating func process(_ input: [Float]) -> [Float] {
        let frames = input.count / channels
        let start = needed.count
        needed.append(contentsOf: repeatElement(1, count: frames * groups))
        let (channels, groups, ceiling, linked) = (channels, groups, ceiling, linked)
        needed.withUnsafeMutableBufferPointer { need in
            input.withUnsafeBufferPointer { x in
                if linked {
                    for f in 0..<frames {
                        var peak: Float = 0
                        for c in 0..<channels { peak = max(peak, abs(x[f * channels + c])) }
                        need[start + f] = peak > ceiling ? ceiling / peak : 1
                    }
                } else {
                    for i in 0..<(frames * groups) {
                        let peak = abs(x[i])
                        need[start + i] = peak > ceiling ? ceiling / peak : 1
                    }
                }
            }
        }
        delay += input
        return drain(keep: lookahead)
    }

    /// Gives out everything still held, at the end of the input.
    mutating func flush() -> [Float] { drain(keep: 0) }

    /// Limits and gives out all but the last `keep` frames: each gain follows the minimum of the needed gains over the
    /// frame and the `lookahead` frames after it (those held back included), falling fast and recovering slowly.
    private mutating func drain(keep: Int) -> [Float] {
        let pending = needed.count / groups
        let ready = pending - keep
        guard ready > 0 else { return [] }
        var out = [Float](repeating: 0, count: ready * channels)
        if queue.count < pending { queue = Array(repeating: 0, count: pending) }
        var gains = gains
        let (channels, groups, ceiling, linked, window, release) = (channels, groups, ceiling, linked, lookahead, releaseCoefficient)
        out.withUnsafeMutableBufferPointer { out in
            delay.withUnsafeBufferPointer { delay in
                needed.withUnsafeBufferPointer { need in
                    queue.withUnsafeMutableBufferPointer { queue in
                        for g in 0..<groups {
                            // A monotonic queue over the needed gains of this group: its head is the window's minimum.
                            var head = 0, tail = 0, next = 0
                            var gain = gains[g]
                            let first = linked ? 0 : g, width = linked ? channels : 1
                            for f in 0..<ready {
                                let last = min(pending - 1, f + window)
                                while next <= last {
                                    let value = need[next * groups + g]
                                    while tail > head, need[queue[tail - 1] * groups + g] >= value { tail -= 1 }
                                    queue[tail] = next
                                    tail += 1
                                    next += 1
                                }
                                while queue[head] < f { head += 1 }
                                let target = need[queue[head] * groups + g]
                                if target < gain {
                                    gain += (target - gain) * 0.5
                                    gain = min(gain, need[f * groups + g])
                                } else {
                                    gain += (target - gain) * release
                                }
                                for c in first..<(first + width) {
                                    out[f * channels + c] = max(-ceiling, min(ceiling, delay[f * channels + c] * gain))
                                }
                            }
                            gains[g] = gain
                        }
                    }
                }
            }
        }
        self.gains = gains
        needed.removeFirst(ready * groups)
        delay.removeFirst(ready * channels)
        return out
    }
}
