import AudioKitCore
import DubSupport
import Foundation

/// Where a fake recogniser "hears" words: in the voiced regions of the uploaded audio, so transcripts follow
/// the real audio's length and pauses (one segment per voiced region). The words are the text a fake voice spoke
/// when the audio is one of theirs (`FakeVoices`), else `wordN` tokens, one every ~0.3 s of speech.
public enum FakeSpeechTiming {
    public struct Region: Sendable {
        public var start: Double
        public var end: Double
        public var words: [(text: String, start: Double, end: Double)]
        /// 0, 1, 0, ... : speakers alternate by region, for diarization.
        public var speaker: Int
    }

    /// `analyze` on its own thread.
    public static func analyzeOffPool(_ bytes: [UInt8], filename: String, voices: FakeVoices? = nil) async -> (duration: Double, regions: [Region])? {
        await FakeWork.offPool { analyze(bytes, filename: filename, voices: voices) }
    }

    /// Decodes the uploaded bytes (any format FFmpeg reads) and returns the voiced regions with words, and the
    /// audio's duration. Nil when the upload is not decodable audio.
    public static func analyze(_ bytes: [UInt8], filename: String, voices: FakeVoices? = nil) -> (duration: Double, regions: [Region])? {
        let ext = (filename as NSString).pathExtension.isEmpty ? "bin" : (filename as NSString).pathExtension
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fake-upload-\(UUID().uuidString).\(ext)").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return nil }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let activity = try? VoiceActivityDetector().analyze(path: path), !activity.frames.isEmpty else { return nil }
        if let voices, !activity.regions.isEmpty, activity.duration <= 30,
           let text = FakeVoices.steadyPitch(path: path).flatMap(voices.text(heardAt:)) {
            return (activity.duration, spread(text.split(separator: " ").map(String.init), over: activity.regions))
        }
        var counter = 0
        let regions = activity.regions.enumerated().map { index, region in
            let count = max(1, Int((region.end - region.start) / 0.3))
            let step = (region.end - region.start) / Double(count)
            let words = (0..<count).map { i -> (text: String, start: Double, end: Double) in
                counter += 1
                let start = region.start + Double(i) * step
                return (text: "word\(counter)" + (i == count - 1 ? "." : ""), start: start, end: start + step * 0.8)
            }
            return Region(start: region.start, end: region.end, words: words, speaker: index % 2)
        }
        return (activity.duration, regions)
    }

    /// `words` laid over the voiced regions in order, each region taking its share by length.
    static func spread(_ words: [String], over voiced: [VoiceActivityDetector.Region]) -> [Region] {
        let total = voiced.reduce(0) { $0 + $1.end - $1.start }
        var regions: [Region] = []
        var next = 0, before = 0.0
        for (index, region) in voiced.enumerated() {
            before += region.end - region.start
            let until = index == voiced.count - 1 ? words.count : Int((Double(words.count) * before / total).rounded())
            let mine = Array(words[next..<max(next, min(until, words.count))])
            next += mine.count
            guard !mine.isEmpty else { continue }
            let step = (region.end - region.start) / Double(mine.count)
            let timed = mine.enumerated().map { i, word in (text: word, start: region.start + Double(i) * step, end: region.start + (Double(i) + 0.8) * step) }
            regions.append(Region(start: region.start, end: region.end, words: timed, speaker: index % 2))
        }
        return regions
    }

    /// The regions with their second half of words gone: a recogniser that missed the end of what was said.
    public static func cutShort(_ regions: [Region]) -> [Region] {
        let keep = regions.reduce(0) { $0 + $1.words.count } / 2
        var left = keep
        return regions.compactMap { region in
            var region = region
            region.words = Array(region.words.prefix(left))
            left -= region.words.count
            return region.words.isEmpty ? nil : region
        }
    }
}
