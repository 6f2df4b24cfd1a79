import AudioKitCore

/// `--verify`: every dubbed line is transcribed back and compared with the text it should say; a line whose error
/// rate is over `RoundTrip` threshold or whose ending is cut off is synthesized once more, the timeline fitted
/// again, and the line checked again. What still fails is reported.
extension DubPipeline {
    /// The error rate above which a line fails.
    static let verifyThreshold = 0.35

    func verify(_ runner: StageRunner, lines: [DubLine], spoken: [Int: Spoken], fitted: Fitted, language: LanguageCode,
                mediaEnd: Double?) async throws -> (fitted: Fitted, checks: [LineCheck]?) {
        guard request.verify else { return (fitted, nil) }
        // The texts as fitted (a line may have been re-translated shorter).
        let texts = Dictionary(uniqueKeysWithValues: fitted.timings.map { ($0.id, $0.text) })
        let lines = lines.map { line in var line = line; line.text = texts[line.id] ?? line.text; return line }
        let transcriber = try providers.transcriber(request.asr ?? "openai")
        var checks = try await check(runner, transcriber, fitted: fitted, lines: lines, language: language)
        let failing = checks.filter { !$0.passed }.map(\.id)
        guard !failing.isEmpty else { return (fitted, checks) }
        var current = spoken
        for id in failing {
            guard let line = lines.first(where: { $0.id == id }) else { continue }
            current[id] = try await speak(runner, line, language: language, speed: 1, take: 1)
        }
        let refitted = try await fit(runner, lines: lines, spoken: current, language: language, mediaEnd: mediaEnd)
        let again = try await check(runner, transcriber, fitted: refitted, lines: lines.filter { failing.contains($0.id) }, language: language)
        for var result in again {
            result.retaken = true
            if let index = checks.firstIndex(where: { $0.id == result.id }) { checks[index] = result }
        }
        return (refitted, checks)
    }

    private func check(_ runner: StageRunner, _ transcriber: any Transcriber, fitted: Fitted, lines: [DubLine],
                       language: LanguageCode) async throws -> [LineCheck] {
        let code = language.alpha2 ?? language.alpha3
        let clips = Dictionary(uniqueKeysWithValues: zip(fitted.timings.map(\.id), fitted.clips.map(\.path)))
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
                    let heard: String = try await runner.line("verify", key: key) { _ in
                        try await transcriber.transcribe(TranscriptionRequest(audioPath: clip, language: code)).segments.map(\.text).joined(separator: " ")
                    }
                    let rate = RoundTrip.errorRate(expected: expected, heard: heard, language: code)
                    let cut = RoundTrip.isCutOff(expected: expected, heard: heard, language: code)
                    return LineCheck(id: line.id, expected: expected, heard: heard, errorRate: rate, cutOff: cut, retaken: false,
                                     passed: rate <= Self.verifyThreshold && !cut)
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
