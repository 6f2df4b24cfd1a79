import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// Finds speech in audio from frame energy and spectral shape, with hysteresis and minimum durations,
/// and finds good places to cut (the quietest spots near a wanted time).
///
/// Works on 16 kHz mono (20 ms frames, 10 ms hop). A frame is voiced when its energy stands far enough
/// above the noise floor (the 15th percentile of frame energies, so a steady music bed counts as floor)
/// and enough of it lies in the speech band (250–3800 Hz) relative to the floor's own share there.
public struct VoiceActivityDetector: Sendable {
    /// Tunables.
    public struct Settings: Sendable, Equatable, Codable {
        /// dB above the noise floor a frame needs to start speech.
        public var onThreshold: Double = 10
        /// dB above the noise floor below which speech ends (hysteresis).
        public var offThreshold: Double = 4
        /// Shorter speech bursts are dropped, in seconds.
        public var minSpeech: Double = 0.12
        /// Shorter pauses inside speech are bridged, in seconds.
        public var minSilence: Double = 0.5
        /// Padding added around each region, in seconds.
        public var padding: Double = 0.04

        public init() {}
    }

    /// A stretch of speech, in seconds.
    public struct Region: Sendable, Equatable, Codable {
        public var start: Double
        public var end: Double
    }

    public static let analysisRate = 16000
    static let frameLength = 320
    static let hop = 160

    public var settings: Settings

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Frame-level analysis of a whole file (streamed; only per-frame numbers are kept).
    public func analyze(path: String) throws -> VoiceActivity {
        try analyze(path: path, writer: nil)
    }

    /// `analyze(path:)`, also writing the 16 kHz mono samples it analysed to `copy` (a float WAV, on another thread:
    /// 64 kB a second), so that a later pass over the same samples needs no decoding and resampling. On an error `copy`
    /// may be left partly written: the caller removes it.
    public func analyze(path: String, keepingSamplesIn copy: String) throws -> VoiceActivity {
        try analyze(path: path, writer: try BackgroundSoundWriter(path: copy, format: try SoundFileFormat(container: .wav, encoding: .float32),
                                                                  sampleRate: Self.analysisRate, channels: 1))
    }

    private func analyze(path: String, writer: BackgroundSoundWriter?) throws -> VoiceActivity {
        let reader = try AudioReader(path: path, options: AudioReadOptions(sampleRate: Self.analysisRate, channels: 1))
        var analyzer = FrameAnalyzer()
        while let chunk = try reader.next() {
            try writer?.write(chunk)
            analyzer.add(chunk)
        }
        try writer?.close()
        var activity = VoiceActivity(features: analyzer.finish(), settings: settings)
        activity.warnings = reader.warnings
        return activity
    }

    /// Frame-level analysis of 16 kHz mono samples.
    public func analyze(samples: [Float]) -> VoiceActivity {
        var analyzer = FrameAnalyzer()
        analyzer.add(samples)
        return VoiceActivity(features: analyzer.finish(), settings: settings)
    }
}

/// Per-frame features: energy in dB and the share of it in the speech band.
struct FrameFeatures: Sendable {
    var energy: [Double] = []
    var speechShare: [Double] = []
}

/// Computes frame features as samples stream in.
struct FrameAnalyzer {
    private var pending: [Float] = []
    private var features = FrameFeatures()
    private let fft = FFT(size: 512)
    private var frame = [Float](repeating: 0, count: VoiceActivityDetector.frameLength)
    private var power = [Float](repeating: 0, count: 257)
    private let window: [Float] = (0..<VoiceActivityDetector.frameLength).map { i in
        Float(0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(VoiceActivityDetector.frameLength)))
    }

    mutating func add(_ samples: [Float]) {
        pending += samples
        let n = VoiceActivityDetector.frameLength, hop = VoiceActivityDetector.hop
        var start = 0
        while start + n <= pending.count {
            for i in 0..<n { frame[i] = pending[start + i] * window[i] }
            frame.withUnsafeBufferPointer { frame in power.withUnsafeMutableBufferPointer { fft.powerSpectrum(frame, into: $0) } }
            let total = power.reduce(0, +) + 1e-12
            // Bins are 31.25 Hz wide at 16 kHz / 512.
            let speech = power[8...121].reduce(0, +)
            features.energy.append(10 * log10(Double(total) / Double(n)))
            features.speechShare.append(Double(speech / total))
            start += hop
        }
        pending.removeFirst(start)
    }

    func finish() -> FrameFeatures { features }
}
