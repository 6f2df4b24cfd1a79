import DubSupport

/// What follows the channel conversion when audio is read at another rate: the rate converter and, for a mono
/// source, the spread over the output's channels after it (libswresample's matrix, as a decoded mono frame gets: half
/// the resampling for stereo). Counts the frames in and out, so the output ends at the exact converted length
/// (rounded), however much the converter holds back or overshoots. Without a rate change it passes the samples on.
final class Resampling {
    /// Channels of the samples it takes: 1 for a mono source spread afterwards, else the output's.
    let inputChannels: Int
    private let channels: Int
    private let sourceRate: Int
    private let rate: Int
    private let converter: RateConverter?
    private let spread: SampleConverter?
    private var framesIn = 0, framesOut = 0

    /// Converts `sourceRate` to `rate` for `channels` output channels; `monoSource`: the samples given are the
    /// source's one channel, spread over `channels` after the rate (when the rate changes and `channels` > 1).
    init(_ kind: ResamplerKind, from sourceRate: Int, to rate: Int, channels: Int, monoSource: Bool, path: String) throws {
        let spreadsAfter = monoSource && sourceRate != rate && channels > 1
        inputChannels = spreadsAfter ? 1 : channels
        self.channels = channels
        self.sourceRate = sourceRate
        self.rate = rate
        converter = sourceRate == rate ? nil
            : try makeRateConverter(kind, from: sourceRate, to: rate, channels: inputChannels, path: path)
        spread = spreadsAfter ? SampleConverter(outputChannels: channels, path: path) : nil
    }

    /// Whether the samples pass through unchanged (no rate change).
    var passesThrough: Bool { converter == nil }

    /// Converts the next interleaved block (`inputChannels` wide).
    func process(_ samples: [Float]) throws -> [Float] {
        framesIn += samples.count / inputChannels
        return try output(converter.map { try $0.process(samples) } ?? samples)
    }

    /// What the converter still holds, padded with silence or cut so that all the output is
    /// `round(frames in × rate / source rate)` frames long.
    func finish() throws -> [Float] {
        var tail = try output(converter?.flush() ?? [])
        let target = Int((Double(framesIn) * Double(rate) / Double(sourceRate)).rounded())
        let missing = target - framesOut
        if missing > 0 {
            tail.append(contentsOf: repeatElement(0, count: missing * channels))
        } else if missing < 0 {
            tail.removeLast(min(tail.count, -missing * channels))
        }
        framesOut = target
        return tail
    }

    private func output(_ converted: [Float]) throws -> [Float] {
        let out = try spread.map { spread in
            converted.isEmpty ? converted : try spread.convert(interleaved: converted, sourceChannels: 1, sampleRate: rate)
        } ?? converted
        framesOut += out.count / channels
        return out
    }
}
