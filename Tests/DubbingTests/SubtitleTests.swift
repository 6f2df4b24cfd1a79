import DubSupport
import ProviderAPI
import Providers
import Dubbing
import TestSupport
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite("Subtitles: SRT and WebVTT")
struct SubtitleTests {
    @Test("the sample Spanish SRT: six cues at the English lines' times")
    func sample() throws {
        let text = try String(contentsOfFile: Repository.sample("english.es.srt"), encoding: .utf8)
        let cues = try SubtitleFormat.srt.parse(text)
        #expect(cues.count == 6)
        #expect(cues[0].start == 1.0)
        #expect(cues[0].text.hasPrefix("Bienvenidos"))
        #expect(zip(cues, cues.dropFirst()).allSatisfy { $0.end <= $1.start })
    }

    @Test("lenient where real files vary: BOM, CRLF, no cue numbers, tags, multi-line text")
    func lenient() throws {
        let srt = "\u{FEFF}1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hola</i>\r\nmundo\r\n\r\n00:00:03,000 --> 00:00:04,000\r\n{\\an8}Adiós\r\n"
        let cues = try SubtitleFormat.srt.parse(srt)
        #expect(cues.map(\.text) == ["Hola\nmundo", "Adiós"])
        #expect(cues.map(\.start) == [1.0, 3.0])
        let vtt = "WEBVTT - title\n\nNOTE a comment\nmore\n\nSTYLE\n::cue { color: red }\n\nintro\n00:01.000 --> 00:02.000 align:start\n<v Ana>Hola <b>a todos</b>\n\n01:00:00.250 --> 01:00:01.000\nFin\n"
        let v = try SubtitleFormat.vtt.parse(vtt)
        #expect(v.count == 2)
        #expect(v[0].speaker == "Ana")
        #expect(v[0].text == "Hola a todos")
        #expect(v[1].start == 3600.25)
    }

    @Test("malformed files name the line", arguments: [
        ("1\n00:00:01,000 -> 00:00:02,000\nHola\n", 2),
        ("1\n00:00:01,000 --> 00:00:02,000\nHola\n\n2\n00:00:0x,000 --> 00:00:03,000\nAdiós\n", 6),
        ("1\n00:00:05,000 --> 00:00:02,000\nHola\n", 2),
        ("1\n00:00:01,000 --> 00:00:02,000\n\n", 1),
        ("hello there\n", 1),
        ("", 1),
    ])
    func malformed(text: String, line: Int) throws {
        let error = try #require(throws: SubtitleError.self) { try SubtitleFormat.srt.parse(text, path: "x.srt") }
        #expect(error.line == line, "\(error)")
        #expect(error.description.contains("x.srt"))
    }

    @Test("a WebVTT file without its header is refused")
    func vttHeader() throws {
        let error = try #require(throws: SubtitleError.self) { try SubtitleFormat.vtt.parse("00:01.000 --> 00:02.000\nHi\n") }
        #expect(error.line == 1)
    }

    @Test("render then parse gives the same cues", arguments: SubtitleFormat.allCases)
    func roundTrip(format: SubtitleFormat) throws {
        let cues = [SubtitleCue(index: 1, start: 0.5, end: 2.25, text: "Hola\nmundo"),
                    SubtitleCue(index: 2, start: 3725.001, end: 3726.999, text: "Adiós", speaker: format == .vtt ? "B" : nil)]
        #expect(try format.parse(format.render(cues)) == cues)
        #expect(SubtitleFormat(path: "a/b.\(format.rawValue)") == format)
    }
}

@Suite("Subtitles as dubbing lines: entities, encodings, limits, the media's end")
struct SubtitleLineTests {
    @Test("character references are decoded after the tags are removed")
    func entities() throws {
        let cues = try SubtitleFormat.srt.parse("1\n00:00:01,000 --> 00:00:02,000\nTom &amp; Jerry &lt;3 &quot;hi&quot; caf&#233; &#xE9;t&eacute; &nbsp;x&lrm;\n")
        #expect(cues[0].text == "Tom & Jerry <3 \"hi\" café ét&eacute;  x")
    }

    @Test("lines past the media's end are refused, a little past it cut with a warning; long, many and huge lines are refused")
    func limits() throws {
        func line(_ id: Int, _ start: Double, _ end: Double, _ text: String = "Hola.") -> DubLine {
            DubLine(id: id, start: start, end: end, source: "", text: text)
        }
        let far = #expect(throws: LineError.self) {
            try DubLine.checked([line(0, 1, 2), line(1, 36000, 36001)], mediaEnd: 26, origin: "subtitles 'x.srt'")
        }
        #expect(far?.line == 2 && far?.description.contains("after the media ends") == true, "\(String(describing: far))")
        #expect(throws: LineError.self) { try DubLine.checked([line(0, 20, 40)], mediaEnd: 26, origin: "x") }
        let cut = try DubLine.checked([line(0, 1, 2), line(1, 24, 28)], mediaEnd: 26, origin: "x")
        #expect(cut.lines[1].end == 26 && cut.warnings.count == 1)
        #expect(throws: LineError.self) { try DubLine.checked([line(0, 1, 2, String(repeating: "palabra ", count: 5000))], mediaEnd: 26, origin: "x") }
        #expect(throws: LineError.self) { try DubLine.checked([line(0, 0, 90)], mediaEnd: 600, origin: "x") }
        let many = (0..<100_000).map { line($0, Double($0) * 0.0002, Double($0) * 0.0002 + 0.0001) }
        let crowded = #expect(throws: LineError.self) { try DubLine.checked(many, mediaEnd: 26, origin: "x") }
        #expect(crowded?.description.contains("100000 lines") == true)
        #expect(throws: LineError.self) { try DubLine.checked([line(0, .nan, 2)], mediaEnd: 26, origin: "x") }
    }
}
