import DubSupport
import ArgumentParser
import AudioKitCore

struct StretchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stretch",
        abstract: "Change the tempo of speech without changing its pitch (WSOLA).",
        discussion: """
        --factor F plays F times as fast (1.15 = 15 % faster and shorter, 0.9 = slower), like sox's tempo effect;
        --duration S makes the output exactly S seconds long. Factors from 0.5 to 2.0; the output length is exact
        to the sample. Writes WAV or FLAC at the input's rate and channels.

        Example:
          dubctl stretch line-07.wav -o line-07.fast.wav --factor 1.15
          dubctl stretch line-07.wav -o line-07.fit.wav --duration 2.35
        """
    )

    @Argument(help: "Audio to stretch (any media with audio).") var input: String
    @Option(name: .shortAndLong, help: "Output .wav or .flac.") var output: String
    @Option(help: "Tempo factor (> 1 faster).") var factor: Double?
    @Option(help: "Target length in seconds.") var duration: Double?

    func validate() throws {
        guard (factor == nil) != (duration == nil) else { throw ValidationError("give exactly one of --factor and --duration") }
        if let factor, !(0.5...2.0).contains(factor) { throw ValidationError("--factor must be between 0.5 and 2.0") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
        do { _ = try SoundFileFormat(path: output) } catch let error as MediaError { throw ValidationError(error.description) }
    }

    func run() throws {
        // WAV and FLAC stream straight from the file, whose length is exact; anything else is decoded once to a
        // float WAV beside the output first, so that the exact input length is known.
        try OutputPaths.refuseOverwriting(inputs: [("input", input)], outputs: [("output", output)])
        let decoded = AtomicFile.temporaryPath(for: output + ".decoded.wav")
        defer { AtomicFile.discard(decoded) }
        let direct = (try? SoundFileFormat(path: input)) != nil ? try? SoundFileReader(path: input) : nil
        if direct == nil {
            let reader = try AudioReader(path: input)
            let writer = try SoundFileWriter(path: decoded, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                             sampleRate: reader.sampleRate, channels: reader.channels)
            while let chunk = try reader.next() { try writer.write(chunk) }
            try writer.close()
        }
        let source = try direct ?? SoundFileReader(path: decoded)
        let target = duration.map { Int(($0 * Double(source.sampleRate)).rounded()) }
            ?? Int((Double(source.frameCount) / factor!).rounded())
        let stretcher = try TimeStretcher(sampleRate: source.sampleRate, channels: source.channels,
                                          inputFrames: source.frameCount, outputFrames: target)
        let format = try SoundFileFormat(path: output, encoding: .int16)
        try AtomicFile.write(to: output) { temp in
            let out = try SoundFileWriter(path: temp, format: format, sampleRate: source.sampleRate, channels: source.channels)
            while true {
                let chunk = try source.read()
                if chunk.isEmpty { break }
                try out.write(stretcher.process(chunk))
            }
            try out.write(stretcher.finish())
            try out.close()
        }
        print("wrote \(output): \((Double(target) / Double(source.sampleRate)).fixed(3)) s, factor \(stretcher.factor.fixed(4))")
    }
}
