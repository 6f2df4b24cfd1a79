import DubSupport
import ArgumentParser
import AudioKitCore
import FoundationEssentials

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Show a media file's container, duration and streams.",
        discussion: """
        Prints a table by default, or JSON with --json (seconds as numbers; absent facts are left out).

        Example:
          dubctl probe samples/english.mp4
          dubctl probe samples/english.mp4 --json | jq '.streams[] | select(.type == "audio")'
        """
    )

    @Argument(help: "The media file to inspect.")
    var file: String

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let info = try MediaInfo.probe(path: file)
        if json {
            print(try DubJSON.string(info, pretty: true))
        } else {
            print(Self.table(info, file: file))
        }
    }

    static func table(_ info: MediaInfo, file: String) -> String {
        var lines = ["file:     \(file)", "format:   \(info.format) (\(info.formatLongName))"]
        var summary = "duration: " + (info.duration.map { "\($0.fixed(3)) s" } ?? "unknown")
        if let rate = info.bitRate { summary += "   bit rate: \((Double(rate) / 1000).fixed(0)) kb/s" }
        lines.append(summary)
        func row(_ cells: String...) -> String {
            zip(cells, [3, 10, 12, 6, 0]).map { cell, width in
                cell.count >= width ? cell + (width > 0 ? " " : "") : cell + String(repeating: " ", count: width - cell.count)
            }.joined()
        }
        lines.append(row("#", "type", "codec", "lang", "details"))
        for s in info.streams {
            var details: [String] = []
            if let rate = s.sampleRate { details.append("\(rate) Hz") }
            if let layout = s.channelLayout ?? s.channels.map({ "\($0) ch" }) { details.append(layout) }
            if let w = s.width, let h = s.height { details.append("\(w)x\(h)") }
            if s.coverArt == true {
                details.append("cover art")
            } else if let fps = s.frameRate {
                details.append("\(fps.fixed(fps.rounded() == fps ? 0 : 3)) fps")
            }
            if let d = s.duration { details.append("\(d.fixed(3)) s") }
            if s.isDefault { details.append("default") }
            lines.append(row("\(s.index)", s.type.rawValue, s.codec, s.language ?? "-", details.joined(separator: ", ")))
        }
        return lines.joined(separator: "\n")
    }
}
