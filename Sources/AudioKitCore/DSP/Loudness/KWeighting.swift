import DubSupport
/// The BS.1770 K-weighting pre-filter (a high shelf, then a high pass) as two biquads, designed for the
/// actual sample rate from the analogue prototype the standard's 48 kHz coefficients come from.
struct KWeighting {
    struct Biquad {
        var b0, b1, b2, a1, a2: Double
        var z1 = 0.0, z2 = 0.0

        init(b0: Double, b1: Double, b2: Double, a1: Double, a2: Double) {
            self.b0 = b0; self.b1 = b1; self.b2 = b2; self.a1 = a1; self.a2 = a2
        }

        @inline(__always)
        mutating func process(_ x: Double) -> Double {
            let y = b0 * x + z1
            z1 = b1 * x - a1 * y + z2
            z2 = b2 * x - a2 * y
            return y
        }
    }

    var shelf: Biquad
    var highPass: Biquad

    init(sampleRate: Double) {
        // Stage 1: high shelf, +4 dB above ~1.5 kHz.
        let f0 = 1681.974450955533, gain = 3.999843853973347, q = 0.7071752369554196
        let k = tan(Double.pi * f0 / sampleRate)
        let vh = pow(10, gain / 20)
        let vb = pow(vh, 0.4996667741545416)
        let a0 = 1 + k / q + k * k
        shelf = Biquad(b0: (vh + vb * k / q + k * k) / a0, b1: 2 * (k * k - vh) / a0, b2: (vh - vb * k / q + k * k) / a0,
                       a1: 2 * (k * k - 1) / a0, a2: (1 - k / q + k * k) / a0)
        // Stage 2: RLB high pass at ~38 Hz.
        let f1 = 38.13547087602444, q1 = 0.5003270373238773
        let k1 = tan(Double.pi * f1 / sampleRate)
        let a01 = 1 + k1 / q1 + k1 * k1
        highPass = Biquad(b0: 1, b1: -2, b2: 1, a1: 2 * (k1 * k1 - 1) / a01, a2: (1 - k1 / q1 + k1 * k1) / a01)
    }

    @inline(__always)
    mutating func process(_ x: Double) -> Double { highPass.process(shelf.process(x)) }
}

#if canImport(Glibc)
import Glibc
#endif
