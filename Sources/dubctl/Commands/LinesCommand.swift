import ArgumentParser
import AudioKitCore
import FoundationEssentials
import DubSupport
import ProviderAPI
import Providers
import Dubbing
#if canImport(Glibc)
import Glibc
#endif

struct LinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lines",
        abstract: "Review and fix a finished dub line by line: list, show, set, redo, export.",
        discussion: """
        WORK is the --work folder of an earlier 'dubctl dub'; its report.html
        shows the same lines. Examples, a review:
          dubctl lines list WORK --flagged         the lines to look at
          dubctl lines show WORK 12                everything about line 12
          dubctl lines set WORK 12 --text "..."    fix it (or --voice, --speaker,
                                                   --start, --end)
          dubctl lines redo WORK 12                speak it afresh, re-fit,
                                                   re-mix, re-mux (the rest is
                                                   cached)
          dubctl lines export WORK 12 -o l12.wav   its audio as in the mix
        """,
        subcommands: [LinesList.self, LinesShow.self, LinesSet.self, LinesRedo.self, LinesExport.self]
    )
}

struct LinesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the lines with their timing and flags.",
                                                    discussion: "Example:\n  dubctl lines list .english.es.mp4.work --flagged")
    @Argument(help: "The work folder.") var work: String
    @Flag(help: "Only the flagged lines.") var flagged = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var entries = try LineEditor(work: work).entries()
        if flagged { entries = entries.filter { !$0.flags.isEmpty } }
        if json {
            print(try DubJSON.string(entries.map(LineSummary.init), pretty: true))
            return
        }
        if entries.isEmpty { print(flagged ? "no flagged lines" : "no lines"); return }
        for line in entries {
            let t = line.timing
            let flags = line.flags.isEmpty ? "" : "  [\(line.flags.joined(separator: ", "))]"
            print("\(line.id)\t\(SubtitleFormat.timestamp(t.start, separator: "."))\t\(line.speaker)\t\(t.factor.fixed(2))x\t\(line.text)\(flags)")
        }
    }
}

/// One line in `lines list --json` and `lines show --json`.
struct LineSummary: Encodable {
    let id: Int
    let speaker: String
    let voice: String?
    let source: String
    let text: String
    let timing: LineTiming
    let verify: LineCheck?
    let flags: [String]

    init(_ line: ReviewReport.Line) {
        (id, speaker, voice, source, text, timing, verify, flags) = (line.id, line.speaker, line.voice, line.source, line.text, line.timing,
                                                                      line.check, line.flags)
    }
}

struct LinesShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show everything about one line.",
                                                    discussion: "Example:\n  dubctl lines show .english.es.mp4.work 3")
    @Argument(help: "The work folder.") var work: String
    @Argument(help: "The line's id.") var id: Int
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let editor = try LineEditor(work: work)
        let line = try editor.line(id)
        guard let entry = try editor.entries().first(where: { $0.id == id }) else { return }
        if json {
            print(try DubJSON.string(LineSummary(entry), pretty: true))
            return
        }
        let t = entry.timing
        var out = ["line \(id): \(entry.speaker)\(entry.voice.map { ", voice \($0)" } ?? "")\(line.voice != nil ? " (set for this line)" : "")",
                   "slot \(t.slotStart.fixed(3))–\(t.slotEnd.fixed(3)) s; spoken \(t.start.fixed(3))–\((t.start + t.duration).fixed(3)) s at \(t.factor.fixed(2))x (\(t.method.rawValue))"]
        if !entry.source.isEmpty { out.append("source: \(entry.source)") }
        out.append("text: \(entry.text)")
        if let delivery = line.delivery { out.append("delivery: \((try? DubJSON.string(delivery, pretty: false)) ?? "")") }
        if let check = entry.check { out.append("verify: heard \"\(check.heard)\", WER \(check.errorRate.fixed(2))\(check.cutOff ? ", cut off" : "")") }
        if let audio = t.audio { out.append("audio: \(editor.work.path(audio))") }
        out.append("flags: \(entry.flags.isEmpty ? "none" : entry.flags.joined(separator: ", "))")
        print(out.joined(separator: "\n"))
    }
}

struct LinesSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set", abstract: "Edit one line (checked); 'dubctl lines redo WORK' then redoes what changed.",
        discussion: "Examples:\n  dubctl lines set .english.es.mp4.work 3 --text \"Hola a todos.\"\n  dubctl lines set WORK 3 --voice es+f3 --start 9.5")
    @Argument(help: "The work folder.") var work: String
    @Argument(help: "The line's id.") var id: Int
    @Option(help: "What the line says (in the target language).") var text: String?
    @Option(help: "This line's voice (over its speaker's).") var voice: String?
    @Option(help: "Who speaks the line.") var speaker: String?
    @Option(help: "Where the original speech starts, in seconds.") var start: Double?
    @Option(help: "Where it ends, in seconds.") var end: Double?

    func run() async throws {
        let edit = LineEditor.Edit(text: text, voice: voice, speaker: speaker, start: start, end: end)
        guard edit != LineEditor.Edit() else { throw ValidationError("nothing to set: give --text, --voice, --speaker, --start or --end") }
        var editor = try LineEditor(work: work)
        let line = try editor.set(id, edit)
        print("line \(id) set: \(line.text ?? "")\(line.voice.map { " (voice \($0))" } ?? ""); run 'dubctl lines redo \(work)' to hear it")
    }
}

struct LinesRedo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redo", abstract: "Speak the named lines afresh (and any edited ones), re-fit, re-mix and re-mux.",
        discussion: """
        Runs the saved request again in WORK: the named lines get a new take from the speech engine, lines changed with \
        'dubctl lines set' are redone, and every other line comes from the cache. Without ids, only the edits are redone.

        Example:
          dubctl lines redo .english.es.mp4.work 3 7
        """)
    @Argument(help: "The work folder.") var work: String
    @Argument(help: "The lines to speak afresh.") var ids: [Int] = []
    @Flag(help: "Print the final report as JSON.") var json = false

    func run() async throws {
        // Absolute before moving to where the dub ran (below).
        let editor = try LineEditor(work: Paths.absolute(work))
        for id in ids { _ = try editor.line(id) }
        var request = editor.request
        try Paths.enterDirectory(of: request)
        request.redo = ids.isEmpty ? nil : DubRequest.LineRedo(lines: ids, token: String(UInt64(SystemClock.now() * 1_000_000), radix: 36))
        let pipeline = try DubPipeline(request: request, providers: ProviderCatalog(settings: try ProviderSettings.load()), work: editor.work)
        let report = try await ProgressDisplay.run(pipeline, json: json)
        if json {
            print(try DubJSON.string(report, pretty: true))
            return
        }
        let spoken = report.executed.filter { $0.hasPrefix("synthesize#") }.count
        print("""
        wrote \(report.output); \(spoken) line\(spoken == 1 ? "" : "s") spoken afresh, the rest from the cache
        quality: \(report.quality?.summary ?? "not measured")
        review: \(report.reviewReport ?? editor.work.path(ReviewReport.file))
        """)
    }
}

struct LinesExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write one line's audio (as it is in the mix).",
                                                    discussion: "Example:\n  dubctl lines export .english.es.mp4.work 3 -o line3.wav")
    @Argument(help: "The work folder.") var work: String
    @Argument(help: "The line's id.") var id: Int
    @Option(name: .shortAndLong, help: "Output .wav or .flac.") var output: String

    func run() async throws {
        try LineEditor(work: work).export(id, to: output)
        print("wrote \(output)")
    }
}
