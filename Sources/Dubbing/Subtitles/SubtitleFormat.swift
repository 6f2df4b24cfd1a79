import DubSupport
import ProviderAPI
/// The subtitle formats dub reads and writes.
public enum SubtitleFormat: String, Sendable, CaseIterable {
    case srt
    case vtt

    /// The format named by a file's extension.
    public init?(path: String) {
        guard let ext = path.split(separator: ".").last?.lowercased(), path.contains(".") else { return nil }
        self.init(rawValue: ext)
    }

    /// Parses `text` in this format.
    public func parse(_ text: String, path: String? = nil) throws -> [SubtitleCue] {
        var parser = SubtitleParser(text: text, path: path, format: self)
        return try parser.parse()
    }

    /// Writes `cues` in this format.
    public func render(_ cues: [SubtitleCue]) -> String {
        switch self {
        case .srt:
            return cues.enumerated().map { n, cue in
                "\(n + 1)\n\(Self.timestamp(cue.start, separator: ",")) --> \(Self.timestamp(cue.end, separator: ","))\n\(cue.text)\n"
            }.joined(separator: "\n")
        case .vtt:
            let body = cues.map { cue in
                let text = cue.speaker.map { "<v \($0)>\(cue.text)" } ?? cue.text
                return "\(Self.timestamp(cue.start, separator: ".")) --> \(Self.timestamp(cue.end, separator: "."))\n\(text)\n"
            }
            return (["WEBVTT\n"] + body).joined(separator: "\n")
        }
    }

    /// `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT).
    public static func timestamp(_ seconds: Double, separator: Character) -> String {
        let ms = seconds.isFinite ? max(0, Int((min(seconds, 3.6e8) * 1000).rounded())) : 0
        func pad(_ v: Int, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
        return "\(pad(ms / 3_600_000, 2)):\(pad(ms / 60_000 % 60, 2)):\(pad(ms / 1000 % 60, 2))\(separator)\(pad(ms % 1000, 3))"
    }
}
