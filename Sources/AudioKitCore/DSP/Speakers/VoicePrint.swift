import DubSupport
#if canImport(Glibc)
import Glibc
#endif

/// What one stretch of speech sounds like: its pitch and its spectral envelope. `SpeakerClusterer` groups lines by
/// these, and casting reads a speaker's pitch from them.
public struct VoicePrint: Sendable, Equatable, Codable {
    /// The median fundamental frequency of the pitched frames, in Hz; nil when too few frames were pitched.
    public var pitch: Double?
    /// How far the pitch moves: the interquartile range of the pitched frames, in semitones.
    public var pitchSpread: Double
    /// The mean mel cepstrum (coefficients 1–12) of the loud frames: the shape of the spectral envelope.
    public var cepstrum: [Double]
    /// Seconds of loud frames measured (frames within 30 dB of the stretch's loudest).
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case pitch, cepstrum, seconds
        case pitchSpread = "pitch_spread"
    }

    public init(pitch: Double?, pitchSpread: Double, cepstrum: [Double], seconds: Double) {
        self.pitch = pitch
        self.pitchSpread = pitchSpread
        self.cepstrum = cepstrum
        self.seconds = seconds
    }

    /// Whether there is enough speech in it to tell a voice by.
    public var isUsable: Bool { pitch != nil && seconds >= VoicePrint.minimumSeconds }

    /// The print of a stretch with no speech in it.
    public static let silent = VoicePrint(pitch: nil, pitchSpread: 0, cepstrum: [], seconds: 0)

    /// Less speech than this (in seconds) is too little to cluster by; such lines join the nearest speaker.
    public static let minimumSeconds = 0.3

    /// The distance between two voices: pitch counts in steps of 3 semitones (one speaker's lines rarely differ by
    /// more), the envelope in steps of 3.5 of cepstral distance (natural-log mel energies, orthonormal DCT; what one
    /// speaker's lines differ by with what they say). Lines of one speaker are mostly within 1.7 of each other.
    public func distance(to other: VoicePrint) -> Double {
        var pitchTerm = 0.0
        if let a = pitch, let b = other.pitch { pitchTerm = abs(12 * log2(a / b)) / 3 }
        var envelope = 0.0
        for (a, b) in zip(cepstrum, other.cepstrum) { envelope += (a - b) * (a - b) }
        let envelopeTerm = envelope.squareRoot() / 3.5
        return (pitchTerm * pitchTerm + envelopeTerm * envelopeTerm).squareRoot()
    }

    /// The print of several stretches together (weighted by their seconds): a speaker's voice.
    public static func pooled(_ prints: [VoicePrint]) -> VoicePrint? {
        let usable = prints.filter { $0.seconds > 0 && !$0.cepstrum.isEmpty }
        guard let first = usable.first else { return nil }
        let total = usable.reduce(0) { $0 + $1.seconds }
        var cepstrum = [Double](repeating: 0, count: first.cepstrum.count)
        for print in usable {
            for i in cepstrum.indices where i < print.cepstrum.count { cepstrum[i] += print.cepstrum[i] * print.seconds / total }
        }
        let pitched = usable.filter { $0.pitch != nil }
        let pitchTotal = pitched.reduce(0) { $0 + $1.seconds }
        let logPitch = pitched.reduce(0) { $0 + log2($1.pitch ?? 1) * $1.seconds }
        let spread = usable.reduce(0) { $0 + $1.pitchSpread * $1.seconds } / total
        return VoicePrint(pitch: pitchTotal > 0 ? exp2(logPitch / pitchTotal) : nil, pitchSpread: spread, cepstrum: cepstrum, seconds: total)
    }
}
