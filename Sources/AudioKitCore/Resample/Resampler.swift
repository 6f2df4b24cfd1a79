import DubSupport
/// Which library changes the sample rate.
public enum ResamplerKind: String, Sendable, CaseIterable, Codable {
    /// libsoxr at high quality (the default for rate changes).
    case soxr
    /// libswresample with FFmpeg's defaults (what the ffmpeg command line uses).
    case swr
}

/// A streaming sample-rate converter over interleaved Float32.
protocol RateConverter: AnyObject {
    /// Converts the next block of interleaved input; may return fewer samples than the ratio suggests
    /// while the filter fills.
    func process(_ input: [Float]) throws -> [Float]
    /// Returns what is still buffered at the end of the input.
    func flush() throws -> [Float]
}

/// Builds the rate converter for a kind.
func makeRateConverter(_ kind: ResamplerKind, from inputRate: Int, to outputRate: Int, channels: Int,
                       path: String) throws -> RateConverter {
    switch kind {
    case .soxr: try SoxrConverter(from: inputRate, to: outputRate, channels: channels, path: path)
    case .swr: try SwrRateConverter(from: inputRate, to: outputRate, channels: channels, path: path)
    }
}
