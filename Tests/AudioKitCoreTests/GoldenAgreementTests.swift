import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

/// The speed work of issue 15 must not change the audio: separation, mix, loudness and voice activity agree with the
/// outputs the DSP gave before it (Tests/Golden, made by commit 02df612; its README says how).
@Suite("Faster DSP gives the audio it gave before (golden outputs)")
struct GoldenAgreementTests {
    static func golden(_ name: String) -> String { Repository.root.appendingPathComponent("Tests/Golden/\(name)").path }

    static func json(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: golden(name)))) as! [String: Any]
    }

    /// SNR of `test` against `reference`, sample-aligned (no lag search), both the same length.
    static func snr(_ reference: [Float], _ test: [Float]) -> Double {
        // Different lengths are a failure too.
        guard reference.count == test.count else { return -.infinity }
        var signal = 0.0, noise = 0.0
        for i in 0..<min(reference.count, test.count) {
            signal += Double(reference[i]) * Double(reference[i])
            noise += Double(reference[i] - test[i]) * Double(reference[i] - test[i])
        }
        return 10 * log10(signal / max(noise, 1e-30))
    }

    /// The 6 s stereo excerpt of the English sample the golden files were made from (2 s in, float).
    static func english6(in scratch: Scratch) throws -> String {
        let path = scratch.path("english6.wav")
        try SignalCompare.decode(Repository.sample("english.mp4"), options: AudioReadOptions(start: 2, duration: 6), to: path)
        return path
    }

    @Test("stereo and mono separation: vocals and background within 60 dB SNR of the golden stems")
    func separationAgreesWithGolden() async throws {
        // Off Swift's cooperative pool: seconds of DSP in a debug build would starve the suites that wait on timers.
        let failures = try await OffPool.run { try Self.checkSeparation() }
        #expect(failures.isEmpty, "\(failures)")
    }

    static func checkSeparation() throws -> [String] {
        var findings = Findings()
        let scratch = try Scratch()
        for (input, golden) in [(try Self.english6(in: scratch), "english6.vocals.flac"), (Repository.sample("mono.wav"), "mono.vocals.flac")] {
            let vocals = scratch.path("\(golden).vocals.wav"), background = scratch.path("\(golden).background.wav")
            _ = try VocalSeparator.separate(input: input, vocals: vocals, background: background)
            let reference = try SignalCompare.read(Self.golden(golden)).samples
            let original = try SignalCompare.read(input).samples
            let newVocals = try SignalCompare.read(vocals).samples
            let vocalsSNR = Self.snr(reference, newVocals)
            findings.check(vocalsSNR >= 60, "\(golden): vocals SNR \(vocalsSNR) dB")
            // The golden background is the input minus the golden vocals (the stems add up to the input).
            let referenceBackground = zip(original, reference).map { $0 - $1 }
            let backgroundSNR = Self.snr(referenceBackground, try SignalCompare.read(background).samples)
            findings.check(backgroundSNR >= 60, "\(golden): background SNR \(backgroundSNR) dB")
        }
        return findings.failures
    }

    @Test("mix with ducking, -16 LUFS and the limiter: within 60 dB SNR of the golden mix, same loudness and peak")
    func mixAgreesWithGolden() async throws {
        let failures = try await OffPool.run { try Self.checkMix() }
        #expect(failures.isEmpty, "\(failures)")
    }

    static func checkMix() throws -> [String] {
        var findings = Findings()
        let scratch = try Scratch()
        // The golden bed is the golden background stem of the excerpt.
        let input = try Self.english6(in: scratch)
        let original = try SignalCompare.read(input)
        let vocals = try SignalCompare.read(Self.golden("english6.vocals.flac")).samples
        let bed = scratch.path("bed.wav")
        try SignalCompare.write(zip(original.samples, vocals).map { $0 - $1 }, to: bed, rate: original.rate, channels: original.channels)
        var settings = MixSettings()
        settings.loudness = .lufs(-16)
        let output = scratch.path("mix.wav")
        let report = try Mixer.mix(bed: bed, clips: [MixClip(path: Repository.sample("mono.wav"), start: 0.5),
                                                     MixClip(path: Repository.sample("mono.wav"), start: 3.25, gain: -3)],
                                   output: output, settings: settings)
        let mixSNR = Self.snr(try SignalCompare.read(Self.golden("mix.flac")).samples, try SignalCompare.read(output).samples)
        findings.check(mixSNR >= 60, "mix SNR \(mixSNR) dB")
        let golden = try Self.json("mix.json")
        findings.check(abs(report.loudnessAfter - (golden["loudness_after_lufs"] as! Double)) < 0.01, "loudness_after_lufs: \(report.loudnessAfter) vs golden \(golden["loudness_after_lufs"] ?? "-")")
        findings.check(abs(report.loudnessBefore - (golden["loudness_before_lufs"] as! Double)) < 0.01, "loudness_before_lufs: \(report.loudnessBefore) vs golden \(golden["loudness_before_lufs"] ?? "-")")
        findings.check(abs(report.truePeak - (golden["true_peak_dbtp"] as! Double)) < 0.01, "true_peak_dbtp: \(report.truePeak) vs golden \(golden["true_peak_dbtp"] ?? "-")")
        return findings.failures
    }

    @Test("loudness and voice activity: the golden figures and speech regions")
    func loudnessAndActivityAgreeWithGolden() async throws {
        let failures = try await OffPool.run { try Self.checkLoudnessAndActivity() }
        #expect(failures.isEmpty, "\(failures)")
    }

    static func checkLoudnessAndActivity() throws -> [String] {
        var findings = Findings()
        let scratch = try Scratch()
        let measured = try LoudnessMeter.measure(path: try Self.english6(in: scratch))
        let golden = try Self.json("loudness.json")
        findings.check(abs(measured.integrated - (golden["integrated_lufs"] as! Double)) < 0.01, "integrated_lufs: \(measured.integrated) vs golden \(golden["integrated_lufs"] ?? "-")")
        findings.check(abs(measured.range - (golden["range_lu"] as! Double)) < 0.01, "range_lu: \(measured.range) vs golden \(golden["range_lu"] ?? "-")")
        findings.check(abs(measured.truePeak - (golden["true_peak_dbtp"] as! Double)) < 0.01, "true_peak_dbtp: \(measured.truePeak) vs golden \(golden["true_peak_dbtp"] ?? "-")")
        let regions = try VoiceActivityDetector().analyze(path: Repository.sample("mono.wav")).regions
        let goldenRegions = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.golden("vad.json")))) as! [[String: Double]]
        findings.check(regions.count == goldenRegions.count, "\(regions.count) speech regions, golden \(goldenRegions.count)")
        for (region, expected) in zip(regions, goldenRegions) {
            findings.check(abs(region.start - expected["start"]!) < 0.001 && abs(region.end - expected["end"]!) < 0.001, "\(region) vs \(expected)")
        }
        return findings.failures
    }
}
