import Foundation

/// Speech-like audio (voice-band partials at `pitch`, twice and four times it, under a 3 Hz syllable envelope) whose length
/// follows the text length and speed (about 14 characters a second at speed 1).
enum FakeAudio {
    /// `text` spoken by a fake voice: registered with `voices`, so a fake recogniser hears it back.
    static func speech(_ text: String, speed: Double, sampleRate: Int, voices: FakeVoices) -> [Float] {
        speech(characters: text.count, speed: speed, sampleRate: sampleRate, pitch: voices.pitch(for: text))
    }

    static func speech(characters: Int, speed: Double, sampleRate: Int, pitch: Double = 300) -> [Float] {
        let seconds = max(0.2, Double(characters) / 14.0 / speed)
        let count = Int(seconds * Double(sampleRate))
        return (0..<count).map { i in
            let t = Double(i) / Double(sampleRate)
            let envelope = 0.5 + 0.5 * sin(2 * .pi * 3 * t)
            // Voice-band partials (a recogniser's voice detector hears them as speech).
            let voice = sin(2 * .pi * pitch * t) + 0.5 * sin(2 * .pi * 2 * pitch * t) + 0.3 * sin(2 * .pi * 4 * pitch * t)
            return Float(0.18 * envelope * voice)
        }
    }

    static func s16le(_ samples: [Float]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(samples.count * 2)
        for sample in samples {
            let value = Int16(max(-1, min(1, sample)) * 32767)
            out.append(UInt8(truncatingIfNeeded: value))
            out.append(UInt8(truncatingIfNeeded: value >> 8))
        }
        return out
    }

    static func wav(_ samples: [Float], sampleRate: Int) -> [UInt8] {
        let data = s16le(samples)
        var out = [UInt8]()
        func u32(_ v: Int) { out += withUnsafeBytes(of: UInt32(v).littleEndian, Array.init) }
        func u16(_ v: Int) { out += withUnsafeBytes(of: UInt16(v).littleEndian, Array.init) }
        out += Array("RIFF".utf8); u32(36 + data.count); out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(sampleRate); u32(sampleRate * 2); u16(2); u16(16)
        out += Array("data".utf8); u32(data.count)
        return out + data
    }
}
