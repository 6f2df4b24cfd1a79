import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// Translates many lines through a `Translator`: batches of `batchSize` lines, each with `context` neighbouring
/// lines on either side and the glossary, up to `concurrency` batches at once. Checks that every line came back.
public struct TranslationBatcher: Sendable {
    public var translator: any Translator
    public var batchSize: Int
    public var context: Int
    public var concurrency: Int

    public init(translator: any Translator, batchSize: Int = 20, context: Int = 2, concurrency: Int = 8) {
        self.translator = translator
        self.batchSize = max(1, batchSize)
        self.context = max(0, context)
        self.concurrency = max(1, concurrency)
    }

    /// The batches for `lines`, with their context.
    public func requests(for lines: [TranslationLine], source: Language?, target: Language, glossary: [String: String]) -> [TranslationRequest] {
        stride(from: 0, to: lines.count, by: batchSize).map { start in
            let end = min(lines.count, start + batchSize)
            return TranslationRequest(lines: Array(lines[start..<end]), source: source, target: target,
                                      before: lines[max(0, start - context)..<start].map(\.text),
                                      after: lines[end..<min(lines.count, end + context)].map(\.text), glossary: glossary)
        }
    }

    /// Translations of every line (with their delivery notes, where the translator gives them), by id.
    public func translate(_ lines: [TranslationLine], source: Language?, target: Language, glossary: [String: String] = [:]) async throws -> [Int: Translation] {
        let batches = requests(for: lines, source: source, target: target, glossary: glossary)
        let translator = translator
        var results: [Int: Translation] = [:]
        try await withThrowingTaskGroup(of: [Int: Translation].self) { group in
            var next = 0
            for _ in 0..<min(concurrency, batches.count) {
                let batch = batches[next]; next += 1
                group.addTask { try await translator.translations(batch) }
            }
            while let result = try await group.next() {
                results.merge(result) { a, _ in a }
                if next < batches.count {
                    let batch = batches[next]; next += 1
                    group.addTask { try await translator.translations(batch) }
                }
            }
        }
        let missing = lines.filter { results[$0.id]?.text.isEmpty ?? true }.map(\.id)
        guard missing.isEmpty else {
            throw ProviderError(code: .badResponse, provider: translator.name, message: "no translation for lines \(missing.prefix(10).map(String.init).joined(separator: ", "))")
        }
        return results
    }
}
