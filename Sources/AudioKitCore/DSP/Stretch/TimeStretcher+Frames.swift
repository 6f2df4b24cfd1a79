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

    /// The input position within ±search of `nominal` whose frame best continues the waveform at `continuation`.
    func bestStart(around nominal: Int, continuing continuation: Int) -> Int {
        let low = max(0, nominal - search)
        let high = min(inputFrames - frame, nominal + search, inputReceived - frame)
        guard high > low, continuation + frame / 2 <= inputReceived, continuation >= inputBase else { return min(max(nominal, low), max(high, low)) }
        let length = frame / 2
        let reference = mono(from: continuation, count: length)
        // Coarse search on a decimated mix, then refine around the best coarse position at full rate.
        let d = decimation
        let coarseRef = decimate(reference)
        let region = mono(from: low, count: high - low + length)
        let coarseRegion = decimate(region)
        var best = low
        var bestScore = -Float.infinity
        var candidate = 0
        while candidate * d <= high - low {
            let score = correlation(coarseRef, coarseRegion, offset: candidate)
            if score > bestScore { bestScore = score; best = low + candidate * d }
            candidate += 1
        }
        let refineLow = max(low, best - d), refineHigh = min(high, best + d)
        bestScore = -Float.infinity
        var refined = best
        for q in refineLow...refineHigh {
            let score = correlation(reference, region, offset: q - low)
            if score > bestScore { bestScore = score; refined = q }
        }
        return refined
    }

    /// A mono mix of `count` input frames from absolute frame `start` (zeros past what has arrived).
    func mono(from start: Int, count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        let scale = 1 / Float(channels)
        input.withUnsafeBufferPointer { src in
            for i in 0..<count {
                let f = start - inputBase + i
                guard f >= 0, f < src.count / channels else { continue }
                var sum: Float = 0
                for c in 0..<channels { sum += src[f * channels + c] }
                out[i] = sum * scale
            }
        }
        return out
    }

    func decimate(_ x: [Float]) -> [Float] {
        guard decimation > 1 else { return x }
        return stride(from: 0, to: x.count - decimation + 1, by: decimation).map { i in
            var s: Float = 0
            for j in 0..<decimation { s += x[i + j] }
            return s
        }
    }

    /// Normalised cross-correlation of `a` with `b[offset...]`.
    func correlation(_ a: [Float], _ b: [Float], offset: Int) -> Float {
        let n = min(a.count, b.count - offset)
        guard n > 0 else { return -.infinity }
        var dot: Float = 0, energy: Float = 1e-9
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                var i = 0
                var d4 = SIMD4<Float>(repeating: 0), e4 = SIMD4<Float>(repeating: 0)
                while i + 4 <= n {
                    let x = SIMD4(pa[i], pa[i + 1], pa[i + 2], pa[i + 3])
                    let y = SIMD4(pb[offset + i], pb[offset + i + 1], pb[offset + i + 2], pb[offset + i + 3])
                    d4 += x * y
                    e4 += y * y
                    i += 4
                }
                dot = d4.sum()
                energy += e4.sum()
                while i < n {
                    dot += pa[i] * pb[offset + i]
                    energy += pb[offset + i] * pb[offset + i]
                    i += 1
                }
            }
        }
        return dot / energy.squareRoot()
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
            inputBase += drop
        }
    }
}
