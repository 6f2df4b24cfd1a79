import DubSupport
import ArgumentParser
import AudioKitCore
import FoundationEssentials

struct VadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vad",
        abstract: "List the speech regions of a file (voice activity detection).",
        discussion: """
        Energy above the noise floor plus speech-band shape, with hysteresis, a minimum speech length and a
        minimum pause. Times in seconds.

        Example:
          dubctl vad samples/english.mp4
          dubctl vad interview.wav --json --min-silence 0.5
        """
    )

    @Argument(help: "Any media file with audio.") var file: String
    @Option(name: .customLong("on-db"), help: "dB above the noise floor that starts speech.") var onDB: Double = 10
    @Option(name: .customLong("off-db"), help: "dB above the noise floor below which speech ends.") var offDB: Double = 4
    @Option(name: .customLong("min-speech"), help: "Shortest speech kept, seconds.") var minSpeech: Double = 0.12
    @Option(name: .customLong("min-silence"), help: "Shortest pause kept, seconds.") var minSilence: Double = 0.5
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard offDB <= onDB else { throw ValidationError("--off-db must not exceed --on-db") }
        guard minSpeech >= 0, minSilence >= 0, minSpeech.isFinite, minSilence.isFinite else { throw ValidationError("durations must be 0 or more seconds") }
        guard onDB.isFinite, offDB.isFinite else { throw ValidationError("--on-db and --off-db must be numbers") }
    }

    func run() throws {
        var settings = VoiceActivityDetector.Settings()
        settings.onThreshold = onDB
        settings.offThreshold = offDB
        settings.minSpeech = minSpeech
        settings.minSilence = minSilence
        let activity = try VoiceActivityDetector(settings: settings).analyze(path: file)
        for warning in activity.warnings { CommandLineReport.warn("\(file): \(warning)") }
        if json {
            print(try DubJSON.string(activity.regions, pretty: true))
        } else {
            for region in activity.regions {
                print("\(region.start.fixed(2))\t\(region.end.fixed(2))\t\((region.end - region.start).fixed(2)) s")
            }
        }
    }
}
