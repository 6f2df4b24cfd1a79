import AudioKitCore
import DubSupport
import Foundation
import Synchronization

/// Round trips through the fakes: every fake voice speaks its text at a pitch of its own (one of `slots`, 4 % apart),
/// and the fake recognisers hear that text back when the uploaded audio is steadily at one of those pitches. Pitch
/// survives time-stretching, so a dubbed, fitted line comes back as the words it says; anything else (real speech,
/// whose pitch moves) is heard as the usual `wordN` tokens.
public final class FakeVoices: Sendable {
    static let slots = 40
    private let spoken = Mutex<(next: Int, texts: [Int: String])>((0, [:]))

    /// Registers `text` and returns the pitch (Hz) to speak it at.
    func pitch(for text: String) -> Double {
        let slot = spoken.withLock { state in
            let slot = state.next % Self.slots
            state.next += 1
            state.texts[slot] = text
            return slot
        }
        return Self.pitch(slot)
    }

    /// The text last spoken at `pitch` (within 1.5 %), if any.
    func text(heardAt pitch: Double) -> String? {
        let slot = Int((log(pitch / Self.pitch(0)) / log(1.04)).rounded())
        guard (0..<Self.slots).contains(slot), abs(pitch / Self.pitch(slot) - 1) < 0.015 else { return nil }
        return spoken.withLock { $0.texts[slot] }
    }

    static func pitch(_ slot: Int) -> Double { 160 * pow(1.04, Double(slot)) }

    /// The steady fundamental of a short clip (≤ 30 s), by autocorrelation over its loudest windows; nil when the
    /// windows disagree by more than 1 % (speech whose pitch moves) or the clip is long, silent or undecodable.
    static func steadyPitch(path: String) -> Double? {
        let rate = 16_000, size = 2048
        guard let reader = try? AudioReader(path: path, options: AudioReadOptions(sampleRate: rate, channels: 1)) else { return nil }
        var samples: [Float] = []
        while let chunk = try? reader.next() {
            samples += chunk
            if samples.count > 30 * rate { return nil }
        }
        let windows = stride(from: 0, to: samples.count - size, by: size).map { samples[$0..<($0 + size)] }
        let energies = windows.map { $0.reduce(0) { $0 + $1 * $1 } }
        guard let loudest = energies.max(), loudest > 0 else { return nil }
        let loud = zip(windows, energies).filter { $0.1 >= loudest / 2 }.map(\.0)
        let picked = loud.enumerated().filter { $0.offset % max(1, loud.count / 8) == 0 }.map(\.element)
        let pitches = picked.compactMap { autocorrelationPitch(Array($0), sampleRate: rate) }.sorted()
        guard pitches.count >= 3 else { return nil }
        let median = pitches[pitches.count / 2]
        return pitches.allSatisfy({ abs($0 / median - 1) < 0.01 }) ? median : nil
    }

    /// The first strong autocorrelation peak in `range` (Hz; the fake voices' 140–800 by default), refined by a parabola
    /// through its neighbours; nil when the best normalised peak is not above `threshold`.
    static func autocorrelationPitch(_ x: [Float], sampleRate: Int, range: ClosedRange<Int> = 140...800, threshold: Double = 0.5) -> Double? {
        let minLag = sampleRate / range.upperBound, maxLag = sampleRate / range.lowerBound
        let n = x.count - maxLag - 1
        guard n > 0 else { return nil }
        var r = [Double](repeating: 0, count: maxLag + 2)
        for lag in (minLag - 1)...(maxLag + 1) {
            var sum = 0.0, a = 0.0, b = 0.0
            for i in 0..<n {
                sum += Double(x[i] * x[i + lag])
                a += Double(x[i] * x[i])
                b += Double(x[i + lag] * x[i + lag])
            }
            r[lag] = a > 0 && b > 0 ? sum / (a * b).squareRoot() : 0
        }
        guard let best = r[minLag...maxLag].max(), best > threshold else { return nil }
        guard let lag = (minLag...maxLag).first(where: { r[$0] >= 0.9 * best && r[$0] >= r[$0 - 1] && r[$0] >= r[$0 + 1] }) else { return nil }
        let (left, mid, right) = (r[lag - 1], r[lag], r[lag + 1])
        let denominator = left - 2 * mid + right
        let offset = denominator != 0 ? 0.5 * (left - right) / denominator : 0
        return Double(sampleRate) / (Double(lag) + offset)
    }
}
