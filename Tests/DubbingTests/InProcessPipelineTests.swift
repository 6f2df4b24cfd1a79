import AudioKitCore
import DubSupport
import Dubbing
import Foundation
import ProviderAPI
import TestSupport
import Testing

/// Providers made in the test: the pipeline gets them injected (`ProviderFactory`) and never knows a vendor.
final class ScriptedProviders: ProviderFactory, @unchecked Sendable {
    let meter = UsageMeter()

    /// Speaks a 440 Hz tone, 60 ms per character at natural speed.
    struct ToneVoice: SpeechSynthesizer {
        let name = "tone"
        let speedRange: ClosedRange<Double>? = nil
        func synthesize(_ request: SynthesisRequest, to path: String) async throws -> SynthesizedAudio {
            let frames = Int(Double(request.text.count) * 0.06 / request.speed * 16_000)
            let samples = (0..<frames).map { Float(0.3 * sin(2 * Double.pi * 440 * Double($0) / 16_000)) }
            try AtomicFile.write(to: path) { try SignalCompare.write(samples, to: $0, rate: 16_000, channels: 1) }
            return SynthesizedAudio(path: path, duration: Double(frames) / 16_000, characters: request.text.count)
        }
    }

    /// Translates by tagging: `[es] text`.
    struct TagTranslator: Translator {
        let name = "tag"
        let followsBudgets = true
        func translate(_ request: TranslationRequest) async throws -> [Int: String] {
            return Dictionary(uniqueKeysWithValues: request.lines.map { ($0.id, "[\(request.target.tag)] \(String($0.text.prefix(20)))") })
        }
    }

    /// "Isolates" the voice as half of whatever it is given (mono or stereo, as sent).
    struct HalfIsolator: VoiceIsolator {
        let name = "half"
        func isolate(_ audioPath: String, to vocalsPath: String) async throws -> Double {
            let reader = try SoundFileReader(path: audioPath)
            let samples = try reader.readAll().map { $0 * 0.5 }
            try AtomicFile.write(to: vocalsPath) { try SignalCompare.write(samples, to: $0, rate: reader.sampleRate, channels: reader.channels) }
            return reader.duration
        }
    }

    struct Unavailable: Error, CustomStringConvertible { let description = "not in this test" }

    func transcriber(_ name: String) throws -> any Transcriber { throw Unavailable() }
    func translator(_ name: String) throws -> any Translator { TagTranslator() }
    func synthesizer(_ name: String) throws -> any SpeechSynthesizer { ToneVoice() }
    func isolator(_ name: String) throws -> any VoiceIsolator { HalfIsolator() }
}

@Suite("The pipeline in-process, with injected providers")
struct InProcessPipelineTests {
    @Test("a dub from source subtitles runs in-process with scripted providers: translated, spoken, fitted, mixed, muxed")
    func wholeDub() async throws {
        let scratch = try Scratch()
        var request = DubRequest(input: Repository.sample("english.mp4"), output: scratch.path("out.es.mp4"), to: "es")
        request.sourceSubtitles = Repository.sample("english.es.srt")
        request.separation = "none"
        let providers = ScriptedProviders()
        let pipeline = try DubPipeline(request: request, providers: providers, work: try WorkFolder(root: scratch.path("work")))
        let report = try await pipeline.run()
        #expect(report.timing.lines == 6 && report.timing.overlaps == 0)
        let lines = try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/lines.json"))))
        #expect(lines.allSatisfy { $0.text?.hasPrefix("[es] ") == true })
        #expect(try MediaInfo.probe(path: scratch.path("out.es.mp4")).audioStreams.map(\.language) == ["spa"])
        #expect(report.executed.contains("mux") && report.executed.filter { $0.hasPrefix("synthesize#") }.count == 6)
    }

    @Test("texts edited in lines.json are spoken on the next run; a line re-cut since (its subtitle changed) takes the new cut's text")
    func editedTexts() async throws {
        let scratch = try Scratch()
        let subtitles = scratch.path("es.srt")
        try FileManager.default.copyItem(atPath: Repository.sample("english.es.srt"), toPath: subtitles)
        var request = DubRequest(input: Repository.sample("english.mp4"), output: scratch.path("out.es.mp4"), to: "es")
        request.subtitles = subtitles
        request.separation = "none"
        func dub() async throws -> [DubLine] {
            let pipeline = try DubPipeline(request: request, providers: ScriptedProviders(), work: try WorkFolder(root: scratch.path("work")))
            _ = try await pipeline.run()
            return try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/lines.json"))))
        }
        var lines = try await dub()
        lines[1].text = "Editada a mano."
        try JSONEncoder().encode(lines).write(to: URL(fileURLWithPath: scratch.path("work/lines.json")))
        #expect(try await dub().map(\.text) == lines.map(\.text), "the hand edit is kept, the rest as they were")
        // The subtitle of another line changes (same times): that line takes it; the hand edit stays.
        let cues = try SubtitleFormat.srt.parse(String(contentsOfFile: subtitles, encoding: .utf8))
        func time(_ t: Double) -> String {
            let ms = Int((t * 1000).rounded())
            return String(format: "%02d:%02d:%02d,%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
        }
        let changed = cues.enumerated().map { i, cue in
            "\(i + 1)\n\(time(cue.start)) --> \(time(cue.end))\n" + (i == 3 ? "Texto nuevo del subtítulo." : cue.text) + "\n"
        }.joined(separator: "\n")
        try changed.write(toFile: subtitles, atomically: true, encoding: .utf8)
        let again = try await dub()
        #expect(again[3].text == "Texto nuevo del subtítulo.")
        #expect(again[1].text == "Editada a mano.")
    }

    @Test("one stage of a work folder runs again on its own (the lines stage, from the subtitles)")
    func oneStage() async throws {
        let scratch = try Scratch()
        var request = DubRequest(input: Repository.sample("english.mp4"), output: scratch.path("out.es.mp4"), to: "es")
        request.subtitles = Repository.sample("english.es.srt")
        request.separation = "none"
        let work = try WorkFolder(root: scratch.path("work"))
        try work.writeJSON(request, to: DubPipeline.requestFile)
        let pipeline = try DubPipeline(request: request, providers: ScriptedProviders(), work: work)
        let run = try await pipeline.runStage(StageName.lines.rawValue)
        // The lines stage measures each line's voice once (cached beside it) to tell the speakers apart.
        #expect(run.executed.filter { !$0.hasPrefix("voiceprints#") } == ["extract", "lines"], "\(run.executed)")
        let again = try await pipeline.runStage(StageName.lines.rawValue)
        #expect(again.executed == ["lines"], "earlier stages come from the folder: \(again.executed)")
        #expect(try JSONDecoder().decode([DubLine].self, from: Data(contentsOf: URL(fileURLWithPath: work.path("segments.json")))).count == 6)
    }
}
