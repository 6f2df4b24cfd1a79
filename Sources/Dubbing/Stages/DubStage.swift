import DubSupport
import ProviderAPI
/// One stage of the dubbing pipeline. Its settings are fixed when it is made (from the `DubRequest`), its
/// `Input` is what the stages before it produced, and its `Output` is all the stages after it see: the pipeline
/// is data flowing one way through `ProbeStage` → `ExtractStage` → `SeparateStage` → `TranscribeStage` →
/// `LinesStage` → `CastStage` → `TranslateStage` → `SynthesizeStage` → `FitStage` → `VerifyStage` → `MixStage` → `MuxStage`.
///
/// A stage that caches does so through the context's `StageRunner`: under a key made from its input, its
/// settings and its provider, model or voice (whole-stage artifacts), or per line (`translate`, `synthesize`,
/// `fit`, `verify`).
protocol DubStage: Sendable {
    associatedtype Input: Sendable
    associatedtype Output: Sendable
    /// Which stage this is.
    static var stage: StageName { get }
    func run(_ input: Input, in context: StageContext) async throws -> Output
}

/// What every stage works with: the work folder (through its runner), the providers, and progress reporting.
struct StageContext: Sendable {
    let runner: StageRunner
    let providers: any ProviderFactory
    /// Called as per-line work finishes (lines done of total).
    let onProgress: @Sendable (DubProgress) async -> Void
    /// Problems that did not stop the run, for the report.
    let warnings: WarningLog

    var work: WorkFolder { runner.folder }

    /// Records a warning (shown to the operator as it happens and kept in the report).
    func warn(_ text: String) async { await warnings.add(text) }
}

/// The warnings of one run, in order, each passed on as it arrives.
actor WarningLog {
    private(set) var all: [String] = []
    private let onWarning: @Sendable (String) async -> Void

    init(onWarning: @escaping @Sendable (String) async -> Void) {
        self.onWarning = onWarning
    }

    func add(_ text: String) async {
        guard !all.contains(text) else { return }
        all.append(text)
        await onWarning(text)
    }
}

extension DubStage {
    /// The stage's name in `manifest.json`, progress displays and `dubctl stage`.
    static var name: String { stage.rawValue }
}

/// The stages of a dub, in order: the one list that the pipeline, `dubctl stage`, the manifest and progress use.
public enum StageName: String, CaseIterable, Sendable, Codable {
    case probe, extract, separate, transcribe, lines, cast, translate, synthesize, fit, verify, mix, mux

    /// What the stage does, for `dubctl stage --help` and progress.
    public var summary: String {
        switch self {
        case .probe: "read the media's streams and duration"
        case .extract: "decode the audio to 48 kHz stereo on the media timeline"
        case .separate: "split vocals from the background (or take given stems)"
        case .transcribe: "recognise the speech (skipped when subtitles give the lines)"
        case .lines: "cut the dubbing lines (from subtitles or the transcript)"
        case .cast: "give every speaker a voice of their own (voices.json; --clone-voices clones them)"
        case .translate: "translate each line within its duration budget"
        case .synthesize: "speak each line"
        case .fit: "fit every line into its slot (speed, stretch, re-translation, shift)"
        case .verify: "hear every dubbed line back (--verify)"
        case .mix: "mix the dub over the background, loudness matched"
        case .mux: "write the video with the dub track and the subtitles"
        }
    }
}
