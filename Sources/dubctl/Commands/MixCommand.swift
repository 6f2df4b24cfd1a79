import DubSupport
import ArgumentParser
import AudioKitCore
import FoundationEssentials

struct MixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mix",
        abstract: "Mix clips over a bed with ducking, loudness matching and a true-peak limiter.",
        discussion: """
        Each --clip FILE@START[:GAIN] is placed at START seconds (sample-accurate) with GAIN dB and short fades.
        The bed (usually the background stem) is lowered by --duck-db under the clips. --loudness brings the
        result to an integrated loudness (e.g. -16) or to another file's (match:FILE); the true peak is kept
        at or below --true-peak dBTP.

        Example:
          dubctl mix --bed background.wav --clip line-0.wav@1.00 --clip line-1.wav@4.89:-2 -o dub.wav --loudness match:samples/english.mp4
        """
    )

    @Option(help: "The bed (background) audio.") var bed: String?
    @Option(name: .customLong("clip"), help: ArgumentHelp("A clip as FILE@START[:GAIN_DB]; repeat for more.", valueName: "FILE@START[:GAIN]"))
    var clips: [String] = []
    @Option(name: .shortAndLong, help: "Output .wav or .flac.") var output: String
    @Option(name: .customLong("duck-db"), help: "How far the bed goes down under the clips, in dB.") var duckDB: Double = 10
    @Option(help: "Target loudness: LUFS (e.g. -16) or match:FILE.") var loudness: String?
    @Option(name: .customLong("true-peak"), help: "True-peak ceiling in dBTP.") var truePeak: Double = -1
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        guard bed != nil || !clips.isEmpty else { throw ValidationError("give a --bed, --clip FILE@START, or both") }
        do {
            _ = try clips.map(MixClip.init(argument:))
            _ = try loudness.map(LoudnessTarget.init(argument:))
            _ = try SoundFileFormat(path: output)
        } catch let error as MediaError {
            throw ValidationError(error.description)
        }
        guard (0...60).contains(duckDB) else { throw ValidationError("--duck-db must be 0–60") }
    }

    func run() throws {
        var settings = MixSettings()
        settings.duckDepth = duckDB
        settings.truePeakCeiling = truePeak
        settings.loudness = try loudness.map(LoudnessTarget.init(argument:)) ?? .none
        let report = try Mixer.mix(bed: bed, clips: try clips.map(MixClip.init(argument:)), output: output, settings: settings)
        if json {
            print(try DubJSON.string(report, pretty: true))
        } else {
            print("wrote \(output): \(report.duration.fixed(3)) s, \(report.clips) clip(s), loudness \(report.loudnessBefore.fixed(1)) → \(report.loudnessAfter.fixed(1)) LUFS, true peak \(report.truePeak.fixed(1)) dBTP")
        }
    }
}
