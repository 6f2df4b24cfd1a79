import AudioKitCore
import Foundation
import Testing

@Suite("silence trimming of synthesized lines")
struct SilenceTrimmerTests {
    @Test("leading and trailing silence are cut to 10 ms, a pause inside is kept, in any chunking; all silence is left as it is")
    func trims() {
        let rate = 24_000
        let tone = (0..<rate / 2).map { Float(0.3 * sin(2 * Double.pi * 220 * Double($0) / Double(rate))) }
        let silence = { (seconds: Double) in [Float](repeating: 0, count: Int(seconds * Double(rate))) }
        let clip = silence(0.3) + tone + silence(0.2) + tone + silence(0.5)
        let expected = tone.count * 2 + Int(0.2 * Double(rate)) + 2 * rate / 100
        for chunk in [1, 1000, 4096, clip.count] {
            var trimmer = SilenceTrimmer(sampleRate: rate)
            var out: [Float] = []
            for start in stride(from: 0, to: clip.count, by: chunk) { out += trimmer.process(Array(clip[start..<min(clip.count, start + chunk)])) }
            out += trimmer.finish()
            // The first and last samples of a sine are near zero: a few of them count as silence too.
            #expect(abs(out.count - expected) <= 4, "chunk \(chunk): \(out.count) vs \(expected)")
        }
        #expect(SilenceTrimmer.trim(silence(0.5), sampleRate: rate).count == rate / 2)
    }
}
