import Dubbing
import DubSupport
import Foundation
import TestSupport
import Testing

@Suite("report.html in a real browser (headless Chromium)", .tags(.endToEnd))
struct ReviewReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Chromium, headless, as root, with a profile of its own. (Its DOM dump needs scripts on; the page has none: see below.)
    /// Runs off Swift's cooperative pool (the browser takes seconds).
    static func browser(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let chromium = try #require(Self.chromium, "Debian's chromium package is missing (make setup installs it)")
        let profile = try Scratch()
        return try await OffPool.run {
            try Tool.capture(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.url.path)",
                                        "--allow-file-access-from-files"] + arguments, timeout: 120)
        }
    }

    @Test("the dub writes report.html: Chromium loads it (no scripts, nothing external); its DOM has every line, flagged first, with excerpts and figures")
    func reportLoadsInChromium() async throws {
        let scratch = try Scratch()
        let run = try await CommandRunner.run("dubctl", ["dub", Repository.sample("english.mp4"), "--to", "es", "--subtitles",
                                                         Repository.sample("english.es.srt"), "--tts", "espeak", "--max-speed", "1.1",
                                                         "-o", scratch.path("out.es.mp4"), "--work", scratch.path("work"), "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try DubJSON.decode(DubReport.self, from: Data(run.stdout.utf8))
        let page = try #require(report.reviewReport)
        #expect(page == scratch.path("work/report.html"))
        let timings = try JSONDecoder().decode([LineTiming].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/timing.json"))))

        // Self-contained and script-free: nothing loaded from elsewhere, no script.
        let file = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!file.contains("<script") && !file.contains("http://") && !file.contains("https://") && !file.contains("<link"))
        let dom = try await Self.browser(["--dump-dom", "file://\(page)"])
        #expect(dom.status == 0, "\(dom.stderr.suffix(400))")
        let html = dom.stdout
        // One row per line, in the order flagged lines first; a line is flagged by the rules the page states.
        let rows = html.components(separatedBy: "<tr id=\"line-").dropFirst().map { row in
            (id: Int(row.prefix { $0.isNumber })!, flagged: row.prefix(200).contains("flagged"))
        }
        #expect(rows.count == timings.count && Set(rows.map(\.id)) == Set(timings.map(\.id)))
        let expected = Set(timings.filter { $0.factor > 1.1 + 1e-6 || $0.shift > 0.05 || $0.method == .dropped || $0.condensed == true }.map(\.id))
        #expect(Set(rows.filter(\.flagged).map(\.id)) == expected)
        #expect(rows.map(\.flagged) == rows.map(\.flagged).sorted { $0 && !$1 }, "flagged lines come first")
        // The timeline has a dubbed bar per spoken line and both loudness curves; the figures table is there.
        #expect(html.components(separatedBy: "class=\"dub\"").count - 1 == timings.filter { $0.method != .dropped }.count)
        #expect(html.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(html.contains("id=\"quality\"") && html.contains("drift at the end"))
        // Every player's excerpt is a small FLAC file beside the page.
        let sources = html.components(separatedBy: "src=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(sources.count == 2 * timings.count)
        for source in sources {
            let path = scratch.path("work/\(source)")
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            #expect(size > 1000 && size < 400_000, "\(source): \(size) bytes")
            #expect(try String(decoding: Data(contentsOf: URL(fileURLWithPath: path)).prefix(4), as: UTF8.self) == "fLaC")
        }
        // The quality figures are in the JSON report too.
        #expect(report.quality?.overlaps == 0 && (report.quality?.shareWithin115 ?? 0) > 0)

        let screenshot = scratch.path("report.png")
        let shot = try await Self.browser(["--window-size=1300,900", "--screenshot=\(screenshot)", "file://\(page)"])
        #expect(shot.status == 0, "\(shot.stderr.suffix(400))")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "screenshot of \(png.count) bytes")
    }
}
