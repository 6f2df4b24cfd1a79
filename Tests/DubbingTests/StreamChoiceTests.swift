import AudioKitCore
import DubSupport
import Dubbing
import Foundation
import TestSupport
import Testing

/// A film with several audio tracks dubs the one in the language it is spoken in, or the one asked for.
@Suite("Which audio stream a dub reads")
struct StreamChoiceTests {
    /// Video, then an English track (a 300 Hz tone, the default) and a Spanish one (700 Hz).
    static func twoTracks(in scratch: Scratch) throws -> String {
        let path = scratch.path("two.mkv")
        try Tool.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64:rate=25:duration=2",
                         "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000:duration=2",
                         "-f", "lavfi", "-i", "sine=frequency=700:sample_rate=48000:duration=2",
                         "-map", "0", "-map", "1", "-map", "2", "-c:v", "libx264", "-c:a", "flac",
                         "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=spa",
                         "-disposition:a:0", "default", "-disposition:a:1", "0", path])
        return path
    }

    func plan(_ input: String, from: String? = nil, stream: Int? = nil) throws -> DubPlan {
        var request = DubRequest(input: input, output: input + ".out.mkv", to: "fr")
        request.from = from
        request.stream = stream
        request.subtitles = Repository.sample("english.es.srt")
        return try request.resolve()
    }

    @Test("--from picks the track tagged with that language, --stream the one named; otherwise FFmpeg's best")
    func choice() throws {
        let scratch = try Scratch()
        let input = try Self.twoTracks(in: scratch)
        let media = try MediaInfo.probe(path: input)
        #expect(media.audioStreams.map(\.index) == [1, 2])
        #expect(try plan(input, from: "es").audioStream(in: media) == 2)
        #expect(try plan(input, from: "spa").audioStream(in: media) == 2)
        #expect(try plan(input, from: "english").audioStream(in: media) == 1)
        #expect(try plan(input, from: "fr").audioStream(in: media) == nil, "no French track: the best one")
        #expect(try plan(input).audioStream(in: media) == nil)
        #expect(try plan(input, from: "en", stream: 2).audioStream(in: media) == 2, "--stream wins over --from")
    }

    @Test("--stream that is not an audio stream is refused before any work, naming the audio streams there are")
    func refused() throws {
        let scratch = try Scratch()
        var request = DubRequest(input: try Self.twoTracks(in: scratch), output: scratch.path("out.mkv"), to: "fr")
        request.subtitles = Repository.sample("english.es.srt")
        for stream in [0, 7] {
            request.stream = stream
            let error = #expect(throws: DubRequestError.self) { try request.validateFiles() }
            #expect(error?.message.contains("--stream \(stream) is not an audio stream") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("1 (eng), 2 (spa)") == true, "\(error?.message ?? "")")
        }
        request.stream = -1
        #expect(throws: DubRequestError.self) { try request.validate() }
    }

    @Test("the extract stage reads the Spanish track of a film spoken in Spanish, and records which")
    func extractsTheSpokenTrack() async throws {
        let scratch = try Scratch()
        var request = DubRequest(input: try Self.twoTracks(in: scratch), output: scratch.path("out.fr.mkv"), to: "fr")
        request.from = "es"
        request.sourceSubtitles = Repository.sample("english.es.srt")
        request.separation = "none"
        let work = try WorkFolder(root: scratch.path("work"))
        try work.writeJSON(request, to: DubPipeline.requestFile)
        let run = try await DubPipeline(request: request, providers: ScriptedProviders(), work: work).runStage(StageName.extract.rawValue)
        #expect(run.executed == ["extract"])
        let audio = try SignalCompare.read(work.path("audio.wav"))
        // Zero crossings in the second second: twice the frequency.
        let left = stride(from: 48_000 * audio.channels, to: 96_000 * audio.channels, by: audio.channels).map { audio.samples[$0] }
        let crossings = zip(left, left.dropFirst()).filter { ($0 < 0) != ($1 < 0) }.count
        #expect(abs(crossings - 1_400) < 20, "\(crossings) zero crossings a second: not the 700 Hz Spanish track")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work.path("extract.json")))) as? [String: Any]
        #expect(String(describing: record ?? [:]).contains("stream"), "\(record ?? [:])")
    }
}
