import DubSupport

/// One channel of a multichannel sound file taken out, or put back, streaming (surround dubs work on the centre).
public enum ChannelEdit {
    /// The centre channel's index in FFmpeg's order for 5.1 and 7.1 (L R C LFE …).
    public static let centre = 2

    /// Writes channel `channel` of `input` as a mono float WAV `output`.
    public static func extract(channel: Int, from input: String, to output: String) throws {
        let reader = try SoundFileReader(path: input)
        guard (0..<reader.channels).contains(channel) else {
            throw MediaError(.invalidArgument, "channel \(channel) does not exist in", path: input, hint: "it has \(reader.channels) channels")
        }
        try OutputPaths.refuseOverwriting(inputs: [("input", input)], outputs: [("output", output)])
        try AtomicFile.write(to: output) { temp in
            let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                             sampleRate: reader.sampleRate, channels: 1)
            while case let block = try reader.read(), !block.isEmpty {
                try writer.write(stride(from: channel, to: block.count, by: reader.channels).map { block[$0] })
            }
            try writer.close()
        }
    }

    /// Writes `input` to `output` as a float WAV with channel `channel` replaced by the mono file `replacement` (its
    /// rate must be `input`'s; shorter is padded with silence, longer is cut). Every other channel is copied as it is.
    public static func replace(channel: Int, of input: String, with replacement: String, to output: String) throws {
        let reader = try SoundFileReader(path: input)
        let mono = try SoundFileReader(path: replacement)
        guard (0..<reader.channels).contains(channel), mono.channels == 1, mono.sampleRate == reader.sampleRate else {
            throw MediaError(.invalidArgument, "cannot put a \(mono.channels)-channel \(mono.sampleRate) Hz file in channel \(channel) of",
                             path: input, hint: "it has \(reader.channels) channels at \(reader.sampleRate) Hz")
        }
        try OutputPaths.refuseOverwriting(inputs: [("input", input), ("replacement", replacement)], outputs: [("output", output)])
        try AtomicFile.write(to: output) { temp in
            let writer = try SoundFileWriter(path: temp, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                             sampleRate: reader.sampleRate, channels: reader.channels)
            var pending: [Float] = []
            while case var block = try reader.read(), !block.isEmpty {
                let frames = block.count / reader.channels
                while pending.count < frames, case let more = try mono.read(), !more.isEmpty { pending += more }
                for frame in 0..<frames { block[frame * reader.channels + channel] = frame < pending.count ? pending[frame] : 0 }
                pending.removeFirst(min(frames, pending.count))
                try writer.write(block)
            }
            try writer.close()
        }
    }
}
