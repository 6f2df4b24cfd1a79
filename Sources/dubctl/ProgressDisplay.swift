import FoundationEssentials
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `dubctl dub`'s progress: on a terminal one line rewritten in place (stage, lines done of total, elapsed, ETA
/// for the stage); otherwise one plain line per stage; nothing with `--json`.
final class ProgressDisplay: Sendable {
    private let interactive: Bool
    private let quiet: Bool
    private let started = SystemClock.now()
    /// When the current stage started.
    private let stageStarted = Mutex(SystemClock.now())

    init(interactive: Bool, quiet: Bool) {
        self.interactive = interactive
        self.quiet = quiet
    }

    func stage(_ name: String) {
        stageStarted.withLock { started in
            started = SystemClock.now()
            let index = (DubPipeline.stages.firstIndex(of: name) ?? 0) + 1
            show("\(name) (stage \(index) of \(DubPipeline.stages.count))", final: !interactive)
        }
    }

    func progress(_ p: DubProgress) {
        guard interactive, p.total > 0 else { return }
        stageStarted.withLock { stageStarted in
            let spent = SystemClock.now() - stageStarted
            let eta = p.done > 0 ? spent / Double(p.done) * Double(p.total - p.done) : 0
            show("\(p.stage): \(p.done)/\(p.total) lines, ETA \(eta.fixed(0)) s", final: false)
        }
    }

    /// A warning, on standard error (also with `--json`), on a line of its own.
    func warn(_ text: String) {
        if interactive && !quiet { print("\u{1B}[2K\r", terminator: ""); fflush(nil) }
        CommandLineReport.warn(text)
    }

    func finish() {
        if interactive && !quiet { print("") }
    }

    private func show(_ text: String, final: Bool) {
        guard !quiet else { return }
        let line = "[\((SystemClock.now() - started).fixed(1)) s] \(text)"
        if interactive {
            print("\u{1B}[2K\r\(line)", terminator: "")
            fflush(nil)
        } else if final {
            print(line)
        }
    }
}

extension ProgressDisplay {
    /// Runs `pipeline` with this display showing its stages, line progress and warnings; returns its report.
    static func run(_ pipeline: DubPipeline, json: Bool) async throws -> DubReport {
        var pipeline = pipeline
        let display = ProgressDisplay(interactive: isatty(1) == 1 && !json, quiet: json)
        pipeline.onStage = { stage in display.stage(stage) }
        pipeline.onProgress = { progress in display.progress(progress) }
        pipeline.onWarning = { warning in display.warn(warning) }
        let report = try await pipeline.run()
        display.finish()
        return report
    }
}
