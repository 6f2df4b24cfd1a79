import DubSupport
import ArgumentParser
import AudioKitCore
import FoundationEssentials

struct LoudnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loudness",
        abstract: "Measure loudness per EBU R128 / ITU-R BS.1770-4.",
        discussion: """
        Integrated loudness (LUFS, gated), loudness range (LU), sample peak (dBFS) and true peak (dBTP, 4x oversampled).

        Example:
          dubctl loudness samples/english.mp4
          dubctl loudness dub.wav --json
        """
    )

    @Argument(help: "Any media file with audio.") var file: String
    @Option(help: "Audio stream index (default: the best one).") var stream: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let result = try LoudnessMeter.measure(path: file, streamIndex: stream)
        for warning in result.warnings ?? [] { CommandLineReport.warn("\(file): \(warning)") }
        if json {
            print(try DubJSON.string(result, pretty: true))
        } else {
            print("""
            integrated loudness: \(result.integrated.fixed(1)) LUFS
            loudness range:      \(result.range.fixed(1)) LU
            sample peak:         \(result.samplePeak.fixed(1)) dBFS
            true peak:           \(result.truePeak.fixed(1)) dBTP
            """)
        }
    }
}
