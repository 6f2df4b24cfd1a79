import AudioKitCore
import Foundation

/// Where a fake recogniser "hears" words: in the voiced regions of the uploaded audio, so transcripts follow
/// the real audio's length and pauses (one word every ~0.3 s of speech; one segment per voiced region).
public enum FakeSpeechTiming {
    public struct Region: Sendable {
        public var start: Double
        public var end: Double
        public var words: [(text: String, start: Double, end: Double)]
        /// 0, 1, 0, ... : speakers alternate by region, for diarization.
        public var speaker: Int
    }

    /// `analyze` on its own thread.
    public static func analyzeOffPool(_ bytes: [UInt8], filename: String) async -> (duration: Double, regions: [Region])? {
        await FakeWork.offPool { analyze(bytes, filename: filename) }
    }

    /// Decodes the uploaded bytes (any format FFmpeg reads) and returns the voiced regions with words, and the
    /// audio's duration. Nil when the upload is not decodable audio.
    public static func analyze(_ bytes: [UInt8], filename: String) -> (duration: Double, regions: [Region])? {
        let ext = (filename as NSString).pathExtension.isEmpty ? "bin" : (filename as NSString).pathExtension
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fake-upload-\(UUID().uuidString).\(ext)").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return nil }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let activity = try? VoiceActivityDetector().analyze(path: path), !activity.frames.isEmpty else { return nil }
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
}
