import AudioKitCore
import DubSupport
import Dubbing
import Foundation
import TestSupport
import Testing

/// A film in 5.1 comes out in 5.1: the dub in the centre, every other channel as the source has it.
/// Serialized: each case is a whole dub; run side by side with the rest of the suite they would crowd two cores.
@Suite("Surround in, surround out", .serialized)
struct SurroundDubTests {
    /// The English sample's picture with a 5.1 soundtrack (lossless FLAC): its speech alone in the centre, and a tone of
    /// its own in each other channel (L 250 Hz, R 350 Hz, LFE 50 Hz, Ls 450 Hz, Rs 550 Hz).
    static func film(in scratch: Scratch) throws -> String {
        let path = scratch.path("film.mkv")
        let tones = [250, 350, 50, 450, 550].map { "sine=frequency=\($0):sample_rate=48000:duration=26.5,volume=0.5" }
        var graph = "[0:a]pan=mono|c0=0.5*c0+0.5*c1,aresample=48000[c];"
        for (n, tone) in tones.enumerated() { graph += "\(tone)[t\(n)];" }
        graph += "[t0][t1][c][t2][t3][t4]join=inputs=6:channel_layout=5.1(side):map=0.0-FL|1.0-FR|2.0-FC|3.0-LFE|4.0-SL|5.0-SR[a]"
        try Tool.ffmpeg(["-i", Repository.sample("english.mp4"), "-filter_complex", graph, "-map", "0:v", "-map", "[a]",
                         "-c:v", "copy", "-c:a", "flac", "-t", "26.5", path])
        return path
    }

    static func read(_ path: String, channels: Int? = nil) throws -> (samples: [Float], channels: Int) {
        let reader = try AudioReader(path: path, options: AudioReadOptions(sampleRate: 48000, channels: channels))
        var all: [Float] = []
        while let chunk = try reader.next() { all += chunk }
        return (all, reader.channels)
    }

    static func channel(_ c: Int, of samples: [Float], channels: Int) -> [Float] {
        stride(from: c, to: samples.count, by: channels).map { samples[$0] }
    }

    func dub(_ input: String, in scratch: Scratch, separation: String = "local", layout: String? = nil,
             stereoTrack: Bool = false, codec: String? = nil, output: String = "out.es.mkv") async throws -> (DubReport, WorkFolder) {
        var request = DubRequest(input: input, output: scratch.path(output), to: "es")
        request.audioCodec = codec
        request.sourceSubtitles = Repository.sample("english.es.srt")
        request.separation = separation
        request.layout = layout
        request.stereoTrack = stereoTrack
        let work = try WorkFolder(root: scratch.path("work"))
        let report = try await DubPipeline(request: request, providers: ScriptedProviders(), work: work).run()
        return (report, work)
    }

