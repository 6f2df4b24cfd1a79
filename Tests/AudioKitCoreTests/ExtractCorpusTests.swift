import AudioKitCore
import DubSupport
import TestSupport
import Testing

/// One generated test file: codec, container, sample rate and channel layout.
struct CorpusCase: CustomTestStringConvertible, Sendable {
    let encoder: String
    let container: String
    let rate: Int
    let layout: String
    var extra: [String] = []

    var testDescription: String { "\(encoder) in .\(container) at \(rate) Hz \(layout)" }

    var channels: Int { ["mono": 1, "stereo": 2, "5.1": 6][layout]! }

    /// A 3-second multi-tone signal, different on every channel, amplitude-modulated so alignment is unambiguous.
    func generate(in scratch: Scratch) throws -> String {
        let tones = [440.0, 660.0, 330.0, 60.0, 550.0, 770.0]
        let exprs = (0..<channels).map { c in
            "0.25*sin(2*PI*\(tones[c])*t)*(0.6+0.4*sin(2*PI*1.7*t))+0.1*sin(2*PI*\(tones[c] * 2.3)*t+\(c))"
        }.joined(separator: "|")
        let path = scratch.path("in.\(container)")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "aevalsrc=exprs=\(exprs):s=\(rate):c=\(layout):d=3",
                         "-c:a", encoder] + extra + [path])
        return path
    }
}

@Suite("Extract against the ffmpeg CLI", .tags(.reference))
struct ExtractCorpusTests {
    static let cases: [CorpusCase] = [
        CorpusCase(encoder: "aac", container: "mp4", rate: 44100, layout: "stereo"),
        CorpusCase(encoder: "aac", container: "mov", rate: 48000, layout: "mono"),
        CorpusCase(encoder: "aac", container: "mkv", rate: 22050, layout: "stereo"),
        CorpusCase(encoder: "aac", container: "ts", rate: 48000, layout: "stereo"),
        CorpusCase(encoder: "aac", container: "mp4", rate: 48000, layout: "5.1"),
        CorpusCase(encoder: "libmp3lame", container: "mp3", rate: 44100, layout: "stereo"),
        CorpusCase(encoder: "libmp3lame", container: "mkv", rate: 16000, layout: "mono"),
        CorpusCase(encoder: "libopus", container: "webm", rate: 48000, layout: "stereo"),
        CorpusCase(encoder: "libopus", container: "ogg", rate: 48000, layout: "mono"),
        CorpusCase(encoder: "libvorbis", container: "ogg", rate: 44100, layout: "stereo"),
        CorpusCase(encoder: "libvorbis", container: "webm", rate: 32000, layout: "mono"),
        CorpusCase(encoder: "flac", container: "flac", rate: 96000, layout: "stereo"),
        CorpusCase(encoder: "flac", container: "mkv", rate: 8000, layout: "mono"),
        CorpusCase(encoder: "flac", container: "ogg", rate: 24000, layout: "stereo"),
        CorpusCase(encoder: "pcm_s16le", container: "wav", rate: 8000, layout: "mono"),
        CorpusCase(encoder: "pcm_s24le", container: "wav", rate: 96000, layout: "5.1"),
        CorpusCase(encoder: "pcm_s16le", container: "mov", rate: 11025, layout: "stereo"),
        CorpusCase(encoder: "ac3", container: "mkv", rate: 48000, layout: "5.1"),
        CorpusCase(encoder: "ac3", container: "ts", rate: 44100, layout: "stereo"),
        CorpusCase(encoder: "ac3", container: "mp4", rate: 48000, layout: "stereo"),
    ]

