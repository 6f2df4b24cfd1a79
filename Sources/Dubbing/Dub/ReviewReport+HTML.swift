import DubSupport
import ProviderAPI
#if canImport(Glibc)
import Glibc
#endif

extension ReviewReport {
    /// The page: inline CSS and SVG only.
    func html(hasDub: Set<Int>) -> String {
        let flagged = lines.filter { !$0.flags.isEmpty }
        let ordered = flagged + lines.filter { $0.flags.isEmpty }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Dub review: \(Self.escape(title))</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:24px}
        table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
        tr.flagged{background:#fff4f0}.flag{display:inline-block;background:#c0392b;color:#fff;border-radius:3px;padding:0 4px;margin:1px;font-size:12px}
        .figures td:first-child{color:#555}.timeline{border:1px solid #ccc;background:#fafafa}audio{height:28px;width:170px}
        .legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
        </style></head><body>
        <h1>Dub review: \(Self.escape(title))</h1>
        <p id="summary">\(lines.count) lines, \(flagged.count) flagged, \(Self.clock(duration)) long.</p>
        <h2>Timeline</h2>
        \(timelineSVG())
        <p class="legend">speed:<span style="background:\(Self.colour(1))"></span>≤ 1.05x<span style="background:\(Self.colour(1.1))"></span>≤ 1.15x\
        <span style="background:\(Self.colour(1.2))"></span>≤ 1.3x<span style="background:\(Self.colour(1.5))"></span>&gt; 1.3x\
        <span style="background:#bbb"></span>original slot; red outline: flagged; loudness: source grey, mix blue</p>
        <h2>Quality</h2>
        \(figuresTable())
        \(warnings.isEmpty ? "" : "<h2>Warnings</h2><ul id=\"warnings\">" + warnings.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul>")
        <h2>Lines (flagged first)</h2>
        <table id="lines"><thead><tr><th>#</th><th>time</th><th>speaker</th><th>voice</th><th>source</th><th>translation</th><th>speed</th>\
        <th>method</th><th>verify</th><th>flags</th><th>original</th><th>dub</th></tr></thead><tbody>
        \(ordered.map { row($0, hasDub: hasDub.contains($0.id)) }.joined(separator: "\n"))
        </tbody></table>
        </body></html>

        """
    }

    func row(_ line: Line, hasDub: Bool) -> String {
        let t = line.timing
        let verify = line.check.map { "WER \($0.errorRate.fixed(2))\($0.cutOff ? ", cut off" : "")" } ?? ""
        let flags = line.flags.map { "<span class=\"flag\">\(Self.escape($0))</span>" }.joined()
        let original = "<audio controls preload=\"none\" src=\"\(Self.excerpts)/line-\(line.id).original.flac\"></audio>"
        let dub = hasDub ? "<audio controls preload=\"none\" src=\"\(Self.excerpts)/line-\(line.id).dub.flac\"></audio>" : ""
        return "<tr id=\"line-\(line.id)\" class=\"line\(line.flags.isEmpty ? "" : " flagged")\" data-flags=\"\(Self.escape(line.flags.joined(separator: ",")))\">"
            + "<td>\(line.id)</td><td>\(Self.clock(t.start))</td><td>\(Self.escape(line.speaker))</td><td>\(Self.escape(line.voice ?? ""))</td>"
            + "<td>\(Self.escape(line.source))</td><td>\(Self.escape(line.text))</td><td>\(t.factor.fixed(2))x</td><td>\(t.method.rawValue)</td>"
            + "<td>\(verify)</td><td>\(flags)</td><td>\(original)</td><td>\(dub)</td></tr>"
    }

    func figuresTable() -> String {
        func percent(_ share: Double) -> String { "\(Int((share * 100).rounded())) %" }
        var rows: [(String, String)] = [
            ("lines at ≤ 1.05x / ≤ 1.15x / > 1.3x", "\(percent(quality.shareNatural)) / \(percent(quality.shareWithin115)) / \(percent(quality.shareOver130))"),
            ("largest speed step between neighbours", quality.largestSpeedStep.fixed(2)),
            ("largest start offset from the slot", "\(quality.largestStartOffset.fixed(2)) s"),
            ("drift at the end", "\(quality.driftAtEnd.fixed(2)) s"),
            ("overlaps", "\(quality.overlaps)"),
            ("loudness in / out, true peak", "\(quality.loudnessIn.fixed(1)) / \(quality.loudnessOut.fixed(1)) LUFS, \(quality.truePeak.fixed(1)) dBTP"),
        ]
        if let median = quality.medianWER, let worst = quality.worstWER, let cut = quality.cutOffEndings {
            rows.append(("verify: WER median / worst, cut-off endings", "\(median.fixed(2)) / \(worst.fixed(2)), \(cut)"))
        }
        for (provider, use) in usage.sorted(by: { $0.key < $1.key }) {
            rows.append(("usage: \(provider)", "\(Self.escape(use.summary))\(costUSD[provider].map { ", $\($0.fixed(4))" } ?? "")"))
        }
        return "<table class=\"figures\" id=\"quality\">" + rows.map { "<tr><td>\($0.0)</td><td>\($0.1)</td></tr>" }.joined() + "</table>"
    }

    /// One lane per speaker (slots grey, dubbed lines coloured by speed), then the loudness curves.
    func timelineSVG() -> String {
        let speakers = lines.reduce(into: [String]()) { if !$0.contains($1.speaker) { $0.append($1.speaker) } }
        let width = 1200.0, label = 90.0, lane = 34.0, curveHeight = 80.0
        let span = max(duration, lines.map { $0.timing.start + $0.timing.duration }.max() ?? 0, 1)
        func x(_ t: Double) -> Double { label + (width - label - 10) * t / span }
        let height = Double(speakers.count) * lane + curveHeight + 30
        var parts: [String] = []
        for (n, speaker) in speakers.enumerated() {
            let top = Double(n) * lane + 4
            parts.append("<text x=\"4\" y=\"\(top + 20)\">\(Self.escape(speaker))</text>")
            for line in lines where line.speaker == speaker {
                let t = line.timing
                parts.append("<rect x=\"\(x(t.slotStart).fixed(1))\" y=\"\(top.fixed(1))\" width=\"\(max(0.5, x(t.slotEnd) - x(t.slotStart)).fixed(1))\" height=\"12\" fill=\"#bbb\"/>")
                guard t.method != .dropped else { continue }
                let stroke = line.flags.isEmpty ? "" : " stroke=\"#c0392b\" stroke-width=\"1.5\""
                parts.append("<rect class=\"dub\" x=\"\(x(t.start).fixed(1))\" y=\"\((top + 14).fixed(1))\" width=\"\(max(0.5, x(t.start + t.duration) - x(t.start)).fixed(1))\" "
                             + "height=\"12\" fill=\"\(Self.colour(t.factor))\"\(stroke)><title>line \(line.id): \(t.factor.fixed(2))x\(line.flags.isEmpty ? "" : ", " + Self.escape(line.flags.joined(separator: ", ")))</title></rect>")
            }
        }
        let base = Double(speakers.count) * lane + 10
        func polyline(_ perSecond: [Double], colour: String) -> String {
            guard !perSecond.isEmpty else { return "" }
            // At most one point per 1200th of the span (a film's hour in 3 s steps), averaged as power.
            let step = max(1, Int((span / 1200).rounded(.up)))
            let curve = stride(from: 0, to: perSecond.count, by: step).map { start in
                let slice = perSecond[start..<min(perSecond.count, start + step)]
                return 10 * log10(slice.reduce(0) { $0 + pow(10, $1 / 10) } / Double(slice.count))
            }
            let points = curve.enumerated().map { i, lufs in
                "\(x(Double(i * step)).fixed(1)),\((base + curveHeight * (1 - (max(-60, min(0, lufs)) + 60) / 60)).fixed(1))"
            }
            return "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1\" points=\"\(points.joined(separator: " "))\"/>"
        }
        parts.append("<text x=\"4\" y=\"\(base + 14)\">loudness</text>")
        parts.append(polyline(sourceCurve, colour: "#888"))
        parts.append(polyline(mixCurve, colour: "#2471a3"))
        return "<svg class=\"timeline\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">"
            + parts.joined() + "</svg>"
    }

    /// Green at natural speed to red beyond 1.3x.
    static func colour(_ factor: Double) -> String {
        factor <= 1.05 ? "#27ae60" : factor <= 1.15 ? "#f1c40f" : factor <= 1.3 ? "#e67e22" : "#c0392b"
    }

    static func clock(_ seconds: Double) -> String { String(SubtitleFormat.timestamp(seconds, separator: ".").dropLast(4)) }

    static func escape(_ text: String) -> String {
        var out = ""
        // By scalar: a quote or bracket followed by a combining mark is one Character.
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
