import DubSupport
import ProviderAPI
/// synthesize: every line with text spoken at natural speed, up to `concurrency` at once (the provider client
/// bounds its own requests too), cached per line and reported as lines finish.
struct SynthesizeStage: DubStage {
    static let stage = StageName.synthesize
    /// Lines synthesized at once.
    static let concurrency = 8

    let voice: LineVoice

    func run(_ lines: [DubLine], in context: StageContext) async throws -> [Int: SpokenLine] {
        let todo = lines.filter { !($0.text ?? "").trimmed.isEmpty }
        let (voice, runner) = (voice, context.runner)
        var spoken: [Int: SpokenLine] = [:]
        try await withThrowingTaskGroup(of: (Int, SpokenLine).self) { group in
            var next = 0
            func start() {
                let line = todo[next]
                next += 1
                group.addTask { (line.id, try await voice.speak(line, among: lines, speed: 1, runner: runner)) }
            }
            while next < min(Self.concurrency, todo.count) { start() }
            while let (id, result) = try await group.next() {
                spoken[id] = result
                await context.onProgress(DubProgress(stage: Self.name, done: spoken.count, total: todo.count))
                if next < todo.count { start() }
            }
        }
        return spoken
    }
}
