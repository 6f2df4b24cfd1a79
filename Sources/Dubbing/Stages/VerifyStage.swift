import DubSupport
import ProviderAPI
import AudioKitCore

/// verify (`--verify`): every dubbed line transcribed back and compared with the text it should say; a line whose
/// error rate is over `threshold` or whose ending is cut off is synthesized once more, the timeline fitted again,
/// and the line checked again. What still fails is reported. Without `--verify` the timeline passes through.
struct VerifyStage: DubStage {
    static let stage = StageName.verify
    /// The error rate above which a line fails.
    static let threshold = 0.35

    struct Input: Sendable {
        let fit: FitStage.Input
        let fitted: FitStage.Output
    }

    struct Output: Sendable {
        let fitted: FitStage.Output
        /// Per-line results; nil when the stage did not check.
        let checks: [LineCheck]?
    }

    /// The recognition provider that listens back; nil when not verifying.
    let provider: String?
    let voice: LineVoice
    /// The timeline's owner, to fit it again after retakes.
    let fitter: TimelineFitter

    func run(_ input: Input, in context: StageContext) async throws -> Output {
        guard let provider else { return Output(fitted: input.fitted, checks: nil) }
        // The texts as fitted (a line may have been re-translated shorter).
        let texts = Dictionary(input.fitted.timings.map { ($0.id, $0.text) }) { first, _ in first }
        let lines = input.fit.lines.map { line in var line = line; line.text = texts[line.id] ?? line.text; return line }
        let transcriber = try context.providers.transcriber(provider)
        var checks = try await check(transcriber, fitted: input.fitted, lines: lines, runner: context.runner)
        let failing = Set(checks.filter { !$0.passed }.map(\.id))
        guard !failing.isEmpty else { return Output(fitted: input.fitted, checks: checks) }
        var spoken = input.fit.spoken
        for line in lines where failing.contains(line.id) {
            spoken[line.id] = try await voice.speak(line, among: lines, speed: 1, take: 1, runner: context.runner)
        }
        let refitted = try await fitter.fit(FitStage.Input(lines: lines, spoken: spoken, mediaEnd: input.fit.mediaEnd), in: context)
        let again = try await check(transcriber, fitted: refitted, lines: lines.filter { failing.contains($0.id) }, runner: context.runner)
        for var result in again {
            result.retaken = true
            if let index = checks.firstIndex(where: { $0.id == result.id }) { checks[index] = result }
        }
        return Output(fitted: refitted, checks: checks)
    }

    /// Each line's clip transcribed (cached per clip and text, four at once) and scored.
    private func check(_ transcriber: any Transcriber, fitted: FitStage.Output, lines: [DubLine], runner: StageRunner) async throws -> [LineCheck] {
        let (code, language) = (voice.code, voice.language)
        let clips = Dictionary(zip(fitted.timings.map(\.id), fitted.clips.map(\.path))) { first, _ in first }
        let wanted = lines.compactMap { line in clips[line.id].map { (line, $0) } }
        var results: [LineCheck] = []
        try await withThrowingTaskGroup(of: LineCheck.self) { group in
            var next = 0
            func start() {
                let (line, clip) = wanted[next]
                next += 1
                group.addTask {
                    let expected = line.text ?? ""
                    let key = try CacheKey(["verify-1", transcriber.name, clip, expected])
                    let heard: String = try await runner.line(Self.name, key: key) { _ in
                        try await transcriber.transcribe(TranscriptionRequest(audioPath: clip, language: language)).segments.map(\.text).joined(separator: " ")
                    }
                    let rate = RoundTrip.errorRate(expected: expected, heard: heard, language: code)
                    let cut = RoundTrip.isCutOff(expected: expected, heard: heard, language: code)
                    return LineCheck(id: line.id, expected: expected, heard: heard, errorRate: rate, cutOff: cut, retaken: false,
                                     passed: rate <= Self.threshold && !cut)
                }
            }
            while next < min(4, wanted.count) { start() }
            while let result = try await group.next() {
                results.append(result)
                if next < wanted.count { start() }
            }
        }
        return results.sorted { $0.id < $1.id }
    }
}
