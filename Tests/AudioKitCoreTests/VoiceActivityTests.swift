import AudioKitCore
import DubSupport
import Foundation
import TestSupport
import Testing

@Suite("Voice activity")
struct VoiceActivityTests {
    struct Line: Decodable { let start: Double; let end: Double }

    static func truth(_ name: String) throws -> [Line] {
        try JSONDecoder().decode([Line].self, from: Data(contentsOf: URL(fileURLWithPath: Repository.sample(name))))
    }

    @Test("at least 90 % frame agreement with the samples' known speech", arguments: ["english", "korean", "two-speakers", "mono"])
    func agreement(sample: String) throws {
        let file = Repository.sample(sample == "mono" ? "mono.wav" : "\(sample).mp4")
        let activity = try VoiceActivityDetector().analyze(path: file)
        let lines = try Self.truth("\(sample).lines.json")
        var agree = 0
        for (i, speech) in activity.frames.enumerated() {
            let t = (Double(i) + 0.5) * 0.01
            let truth = lines.contains { t >= $0.start && t < $0.end }
            if truth == speech { agree += 1 }
        }
        let ratio = Double(agree) / Double(activity.frames.count)
        print("VAD \(sample): \(ratio) frame agreement")
        #expect(ratio >= 0.9, "\(sample): \(ratio)")
    }

    @Test("best cut points fall in the pauses between lines")
    func cuts() throws {
        let activity = try VoiceActivityDetector().analyze(path: Repository.sample("english.mp4"))
        let lines = try Self.truth("english.lines.json")
        for (a, b) in zip(lines, lines.dropFirst()) {
            let cut = activity.bestCut(near: a.end, within: 1.0)
            #expect(cut > a.end - 0.05 && cut < b.start + 0.05, "cut \(cut) between \(a.end) and \(b.start)")
            #expect(!activity.isSpeech(at: cut))
        }
    }

    @Test("digital silence has no speech")
    func silence() {
        let activity = VoiceActivityDetector().analyze(samples: [Float](repeating: 0, count: 32000))
        #expect(activity.regions.isEmpty)
    }
}
