import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// Mixes clips over a bed: clips at sample-accurate offsets with gain and short fades, the bed ducked
/// under them (linear ramps that finish as a clip starts and begin as it ends), then the whole mix brought
/// to a loudness target with a look-ahead limiter keeping the true-peak ceiling. Streams in one-second
/// blocks through temporary float WAV files beside the output; only the clips sounding in a block are held.
public enum Mixer {
    /// Writes the mix to `output` (WAV or FLAC) and returns what it did. Blocking.
    public static func mix(bed: String?, clips: [MixClip], output: String, settings: MixSettings = MixSettings()) throws -> MixReport {
        let bedFormat = try bed.map { try Self.format(ofBed: $0, channels: settings.channels) }
        let rate = settings.sampleRate ?? bedFormat?.sampleRate ?? 48000
        let channels = settings.channels ?? bedFormat?.channels ?? 2
        if let dialogue = settings.dialogue {
            guard channels > 2, (0..<channels).contains(dialogue.channel), (0...0.5).contains(dialogue.spread) else {
                throw MediaError(.invalidArgument, "dialogue in channel \(dialogue.channel) with spread \(dialogue.spread) needs a surround mix",
                                 hint: "the mix has \(channels) channels")
            }
        }
        let timeline = try ClipTimeline(clips: clips, sampleRate: rate, channels: channels, dialogue: settings.dialogue,
                                        length: settings.length.map { Int(($0 * Double(rate)).rounded()) })
        let bedFrames = bedFormat?.duration.map { Int(($0 * Double(rate)).rounded()) } ?? 0
        let totalFrames = settings.length.map { Int(($0 * Double(rate)).rounded()) } ?? max(bedFrames, timeline.endFrame)
        guard totalFrames > 0 else { throw MediaError(.invalidArgument, "nothing to mix: no bed and no clips") }

        try OutputPaths.refuseOverwriting(inputs: (bed.map { [("bed", $0)] } ?? []) + clips.map { ("clip", $0.path) }
                                              + (settings.loudness.matchPath.map { [("loudness reference", $0)] } ?? []),
                                          outputs: [("output", output)])
        let raw = AtomicFile.temporaryPath(for: output + ".mix.wav")
        defer { AtomicFile.discard(raw) }
        let floatWav = try SoundFileFormat(container: .wav, encoding: .float32)
        // Only the loudness before the gain is needed here; the limiter pass measures the true peak of the result.
        let meter = MeterBox(LoudnessMeter(sampleRate: rate, channels: channels, truePeak: false))
        do {
            let writer = try BackgroundSoundWriter(path: raw, format: floatWav, sampleRate: rate, channels: channels,
                                                   observer: { meter.meter.add($0) })
            let bedReader = try bed.map { try ChunkReader(path: $0, sampleRate: rate, channels: channels) }
            var bedBuffer: [Float] = []
            let ducking = Ducking(timeline: timeline, settings: settings, sampleRate: rate)
            let bedGain = Float(pow(10, settings.bedGain / 20))
            var position = 0
            // One block and one row of duck gains, reused: a new one each second was fresh pages each second.
            var block: [Float] = [], duck: [Float] = []
            while position < totalFrames {
                let count = min(rate, totalFrames - position)
                while bedBuffer.count < count * channels, let chunk = try bedReader?.next() { bedBuffer += chunk }
                block.removeAll(keepingCapacity: true)
                block.append(contentsOf: repeatElement(0, count: count * channels))
                let available = min(bedBuffer.count, block.count)
                ducking.gains(from: position, count: count, into: &duck)
                let ducked = settings.dialogue?.channel
                bedBuffer.withUnsafeBufferPointer { bed in
                    block.withUnsafeMutableBufferPointer { block in
                        for f in 0..<(available / channels) {
                            for c in 0..<channels {
                                let i = f * channels + c
                                block[i] = bed[i] * bedGain * (ducked == nil || c == ducked ? duck[f] : 1)
                            }
                        }
                    }
                }
                bedBuffer.removeFirst(available)
                try timeline.add(into: &block, at: position)
                try writer.write(block)
                position += count
            }
            try writer.close()
            timeline.close()
        }
        let before = meter.meter.result().integrated
        var gain = 0.0
        switch settings.loudness {
        case .none: break
        case .lufs(let target): gain = before > -70 ? target - before : 0
        case .match(let path):
            let reference = try LoudnessMeter.measure(path: path, truePeak: false).integrated
            gain = before > -70 && reference > -70 ? reference - before : 0
        }
        let result = try PeakLimiter.finish(raw: raw, output: output, gain: gain, ceiling: settings.truePeakCeiling,
                                            sampleRate: rate, channels: channels)
        return MixReport(duration: Double(totalFrames) / Double(rate), clips: clips.count, loudnessBefore: before,
                         loudnessAfter: result.integrated, truePeak: result.truePeak, normalisationGain: gain, loudnessCurve: result.curve)
    }

    /// A bed's rate, channels and duration, as the reader that reads it to `channels` (nil: its own) sees them: from
    /// libsndfile's header when `ChunkReader` reads it through libsndfile, without FFmpeg's probe, which reads the first
    /// seconds of every 16-bit WAV looking for hidden DTS (80 ms for a stereo one); anything else is probed.
    static func format(ofBed path: String, channels: Int?) throws -> (sampleRate: Int?, channels: Int?, duration: Double?) {
        if let sound = ChunkReader.plainWave(path, channels: channels) {
            return (sound.sampleRate, sound.channels, sound.duration)
        }
        let info = try MediaInfo.probe(path: path)
        guard let stream = info.audioStreams.first else { throw MediaError(.noAudioStream, "no audio stream in", path: path) }
        return (stream.sampleRate, stream.channels, info.duration)
    }

    /// The integrated loudness (LUFS) of the clips alone, summed to mono on their timeline (what a surround mix puts
    /// in its centre), so they can be brought to the level of the dialogue they replace. Blocking.
    public static func clipsLoudness(_ clips: [MixClip], sampleRate: Int = 48000) throws -> Double {
        let timeline = try ClipTimeline(clips: clips, sampleRate: sampleRate, channels: 1)
        var meter = LoudnessMeter(sampleRate: sampleRate, channels: 1, truePeak: false)
        var position = 0
        while position < timeline.endFrame {
            var block = [Float](repeating: 0, count: min(sampleRate, timeline.endFrame - position))
            try timeline.add(into: &block, at: position)
            meter.add(block)
            position += block.count
        }
        return meter.result().integrated
    }
}
