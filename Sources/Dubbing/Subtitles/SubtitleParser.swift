import DubSupport
import ProviderAPI
/// Reads SRT and WebVTT, strictly enough to catch broken files (with the line number) and leniently
/// enough for what real tools write (BOM, CRLF, missing cue numbers in SRT, `MM:SS.mmm` in WebVTT,
/// cue settings, NOTE and STYLE blocks, inline tags).
struct SubtitleParser {
    let lines: [Substring]
    let path: String?
    let format: SubtitleFormat
    var position = 0

    init(text: String, path: String?, format: SubtitleFormat) {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        lines = body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        self.path = path
        self.format = format
    }

    mutating func parse() throws -> [SubtitleCue] {
        if format == .vtt {
            guard let first = lines.first, first.hasPrefix("WEBVTT") else {
                throw error(1, "a WebVTT file must start with 'WEBVTT'")
            }
            position = 1
        }
        var cues: [SubtitleCue] = []
        while true {
            skipBlank()
            guard position < lines.count else { break }
            if format == .vtt, let block = lines[position].split(separator: " ").first,
               ["NOTE", "STYLE", "REGION"].contains(block) {
                skipBlock()
                continue
            }
            cues.append(try parseCue(index: cues.count + 1))
        }
        guard !cues.isEmpty else { throw error(max(lines.count, 1), "no cues found") }
        return cues
    }

    private mutating func parseCue(index: Int) throws -> SubtitleCue {
        let blockStart = position
        var timingLine = position
        if !lines[position].contains("-->") {
            // SRT cue number or WebVTT cue identifier.
            if format == .srt, Int(lines[position].trimmed) == nil {
                throw error(position + 1, "expected a cue number or a timing line 'HH:MM:SS,mmm --> HH:MM:SS,mmm'")
            }
            timingLine += 1
        }
        guard timingLine < lines.count, lines[timingLine].contains("-->") else {
            throw error(min(timingLine, lines.count - 1) + 1, "expected a timing line 'start --> end'")
        }
        let parts = lines[timingLine].pieces(separatedBy: "-->")
        let startText = parts[0].trimmed
        let endText = (parts.count > 1 ? parts[1] : "").trimmed.split(separator: " ").first.map(String.init) ?? ""
        guard let start = Self.seconds(startText), let end = Self.seconds(endText) else {
            throw error(timingLine + 1, "cannot read the times in '\(lines[timingLine].trimmed)'")
        }
        guard end >= start else {
            throw error(timingLine + 1, "the cue ends (\(endText)) before it starts (\(startText))")
        }
        position = timingLine + 1
        var text: [String] = []
        while position < lines.count, !lines[position].trimmed.isEmpty {
            text.append(lines[position].trimmed)
            position += 1
        }
        guard !text.isEmpty else { throw error(blockStart + 1, "cue \(index) has no text") }
        var joined = text.joined(separator: "\n")
        var speaker: String?
        if format == .vtt, joined.hasPrefix("<v "), let close = joined.firstIndex(of: ">") {
            speaker = String(joined[joined.index(joined.startIndex, offsetBy: 3)..<close]).trimmed
            joined = String(joined[joined.index(after: close)...])
        }
        return SubtitleCue(index: index, start: start, end: end, text: Self.stripTags(joined), speaker: speaker)
    }

    private mutating func skipBlank() {
        while position < lines.count, lines[position].trimmed.isEmpty { position += 1 }
    }

    private mutating func skipBlock() {
        while position < lines.count, !lines[position].trimmed.isEmpty { position += 1 }
    }

    private func error(_ line: Int, _ message: String) -> SubtitleError {
        SubtitleError(path: path, line: line, message: message)
    }

    /// `HH:MM:SS,mmm`, `HH:MM:SS.mmm` or `MM:SS.mmm`.
    static func seconds(_ text: String) -> Double? {
        let fields = String(text.map { $0 == "," ? "." : $0 }).split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(fields.count), fields.last!.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              fields.last!.contains("."), let secs = Double(fields.last!), secs < 60 else { return nil }
        var total = secs
        var scale = 60.0
        for field in fields.dropLast().reversed() {
            guard let value = Int(field), value >= 0, field.allSatisfy(\.isNumber) else { return nil }
            total += Double(value) * scale
            scale *= 60
        }
        return total
    }

    /// Removes inline markup such as `<i>`, `</b>`, `<c.yellow>`, `{\an8}`.
    static func stripTags(_ text: String) -> String {
        var out = ""
        var depth = 0
        var brace = 0
        for ch in text {
            switch ch {
            case "<": depth += 1
            case ">" where depth > 0: depth -= 1
            case "{" where text.contains("{\\"): brace += 1
            case "}" where brace > 0: brace -= 1
            default: if depth == 0 && brace == 0 { out.append(ch) }
            }
        }
        return decodeEntities(out).trimmed
    }

    /// Character references as subtitle tools write them: `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`
    /// (a space), `&lrm;`/`&rlm;` (dropped), `&#233;` and `&#xE9;`. Anything else stays as written.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "lrm": "", "rlm": ""]
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.prefix(10).firstIndex(of: ";") else { out += "&"; rest = after; continue }
            let name = String(after[..<semi])
            var replacement: String?
            if let value = named[name.lowercased()] {
                replacement = value
            } else if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let code = digits.lowercased().hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                replacement = code.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            }
            if let replacement {
                out += replacement
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        return out + rest
    }
}
