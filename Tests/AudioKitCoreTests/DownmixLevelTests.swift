import AudioKitCore
import Foundation
import DubSupport
import TestSupport
import Testing

/// Channel counts of the layouts the down-mix tests use (ffmpeg's names).
private let layoutChannels = ["mono": 1, "stereo": 2, "5.1": 6, "5.1(side)": 6, "7.1": 8]

/// One conversion: a source layout to a channel count.
struct Downmix: CustomTestStringConvertible, Sendable {
    let layout: String
    let channels: Int
    var testDescription: String { "\(layout) → \(channels == 1 ? "mono" : "stereo")" }

    static let all: [Downmix] = ["mono", "stereo", "5.1", "5.1(side)", "7.1"].flatMap { layout in
        [1, 2].filter { $0 != layoutChannels[layout] }.map { Downmix(layout: layout, channels: $0) }
    }
}

@Suite("Down-mix levels against the ffmpeg CLI", .tags(.reference))
struct DownmixLevelTests {
    /// libswresample normalises its matrix only for integer output; the ffmpeg command line's default output (16-bit
    /// WAV) is therefore normalised, and a float reader that did not ask for it came out up to several times louder
    /// and clipped. Every channel here carries the same loud tone (plus a quiet one of its own), so a down-mix sums to
    /// the most it can.
    @Test("at full scale, every down-mix matches `ffmpeg -ac N` within 0.1 dB, sample for sample, and never clips",
          arguments: Downmix.all)
    func levels(_ c: Downmix) throws {
        let scratch = try Scratch()
        let count = layoutChannels[c.layout]!
        let exprs = (0..<count).map { "0.9*sin(2*PI*440*t)+0.09*sin(2*PI*\(700 + 110 * $0)*t)" }.joined(separator: "|")
        let input = scratch.path("in.wav")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "aevalsrc=exprs=\(exprs):s=48000:c=\(c.layout):d=1", "-c:a", "pcm_f32le", input])

        let reader = try AudioReader(path: input, options: AudioReadOptions(channels: c.channels))
        var ours: [Float] = []
        while let chunk = try reader.next() { ours += chunk }
        #expect(reader.channels == c.channels)

        // The command line's own output (16-bit, where libswresample normalises) sets the level; the same matrix at
        // float output (`-rematrix_maxval 1`) is the sample-for-sample reference.
        try Tool.ffmpeg(["-i", input, "-ac", "\(c.channels)", scratch.path("cli.wav")])
        try Tool.ffmpeg(["-i", input, "-ac", "\(c.channels)", "-rematrix_maxval", "1", "-c:a", "pcm_f32le", scratch.path("float.wav")])
        let cli = try SignalCompare.read(scratch.path("cli.wav"))
        let float = try SignalCompare.read(scratch.path("float.wav"))

        let level = 20 * log10(SignalCompare.rms(ours, channels: c.channels, rate: 48000, from: 0, to: 1)
                               / SignalCompare.rms(cli.samples, channels: c.channels, rate: 48000, from: 0, to: 1))
        #expect(abs(level) <= 0.1, "\(level) dB from the ffmpeg CLI's level")
        #expect(ours.count == float.samples.count)
        let (snr, _) = SignalCompare.alignedSNR(reference: float.samples, test: ours, channels: c.channels, maxLag: 0)
        #expect(snr >= 60, "SNR \(snr) dB against ffmpeg's float down-mix")
        let peak = ours.map(abs).max() ?? 0
        #expect(peak <= 1, "peak \(peak)")
        #expect(peak > 0.3, "silent output (peak \(peak))")
    }
}
