import DubSupport
extension TimeStretcher {
    /// Input frames needed before frame `k` can be placed.
    func requiredInput(for k: Int) -> Int {
        min(inputFrames, nominalInputStart(k) + search + frame + frame / 2)
    }

    /// Picks frame `k`'s input position and overlap-adds it at its output position.
    func placeFrame(_ k: Int) {
        let nominal = nominalInputStart(k)
        var start = nominal
        if k > 0 && k < frameCount - 1 && search > 0 {
            let continuation = previousStart + (outputStart(k) - outputStart(k - 1))
            start = bestStart(around: nominal, continuing: continuation)
        }
        previousStart = start
        let target = outputStart(k)
        let needed = (target - outputBase + frame) * channels
        if accumulator.count < needed {
            accumulator += [Float](repeating: 0, count: needed - accumulator.count)
            windowSum += [Float](repeating: 0, count: needed / channels - windowSum.count)
        }
        let available = min(frame, inputReceived - start)
        input.withUnsafeBufferPointer { src in
            accumulator.withUnsafeMutableBufferPointer { acc in
                windowSum.withUnsafeMutableBufferPointer { ws in
                    for i in 0..<max(available, 0) {
                        let w = window[i]
                        let o = target - outputBase + i
                        let s = (start - inputBase + i) * channels
                        for c in 0..<channels { acc[o * channels + c] += w * src[s + c] }
                        ws[o] += w
                    }
                }
            }
        }
    }

    /// The input position within ±search of `nominal` whose frame best continues the waveform at `continuation`:
    /// a coarse pass every `decimation` samples (correlating every `decimation`-th sample), then a full-rate
    /// refinement around the best coarse position.
    func bestStart(around nominal: Int, continuing continuation: Int) -> Int {
        let low = max(0, nominal - search)
        let high = min(inputFrames - frame, nominal + search, inputReceived - frame)
        let length = frame / 2
        guard high > low, continuation + length <= inputReceived, continuation >= inputBase else {
            return min(max(nominal, low), max(high, low))
        }
        let d = decimation
        return mono.withUnsafeBufferPointer { m in
            let base = m.baseAddress! - inputBase
            // Coarse: every d-th sample of the reference and of the search region, copied contiguous.
            let coarseLength = length / d
            let reference = (0..<coarseLength).map { base[continuation + $0 * d] }
            let region = stride(from: low, to: high + length, by: d).map { base[$0] }
            var best = low, bestScore = -Float.infinity
            reference.withUnsafeBufferPointer { r in
                region.withUnsafeBufferPointer { g in
                    var i = 0
                    while low + i * d <= high {
                        let s = Self.similarity(r.baseAddress!, g.baseAddress! + i, coarseLength)
                        if s > bestScore { bestScore = s; best = low + i * d }
                        i += 1
                    }
                }
            }
            var refined = best
            bestScore = -Float.infinity
            for q in max(low, best - d)...min(high, best + d) {
                let s = Self.similarity(base + continuation, base + q, length)
                if s > bestScore { bestScore = s; refined = q }
            }
            return refined
        }
    }

    /// Normalised correlation of `n` samples of `x` with `y` (`x · y / |y|`), eight lanes at a time.
    static func similarity(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var dot = SIMD8<Float>(repeating: 0), energy = SIMD8<Float>(repeating: 0)
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        var i = 0
        while i + 8 <= n {
            let a = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let b = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            dot += a * b
            energy += b * b
            i += 8
        }
        var d = dot.sum(), e = energy.sum() + 1e-9
        while i < n {
            d += x[i] * y[i]
            e += y[i] * y[i]
            i += 1
        }
        return d / e.squareRoot()
    }

    /// Returns the output frames before `end` (absolute), normalised by the window sum.
    func releaseOutput(upTo end: Int) -> [Float] {
        let count = min(end, outputFrames) - outputBase
        guard count > 0 else { return [] }
        var out = [Float](repeating: 0, count: count * channels)
        let have = windowSum.count
        for i in 0..<count where i < have {
            let w = windowSum[i]
            guard w > 1e-6 else { continue }
            let inv = 1 / w
            for c in 0..<channels { out[i * channels + c] = accumulator[i * channels + c] * inv }
        }
        let drop = min(count, have)
        accumulator.removeFirst(drop * channels)
        windowSum.removeFirst(drop)
        outputBase += count
        emitted += count
        return out
    }

    /// Forgets input no later frame can use.
    func trimInput() {
        guard nextFrame < frameCount else { return }
        let keepFrom = min(nominalInputStart(nextFrame) - search, previousStart) - frame
        let drop = keepFrom - inputBase
        if drop > 4096 {
            input.removeFirst(drop * channels)
            mono.removeFirst(drop)
            inputBase += drop
        }
    }
}