    /// Extracts with AudioKitCore and with the ffmpeg CLI, then checks length and content.
    /// `resample` adds options to the reference's `aresample` filter, whose `async=1:first_pts=0` puts sample 0 where
    /// the ffmpeg command line's timeline starts (the container's start), as dub's reader does.
    private func compare(_ input: String, scratch: Scratch, options: AudioReadOptions, resample: String = "", output: [String] = [],
                         seconds: Double) throws {
        let ours = scratch.path("ours.wav")
        let reader = try SignalCompare.decode(input, options: options, to: ours)
        #expect(reader.warnings.isEmpty, "unexpected warnings: \(reader.warnings)")

        let reference = scratch.path("ref.wav")
        try Tool.ffmpeg(["-i", input, "-vn", "-af", "aresample=async=1:first_pts=0" + resample] + output + ["-c:a", "pcm_f32le", reference])
        let ref = try SignalCompare.read(reference)
        let got = try SignalCompare.read(ours)
        #expect(got.rate == ref.rate)
        #expect(got.channels == ref.channels)
        let refFrames = ref.samples.count / ref.channels
        let gotFrames = got.samples.count / got.channels
        let tolerance = max(1, Int(seconds.rounded(.up)))
        #expect(abs(refFrames - gotFrames) <= tolerance, "length \(gotFrames) vs ffmpeg's \(refFrames)")
        let (snr, lag) = SignalCompare.alignedSNR(reference: ref.samples, test: got.samples, channels: ref.channels, maxLag: 2)
        #expect(snr >= 40, "SNR \(snr) dB at lag \(lag)")
    }

    @Test("native rate and layout", arguments: cases)
    func native(_ c: CorpusCase) throws {
        let scratch = try Scratch()
        let input = try c.generate(in: scratch)
        try compare(input, scratch: scratch, options: AudioReadOptions(), seconds: 3)
    }

    // The float references ask for the down-mix levels of the command line's default 16-bit output (`rematrix_maxval`
    // 1), as dub's reader makes them (see DownmixLevelTests).
    @Test("16 kHz mono with libsoxr", arguments: cases)
    func soxrMono16k(_ c: CorpusCase) throws {
        let scratch = try Scratch()
        let input = try c.generate(in: scratch)
        try compare(input, scratch: scratch, options: AudioReadOptions(sampleRate: 16000, channels: 1, resampler: .soxr),
                    resample: ":osr=16000:ochl=mono:resampler=soxr:rematrix_maxval=1", seconds: 3)
    }

    @Test("16 kHz mono with libswresample", arguments: cases)
    func swrMono16k(_ c: CorpusCase) throws {
        let scratch = try Scratch()
        let input = try c.generate(in: scratch)
        try compare(input, scratch: scratch, options: AudioReadOptions(sampleRate: 16000, channels: 1, resampler: .swr),
                    resample: ":rematrix_maxval=1", output: ["-ac", "1", "-ar", "16000"], seconds: 3)
    }

    @Test("upsampling 8 kHz to 48 kHz stereo", arguments: ResamplerKind.allCases)
    func upsample(_ kind: ResamplerKind) throws {
        let scratch = try Scratch()
        let input = try CorpusCase(encoder: "pcm_s16le", container: "wav", rate: 8000, layout: "mono").generate(in: scratch)
        try compare(input, scratch: scratch, options: AudioReadOptions(sampleRate: 48000, channels: 2, resampler: kind),
                    resample: kind == .soxr ? ":osr=48000:ochl=stereo:resampler=soxr" : "",
                    output: kind == .soxr ? [] : ["-ac", "2", "-ar", "48000"], seconds: 3)
    }

    @Test("start and duration cut at the exact sample")
    func window() throws {
        let scratch = try Scratch()
        let input = try CorpusCase(encoder: "flac", container: "flac", rate: 44100, layout: "stereo").generate(in: scratch)
        let all = try readAll(input, AudioReadOptions())
        let part = try readAll(input, AudioReadOptions(start: 2.25, duration: 0.5))
        #expect(part.count == Int(0.5 * 44100) * 2)
        let offset = Int(2.25 * 44100) * 2
        #expect(Array(all[offset..<(offset + part.count)]) == part)
        let resampled = try readAll(input, AudioReadOptions(sampleRate: 16000, channels: 1, start: 1, duration: 1.5))
        #expect(resampled.count == 24000)
    }

    @Test("start past the end is an error")
    func startPastEnd() throws {
        let scratch = try Scratch()
        let input = try CorpusCase(encoder: "flac", container: "flac", rate: 16000, layout: "mono").generate(in: scratch)
        #expect(throws: MediaError.self) { try readAll(input, AudioReadOptions(start: 10)) }
    }

    private func readAll(_ path: String, _ options: AudioReadOptions) throws -> [Float] {
        let reader = try AudioReader(path: path, options: options)
        var all: [Float] = []
        while let chunk = try reader.next() { all += chunk }
        return all
    }
}
