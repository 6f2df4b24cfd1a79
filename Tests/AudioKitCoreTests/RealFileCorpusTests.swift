import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

/// Real media files that other projects made for their own tests (`Tests/Corpus`, with their sources and licences):
/// truncated files, lying headers, decoders that stamp no time, timestamps that start late or jump. Our own generated
/// files agree with our code by construction; these do not.
@Suite("Real third-party files against the ffmpeg CLI", .tags(.reference))
struct RealFileCorpusTests {
    static let folder = Repository.root.appendingPathComponent("Tests/Corpus")
    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { !$0.hasSuffix(".md") }.sorted()

    @Test("the corpus is there and varied") func corpus() {
        #expect(Self.files.count >= 50)
        #expect(Set(Self.files.map { ($0 as NSString).pathExtension }).count >= 20)
    }

    /// 16 kHz mono, as the pipeline reads speech, against `ffmpeg -af aresample=async=1:first_pts=0 -ac 1 -ar 16000`
    /// (the same resampler, the command line's down-mix levels): the same length within 1 ms, and sample-aligned
    /// (no lag beyond ±2 samples) at 40 dB SNR or better; near-silent files within 0.001 of each sample instead.
    /// Where ffmpeg cannot decode a file, dub refuses it too, with one line that names it.
    @Test("every file extracts in agreement with ffmpeg, or both refuse it", arguments: files)
    func agrees(_ name: String) throws {
        let scratch = try Scratch()
        let input = Self.folder.appendingPathComponent(name).path
        let reference = scratch.path("ref.wav")
        let cli = try Tool.capture("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", input, "-vn",
                                              "-af", "aresample=async=1:first_pts=0:rematrix_maxval=1", "-ac", "1", "-ar", "16000",
                                              "-c:a", "pcm_f32le", reference])
        var ours: [Float] = []
        var failure: MediaError?
        do {
            let reader = try AudioReader(path: input, options: AudioReadOptions(sampleRate: 16000, channels: 1, resampler: .swr))
            while let chunk = try reader.next() { ours += chunk }
        } catch let error as MediaError {
            failure = error
        }
        guard cli.status == 0 else {
            let error = try #require(failure, "ffmpeg refuses \(name) (\(cli.stderr.prefix(200))) but dub read \(ours.count) samples")
            let line = ErrorReport.line(for: error)
            #expect(!line.contains("\n") && line.contains(name), "\(line)")
            return
        }
        #expect(failure == nil, "ffmpeg reads \(name) but dub refuses it: \(failure.map { ErrorReport.line(for: $0) } ?? "")")
        let ref = try SignalCompare.read(reference).samples
        #expect(abs(ours.count - ref.count) <= 16, "\(ours.count) samples against ffmpeg's \(ref.count)")
        let loudest = ref.map(abs).max() ?? 0
        if SignalCompare.rms(ref, channels: 1, rate: 16000, from: 0, to: Double(ref.count) / 16000) > 0.001 {
            let (snr, lag) = SignalCompare.alignedSNR(reference: ref, test: ours, channels: 1, maxLag: 2)
            #expect(snr >= 40, "SNR \(snr) dB at lag \(lag)")
        } else {
            let worst = zip(ref, ours).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 0.001, "largest difference \(worst) on a near-silent file (peak \(loudest))")
        }
    }
}
