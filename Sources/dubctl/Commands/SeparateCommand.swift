import DubSupport
import ArgumentParser
import AudioKitCore
import FoundationEssentials

struct SeparateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "separate",
        abstract: "Split audio into a vocals stem and a background stem.",
        discussion: """
        --method local (the default, no service needed): stereo sources by centre extraction with an STFT
        inter-channel similarity mask, mono sources by speech-band spectral attenuation, both inside the speech
        regions voice activity detection finds. vocals + background = the input, sample for sample.

        Example:
          dubctl separate samples/english.mp4 --vocals vocals.wav --background background.wav
        """
    )

    enum Method: String, ExpressibleByArgument { case local }

    @Argument(help: "Any media file with audio.") var file: String
    @Option(help: "Where the vocals stem goes (.wav or .flac).") var vocals: String
    @Option(help: "Where the background stem goes (.wav or .flac).") var background: String
    @Option(help: "Separation method.") var method: Method = .local
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        do {
            _ = try SoundFileFormat(path: vocals)
            _ = try SoundFileFormat(path: background)
        } catch let error as MediaError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let report = try VocalSeparator.separate(input: file, vocals: vocals, background: background)
        if json {
            print(try DubJSON.string(report, pretty: true))
        } else {
            print("wrote \(vocals) and \(background): \(report.duration.fixed(3)) s, \(report.method), speech \(Int(report.speechRatio * 100)) % of the time")
        }
    }
}
