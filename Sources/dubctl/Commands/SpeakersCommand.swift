import DubSupport
import ArgumentParser
import AudioKitCore
import Dubbing
import Foundation

struct SpeakersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speakers",
        abstract: "Tell who speaks each line, by voice (the clustering dub uses when the lines name no speakers).",
        discussion: """
        Measures each line's pitch and spectral envelope in FILE and groups the lines by voice (average linkage with \
        a distance threshold; --speakers fixes the count). LINES is a JSON list of {"start","end"} in seconds, such as \
        segments.json or lines.json from a work folder. With --score, the speakers already in LINES are the truth and \
        the diarization error rate is printed.

        Example:
          dubctl speakers vocals.wav --lines work/segments.json
          dubctl speakers dialogue.wav --lines dialogue.lines.json --score --json
        """
    )

    @Argument(help: "Audio (or video) holding the speech.") var file: String
    @Option(help: "A JSON list of lines with start and end times.") var lines: String
    @Option(help: "The number of speakers, when known.") var speakers: Int?
    @Flag(help: "Compare with the speakers in --lines and print the diarization error rate.") var score = false
    @Flag(help: "Print JSON.") var json = false

    struct Line: Codable { var start: Double; var end: Double; var speaker: String? }
    struct Result: Encodable { var speakers: [String]; var count: Int; var diarization_error_rate: Double? }

    func validate() throws {
        if let speakers, !(1...32).contains(speakers) { throw ValidationError("--speakers must be between 1 and 32") }
    }

    func run() async throws {
        let given = try DubJSON.decode([Line].self, from: Data(try InputFile.read(lines, what: "lines", limit: InputFile.workFileLimit)))
        guard given.allSatisfy({ $0.start.isFinite && $0.end.isFinite && $0.end >= $0.start }) else {
            throw ValidationError("\(lines): every line needs a start and an end time, the end not before the start")
        }
        let (file, count) = (file, speakers)
        let labels = try await BlockingWork.run {
            SpeakerClusterer(count: count).labels(for: try VoiceProfiler().profile(path: file, spans: given.map { ($0.start, $0.end) }))
        }
        var rate: Double?
        if score {
            guard given.allSatisfy({ $0.speaker != nil }) else { throw ValidationError("--score: every line in \(lines) needs a speaker") }
            rate = DiarizationScore.errorRate(reference: given.map { .init(start: $0.start, end: $0.end, speaker: $0.speaker ?? "") },
                                              hypothesis: zip(given, labels).map { .init(start: $0.0.start, end: $0.0.end, speaker: $0.1) })
        }
        if json {
            print(try DubJSON.string(Result(speakers: labels, count: Set(labels).count, diarization_error_rate: rate), pretty: true))
            return
        }
        for (line, label) in zip(given, labels) { print("\(line.start.fixed(2))\t\(line.end.fixed(2))\t\(label)") }
        print("\(Set(labels).count) speakers" + (rate.map { ", diarization error rate \(($0 * 100).fixed(1)) %" } ?? ""))
    }
}
