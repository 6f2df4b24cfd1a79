import DubSupport
@testable import Dubbing
import Foundation
import ProviderFakes
import TestSupport
import Testing

/// The fit end to end: given target-language subtitles too long for their slots.
@Suite("timing end to end", .tags(.endToEnd))
struct TimingTests {
    /// The Spanish subtitles of the English sample, each line made about 60 % longer.
    static func longSubtitles(_ scratch: Scratch) throws -> String {
        let text = try String(contentsOfFile: Repository.sample("english.es.srt"), encoding: .utf8)
        let longer = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let plain = String(line)
            guard plain.contains(" "), !plain.contains("-->") else { return plain }
            return plain.dropLast() + ", y además esto dura bastante más de lo que debería."
        }.joined(separator: "\n")
        try longer.write(toFile: scratch.path("long.es.srt"), atomically: true, encoding: .utf8)
        return scratch.path("long.es.srt")
    }

    @Test("--condense shortens given subtitles that do not fit with the translator, says which in timing.json, and keeps every line within the hard cap without overlaps; without it nothing is sent")
    func condense() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let subtitles = try Self.longSubtitles(scratch)
        let environment = DubProvidersTests.environment(scratch, server)
        func dub(_ name: String, _ extra: [String]) async throws -> [LineTiming] {
            let run = try await ProviderCommandTests.dubctl(["dub", Repository.sample("english.mp4"), "--to", "es", "--subtitles", subtitles, "--tts", "espeak",
                                                             "--separation", "none", "-o", scratch.path("\(name).mp4"), "--work", scratch.path(name)] + extra,
                                                            environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            return try DubJSON.decode([LineTiming].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("\(name)/timing.json"))))
        }
        let plain = try await dub("plain", [])
        #expect(server.control.requests.isEmpty)
        #expect(plain.allSatisfy { $0.condensed != true })
        let condensed = try await dub("condensed", ["--condense", "--translator", "openai"])
        let shortened = condensed.filter { $0.condensed == true }
        #expect(!shortened.isEmpty, "\(condensed)")
        #expect(server.control.requests.contains { $0.path.hasSuffix("/chat/completions") })
        // The condensed lines are shorter than they were and, where the long text was spoken, need no more speed; fewer lines
        // are left out or pushed past max speed.
        let before = Dictionary(uniqueKeysWithValues: plain.map { ($0.id, $0) })
        for line in shortened {
            let old = try #require(before[line.id])
            #expect(line.text.count < old.text.count, "\(line) vs \(old)")
            if old.method != .dropped { #expect(line.factor <= old.factor + 1e-9, "\(line) vs \(old)") }
        }
        let strained = { (t: [LineTiming]) in t.filter { $0.method == .dropped || $0.factor > 1.15 + 1e-9 }.count }
        #expect(strained(condensed) < strained(plain), "\(strained(condensed)) vs \(strained(plain))")
        for timings in [plain, condensed] {
            #expect(timings.allSatisfy { $0.factor <= 1.3 + 1e-9 && $0.factor >= 0.95 })
            let spoken = timings.filter { $0.method != .dropped }.sorted { $0.start < $1.start }
            #expect(zip(spoken, spoken.dropFirst()).allSatisfy { $0.start + $0.duration <= $1.start + 1e-6 })
        }
    }

    @Test("--condense needs --subtitles and a translator that keeps to a length")
    func condenseNeedsSubtitles() async throws {
        let scratch = try Scratch()
        for (extra, message) in [(["--condense"], "--condense shortens given target-language lines"),
                                 (["--condense", "--subtitles", Repository.sample("english.es.srt"), "--translator", "papago"], "--condense needs --translator openai")] {
            let run = try await ProviderCommandTests.dubctl(["dub", Repository.sample("english.mp4"), "--to", "es", "-o", scratch.path("x.mp4")] + extra,
                                                            environment: [:])
            #expect(run.status == 2 && run.stderr.contains(message), "\(run.stderr)")
        }
    }
}

/// The timing targets end to end: generated clips (bench/make-timing-clip.py) at three densities, translated by the fake
/// translator answering 15 % longer than the source and overshooting its budgets, spoken by espeak-ng.
@Suite("timing targets end to end", .tags(.endToEnd, .reference))
struct TimingTargetEndToEndTests {
    struct Timing: Decodable { let slot_start: Double; let slot_end: Double; let start: Double; let duration: Double; let factor: Double; let shift: Double; let method: String }

    @Test("at 140, 170 and 200 words a minute: >= 95 % of lines on their slots, >= 90 % at 1.15x or less, none over the cap or below 0.95x, no drift at the end",
          arguments: [140, 170, 200])
    func densities(wpm: Int) async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.translationExpansion = 0.15
        let clip = scratch.path("clip")
        _ = try Tool.run("/usr/bin/env", ["python3", Repository.root.appendingPathComponent("bench/make-timing-clip.py").path, "\(wpm)", "0.15", clip, "1"])
        let run = try await ProviderCommandTests.dubctl(["dub", clip + ".mp4", "--to", "es", "--from", "en", "--source-subtitles", clip + ".src.srt",
                                                         "--translator", "openai", "--tts", "espeak", "--separation", "none",
                                                         "-o", scratch.path("out.mp4"), "--work", scratch.path("work")],
                                                        environment: DubProvidersTests.environment(scratch, server))
        #expect(run.status == 0, "\(run.stderr)")
        let timing = try JSONDecoder().decode([Timing].self, from: Data(contentsOf: URL(fileURLWithPath: scratch.path("work/timing.json"))))
            .sorted { $0.slot_start < $1.slot_start }
        let spoken = timing.filter { $0.method != "dropped" }
        let onSlot = timing.indices.filter { i in
            let next = i + 1 < timing.count ? timing[i + 1].slot_start : .infinity
            return timing[i].method != "dropped" && abs(timing[i].start - timing[i].slot_start) <= 0.15 + 1e-6 && timing[i].start + timing[i].duration <= next + 1e-6
        }.count
        #expect(Double(onSlot) >= 0.95 * Double(timing.count), "\(onSlot) of \(timing.count)")
        #expect(Double(spoken.filter { $0.factor <= 1.15 + 1e-6 }.count) >= 0.90 * Double(timing.count))
        #expect(spoken.allSatisfy { $0.factor <= 1.3 + 1e-6 && $0.factor >= 0.95 })
        #expect((spoken.last?.shift ?? 1) < 1e-6)
    }
}
