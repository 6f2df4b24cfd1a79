import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// Splits audio into a vocals stem and a background stem with local DSP (no service, no model):
/// stereo sources by centre extraction (a per-bin mask from the inter-channel similarity of an STFT,
/// since dialogue is usually panned centre), mono sources by speech-band Wiener-style attenuation against
/// the noise spectrum of the non-speech parts. Both are limited to the speech regions found by voice
/// activity detection. The background is the original minus the vocals, so the stems add back up to the
/// input exactly; both have the input's length, rate and channels (more than two channels are downmixed).
public enum VocalSeparator {
    /// What was done.
    public struct Report: Sendable, Codable, Equatable {
        public var method: String
        public var duration: Double
        public var channels: Int
        /// Share of the time the detector heard speech.
        public var speechRatio: Double

        enum CodingKeys: String, CodingKey {
            case method, duration, channels
            case speechRatio = "speech_ratio"
        }
    }

    /// Separates `input` into `vocals` and `background` (WAV or FLAC paths). Blocking; streams. The analysis (forward
    /// transforms and masks) and the synthesis (inverse transforms, overlap-add, the stems' writing) run on two threads
    /// (`twoThreads: false` runs both on the caller's, for tests: the stems are the same to the bit).
    public static func separate(input: String, vocals: String, background: String) throws -> Report {
        try separate(input: input, vocals: vocals, background: background, twoThreads: true)
    }

    static func separate(input: String, vocals: String, background: String, twoThreads: Bool) throws -> Report {
        let activity = try VoiceActivityDetector().analyze(path: input)
        let probe = try AudioReader(path: input)
        let channels = min(probe.channels, 2)
        let rate = probe.sampleRate
        let reader = try AudioReader(path: input, options: AudioReadOptions(channels: channels))
        var noise: [Float]?
        if channels == 1 {
            noise = try noiseSpectrum(path: input, rate: rate, activity: activity)
        }
        let vocalFormat = try SoundFileFormat(path: vocals, encoding: vocals.lowercased().hasSuffix(".wav") ? .float32 : .int24)
        let backgroundFormat = try SoundFileFormat(path: background, encoding: background.lowercased().hasSuffix(".wav") ? .float32 : .int24)
        try OutputPaths.refuseOverwriting(inputs: [("input", input)], outputs: [("vocals stem", vocals), ("background stem", background)])
        var frames = 0
        try AtomicFile.write(to: vocals) { vocalsTemp in
            try AtomicFile.write(to: background) { backgroundTemp in
                let vocalWriter = try BackgroundSoundWriter(path: vocalsTemp, format: vocalFormat, sampleRate: rate, channels: channels)
                let backgroundWriter = try BackgroundSoundWriter(path: backgroundTemp, format: backgroundFormat, sampleRate: rate, channels: channels)
                var analysis = SeparationAnalysis(sampleRate: rate, channels: channels, activity: activity, noise: noise)
                let synthesis = SynthesisThread(SeparationSynthesis(matching: analysis), vocals: vocalWriter,
                                                background: backgroundWriter, sequential: !twoThreads)
                // Input and spectra go over in batches of a quarter of a second, so the other thread wakes rarely; each
                // batch's buffers are made at their full size (a batch and a chunk of a stereo float WAV) and stay below
                // glibc's threshold for a mapping of their own (`MemoryRelease`), so the heap reuses their pages instead
                // of faulting fresh ones in each time.
                let batchFrames = rate / 4
                func buffers() -> ([Float], [Float]) {
                    var batch: [Float] = [], spectra: [Float] = []
                    batch.reserveCapacity((batchFrames + 8192) * channels)
                    spectra.reserveCapacity(((batchFrames + 8192) / analysis.hop + 2) * analysis.spectrumLength)
                    return (batch, spectra)
                }
                var (batch, spectra) = buffers()
                while let chunk = try reader.next() {
                    frames += chunk.count / channels
                    analysis.process(chunk, into: &spectra)
                    batch += chunk
                    if batch.count >= batchFrames * channels {
                        try synthesis.add(batch, spectra: spectra)
                        (batch, spectra) = buffers()
                    }
                }
                try synthesis.add(batch, spectra: spectra)
                try synthesis.finish(spectra: analysis.finish())
                try vocalWriter.close()
                try backgroundWriter.close()
            }
        }
        let speech = activity.frames.isEmpty ? 0 : Double(activity.frames.filter { $0 }.count) / Double(activity.frames.count)
        return Report(method: channels == 2 ? "local-centre" : "local-spectral", duration: Double(frames) / Double(rate),
                      channels: channels, speechRatio: speech)
    }

    /// The mean power spectrum of the non-speech frames (the noise the mono mask subtracts).
    static func noiseSpectrum(path: String, rate: Int, activity: VoiceActivity) throws -> [Float] {
        let reader = try AudioReader(path: path, options: AudioReadOptions(channels: 1))
        let size = SeparationSTFT.frameSize(for: rate)
        let fft = FFT(size: size)
        let window = SeparationSTFT.hann(size)
        var sum = [Float](repeating: 0, count: size / 2 + 1)
        var count = 0
        var buffer: [Float] = []
        var position = 0
        while let chunk = try reader.next() {
            buffer += chunk
            while buffer.count >= size {
                let time = (Double(position) + Double(size) / 2) / Double(rate)
                if !activity.isSpeech(at: time) {
                    let power = fft.powerSpectrum((0..<size).map { buffer[$0] * window[$0] })
                    for k in sum.indices { sum[k] += power[k] }
                    count += 1
                }
                buffer.removeFirst(size / 2)
                position += size / 2
            }
        }
        return count == 0 ? sum : sum.map { $0 / Float(count) }
    }
}
