import DubSupport
/// The voice activity of one piece of audio: per-frame decisions, the speech regions, and cut points.
public struct VoiceActivity: Sendable {
    let features: FrameFeatures
    let settings: VoiceActivityDetector.Settings
    /// Whether each 10 ms frame is speech (after hysteresis, minimum durations and padding).
    public let frames: [Bool]
    /// The noise floor the thresholds are relative to, in dB.
    public let noiseFloor: Double
    /// What reading the file warned about (a truncated or damaged input), when analysed from a file.
    public internal(set) var warnings: [String] = []

    /// The length of one analysis frame step, in seconds.
    public static let frameSeconds = Double(VoiceActivityDetector.hop) / Double(VoiceActivityDetector.analysisRate)

    /// The length of audio the frames cover, in seconds.
    public var duration: Double { Double(frames.count) * Self.frameSeconds }

    init(features: FrameFeatures, settings: VoiceActivityDetector.Settings) {
        self.features = features
        self.settings = settings
        let sorted = features.energy.sorted()
        let floor = sorted.isEmpty ? -120 : sorted[Int(Double(sorted.count - 1) * 0.15)]
        noiseFloor = floor
        let floorShare = Self.median(zip(features.energy, features.speechShare).filter { $0.0 <= floor + 3 }.map(\.1)) ?? 0.5
        var raw = [Bool](repeating: false, count: features.energy.count)
        var active = false
        for i in raw.indices {
            let level = features.energy[i] - floor
            let speechLike = features.speechShare[i] >= min(0.45, floorShare + 0.05)
            if active {
                active = level > settings.offThreshold
            } else {
                active = level > settings.onThreshold && speechLike
            }
            raw[i] = active
        }
        frames = Self.clean(raw, settings: settings)
    }

    /// Bridges short pauses, drops short bursts, pads regions.
    static func clean(_ raw: [Bool], settings: VoiceActivityDetector.Settings) -> [Bool] {
        var regions = runs(raw)
        let minSilence = Int(settings.minSilence / frameSeconds), minSpeech = Int(settings.minSpeech / frameSeconds)
        var merged: [(Int, Int)] = []
        for region in regions {
            if let last = merged.last, region.0 - last.1 < minSilence {
                merged[merged.count - 1].1 = region.1
            } else {
                merged.append(region)
            }
        }
        regions = merged.filter { $0.1 - $0.0 >= minSpeech }
        let pad = Int(settings.padding / frameSeconds)
        var out = [Bool](repeating: false, count: raw.count)
        for (a, b) in regions {
            for i in max(0, a - pad)..<min(raw.count, b + pad) { out[i] = true }
        }
        return out
    }

    /// [start, end) frame runs of `true`.
    static func runs(_ flags: [Bool]) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var start: Int?
        for (i, f) in flags.enumerated() {
            if f, start == nil { start = i }
            if !f, let s = start { out.append((s, i)); start = nil }
        }
        if let s = start { out.append((s, flags.count)) }
        return out
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return values.sorted()[values.count / 2]
    }

    /// The speech regions in seconds.
    public var regions: [VoiceActivityDetector.Region] {
        Self.runs(frames).map { VoiceActivityDetector.Region(start: Double($0.0) * Self.frameSeconds, end: Double($0.1) * Self.frameSeconds) }
    }

    /// Whether the frame at `time` is speech.
    public func isSpeech(at time: Double) -> Bool {
        let i = Int(time / Self.frameSeconds)
        return i >= 0 && i < frames.count && frames[i]
    }

    /// The quietest moment within `window` seconds of `time`: non-speech frames are preferred, then the lowest
    /// energy, then the nearest to `time`.
    public func bestCut(near time: Double, within window: Double) -> Double {
        guard !frames.isEmpty else { return time }
        let center = Int(time / Self.frameSeconds)
        let lo = max(0, center - Int(window / Self.frameSeconds)), hi = min(frames.count - 1, center + Int(window / Self.frameSeconds))
        guard lo <= hi else { return time }
        let best = (lo...hi).min { a, b in
            let ka = (frames[a] ? 1 : 0, features.energy[a], abs(a - center))
            let kb = (frames[b] ? 1 : 0, features.energy[b], abs(b - center))
            return ka < kb
        }!
        return (Double(best) + 0.5) * Self.frameSeconds
    }
}
