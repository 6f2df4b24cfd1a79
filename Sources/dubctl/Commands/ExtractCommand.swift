import DubSupport
import ArgumentParser
import AudioKitCore

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Decode a file's audio to WAV or FLAC, resampled and remixed as asked.",
        discussion: """
        Streams: memory stays flat whatever the input length. The audio is on the media timeline as the ffmpeg \
        command line puts it: sample 0 is the container's start, so a stream that starts after the video, or has a \
        timestamp gap, gets silence there, and one that starts before the video keeps its lead. Down-mixes have the \
        levels of 'ffmpeg -ac N' (they never clip). Rate changes use libsoxr (high quality) unless --resampler swr \
        asks for FFmpeg's own resampler.

        Example:
          dubctl extract samples/english.mp4 -o speech.wav --rate 16000 --channels 1
          dubctl extract movie.mkv -o part.flac --stream 2 --start 60 --duration 30
        """
    )

    @Argument(help: "The media file to read.")
    var file: String

    @Option(name: .shortAndLong, help: "Output file: .wav or .flac.")
    var output: String

    @Option(help: "Output sample rate in Hz (default: the source's).")
    var rate: Int?

    @Option(help: "Output channel count, e.g. 1 to downmix to mono (default: the source's).")
    var channels: Int?

    @Option(help: "Index of the audio stream to read (see 'dubctl probe'; default: the best one).")
    var stream: Int?

    @Option(help: "Start at this many seconds into the media.")
    var start: Double = 0

    @Option(help: "Read this many seconds (default: to the end).")
    var duration: Double?

    @Option(help: "Rate converter: soxr (high quality) or swr (FFmpeg's).")
    var resampler: ResamplerKind = .soxr

    @Option(name: .customLong("sample-format"), help: "Sample format: s16, s24 or f32 (WAV only).")
    var sampleFormat: SoundFileFormat.Encoding = .int16

    func validate() throws {
        let options = AudioReadOptions(sampleRate: rate, channels: channels, start: start, duration: duration)
        do {
            try options.validate()
            _ = try SoundFileFormat(path: output, encoding: sampleFormat)
        } catch let error as MediaError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        try OutputPaths.refuseOverwriting(inputs: [("input", file)], outputs: [("output", output)])
        let reader = try AudioReader(path: file, options: AudioReadOptions(
            streamIndex: stream, sampleRate: rate, channels: channels, start: start, duration: duration, resampler: resampler))
        let format = try SoundFileFormat(path: output, encoding: sampleFormat)
        let written = try AtomicFile.write(to: output) { temp in
            let writer = try SoundFileWriter(path: temp, format: format, sampleRate: reader.sampleRate, channels: reader.channels)
            while let chunk = try reader.next() { try writer.write(chunk) }
            try writer.close()
            return writer.framesWritten
        }
        for warning in reader.warnings { CommandLineReport.warn("\(file): \(warning)") }
        let seconds = Double(written) / Double(reader.sampleRate)
        print("wrote \(output): \(reader.sampleRate) Hz, \(reader.channels) ch, \(seconds.fixed(3)) s (stream \(reader.streamIndex))")
    }
}

extension ResamplerKind: ExpressibleByArgument {}
extension SoundFileFormat.Encoding: ExpressibleByArgument {}