    /// With the centre separated locally (its dialogue taken out), by a provider's isolation (a scripted one that
    /// hears half the centre as voice), or not at all (the dialogue ducked under the dub).
    @Test("a 5.1 film: L, R, LFE and the surrounds come out as they went in, the dub is in the centre at its times, the loudness is the source's, and a stereo track follows",
          arguments: ["local", "elevenlabs", "none"])
    func film(separation: String) async throws {
        let scratch = try Scratch()
        let input = try Self.film(in: scratch)
        let (report, work) = try await dub(input, in: scratch, separation: separation, stereoTrack: true)
        #expect(report.layout?.hasPrefix("5.1, the dub in the centre channel") == true, "\(report.layout ?? "-")")

        let source = try Self.read(input)
        let mix = try Self.read(work.path("mix.wav"))
        #expect(source.channels == 6 && mix.channels == 6)
        for (c, name) in [(0, "front left"), (1, "front right"), (3, "LFE"), (4, "left surround"), (5, "right surround")] {
            let (snr, lag) = SignalCompare.alignedSNR(reference: Self.channel(c, of: source.samples, channels: 6),
                                                      test: Self.channel(c, of: mix.samples, channels: 6), channels: 1, maxLag: 0)
            #expect(snr >= 40, "\(name): SNR \(snr) dB at lag \(lag)")
        }
        // The dub (the scripted voice: a 440 Hz tone) sounds in the centre inside every line it was fitted to, and,
        // with the dialogue separated out, the centre is far quieter between them.
        let centre = Self.channel(2, of: mix.samples, channels: 6)
        let timings = try JSONDecoder().decode([LineTiming].self, from: Data(contentsOf: URL(fileURLWithPath: work.path("timing.json"))))
        #expect(timings.count == 6)
        var outside = centre
        for t in timings where t.duration > 0.2 {
            let inside = SignalCompare.rms(centre, channels: 1, rate: 48000, from: t.start + 0.05, to: t.start + t.duration - 0.05)
            #expect(inside > 0.02, "line \(t.id) at \(t.start) s: centre RMS \(inside)")
            for i in Int(t.start * 48000)..<min(centre.count, Int((t.start + t.duration) * 48000)) { outside[i] = 0 }
        }
        if separation == "local" { // without separation the original dialogue stays (ducked under the lines only)
            let speaking = SignalCompare.rms(centre, channels: 1, rate: 48000, from: timings[0].start, to: timings[0].start + timings[0].duration)
            #expect(SignalCompare.rms(outside, channels: 1, rate: 48000, from: 0, to: 26) < speaking / 3)
        }
        let loudness = (try LoudnessMeter.measure(path: work.path("mix.wav")).integrated, try LoudnessMeter.measure(path: input).integrated)
        #expect(abs(loudness.0 - loudness.1) <= 1, "mix \(loudness.0) LUFS, source \(loudness.1) LUFS")

        let out = try MediaInfo.probe(path: scratch.path("out.es.mkv"))
        #expect(out.audioStreams.map(\.channels) == [6, 2], "\(out.audioStreams)")
        #expect(out.audioStreams.allSatisfy { $0.language == "spa" })
    }

    @Test("--layout stereo makes a 5.1 film's dub stereo; stereo and mono sources give a stereo dub")
    func stereo() async throws {
        let scratch = try Scratch()
        let (surround, _) = try await dub(try Self.film(in: scratch), in: scratch, layout: "stereo")
        #expect(surround.layout == "stereo")
        #expect(try MediaInfo.probe(path: scratch.path("out.es.mkv")).audioStreams.map(\.channels) == [2])
        for (name, extra) in [("stereo", [String]()), ("mono", ["-ac", "1"])] {
            let other = try Scratch()
            let input = other.path("\(name).mp4")
            try Tool.ffmpeg(["-i", Repository.sample("english.mp4"), "-c:v", "copy"] + extra + [input])
            let (report, work) = try await dub(input, in: other)
            #expect(report.layout == "stereo", "\(name)")
            #expect(try SoundFileReader(path: work.path("mix.wav")).channels == 2, "\(name)")
            #expect(try MediaInfo.probe(path: other.path("out.es.mkv")).audioStreams.map(\.channels) == [2], "\(name)")
        }
    }

    @Test("--audio-codec ac3 and eac3: the 5.1 dub (and its stereo track) in Dolby Digital, in MP4 and Matroska",
          arguments: [("ac3", "mp4"), ("eac3", "mkv")])
    func dolby(codec: String, container: String) async throws {
        let scratch = try Scratch()
        let (report, _) = try await dub(try Self.film(in: scratch), in: scratch, separation: "none", stereoTrack: true, codec: codec,
                                        output: "out.es.\(container)")
        #expect(report.layout?.hasPrefix("5.1 (\(codec.uppercased())), the dub in the centre channel") == true, "\(report.layout ?? "-")")
        let tracks = try MediaInfo.probe(path: scratch.path("out.es.\(container)")).audioStreams
        #expect(tracks.map(\.codec) == [codec, codec] && tracks.map(\.channels) == [6, 2], "\(tracks)")
    }
}
