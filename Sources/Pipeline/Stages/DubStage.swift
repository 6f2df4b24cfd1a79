/// One stage of the dubbing pipeline. Its settings are fixed when it is made (from the `DubRequest`), its
/// `Input` is what the stages before it produced, and its `Output` is all the stages after it see: the pipeline
/// is data flowing one way through `ProbeStage` → `ExtractStage` → `SeparateStage` → `TranscribeStage` →
/// `LinesStage` → `TranslateStage` → `SynthesizeStage` → `FitStage` → `VerifyStage` → `MixStage` → `MuxStage`.
///
/// A stage that caches does so through the context's `StageRunner`: under a key made from its input, its
/// settings and its provider, model or voice (whole-stage artifacts), or per line (`translate`, `synthesize`,
/// `fit`, `verify`).
protocol DubStage: Sendable {
    associatedtype Input: Sendable
    associatedtype Output: Sendable
    /// The stage's name in `manifest.json`, progress displays and `dubctl stage`.
    static var name: String { get }
    func run(_ input: Input, in context: StageContext) async throws -> Output
}

/// What every stage works with: the work folder (through its runner), the providers, and progress reporting.
struct StageContext: Sendable {
    let runner: StageRunner
    let providers: ProviderCatalog
    /// Called as per-line work finishes (lines done of total).
    let onProgress: @Sendable (DubProgress) async -> Void

    var work: WorkFolder { runner.folder }
}
