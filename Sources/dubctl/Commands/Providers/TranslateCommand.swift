import ArgumentParser
import Foundation
import AudioKitCore
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue

struct TranslateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate a transcript (dub's JSON) with a provider, keeping every segment's id and timing.",
        discussion: """
        Segments go in batches with their neighbours as context. The output is the same transcript JSON with the
        text translated, "language" set to --to, and the source words dropped (or .srt/.vtt subtitles).
        A glossary is a JSON object {"term":"translation"} or lines 'term = translation'.

        Example:
          dubctl translate talk.json --to es --provider openai --glossary terms.txt -o talk.es.json
        """
    )

    @Argument(help: "A transcript JSON from 'dubctl transcribe'.")
    var input: String

    @Option(help: "Target language (ISO 639-1).")
    var to: String

    @Option(help: "Translation provider: \(ProviderCatalog.providers(for: .translation).joined(separator: ", ")).")
    var provider: String = "openai"

    @Option(help: "Glossary file.")
    var glossary: String?

    @Option(help: "Segments per request.")
    var batchSize: Int = 20

    @Option(name: .shortAndLong, help: "Output: .json, .srt or .vtt.")
    var output: String

    func validate() throws {
        guard output.hasSuffix(".json") || SubtitleFormat(path: output) != nil else {
            throw ValidationError("-o must end in .json, .srt or .vtt")
        }
        guard ProviderCatalog.providers(for: .translation).contains(provider) else {
            throw ValidationError("--provider must be one of \(ProviderCatalog.providers(for: .translation).joined(separator: ", "))")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        do { _ = try Language(to) } catch { throw ValidationError("--to: \(error)") }
    }

    func run() async throws {
        try OutputPaths.refuseOverwriting(inputs: [("input", input)] + (glossary.map { [("glossary", $0)] } ?? []), outputs: [("output", output)])
        let source = try TranscriptFile.read(input)
        let terms = try glossary.map(Glossary.load) ?? [:]
        let catalog = ProviderCatalog(settings: try ProviderSettings.load())
        let batcher = TranslationBatcher(translator: try catalog.translator(provider), batchSize: batchSize)
        let lines = source.segments.map { TranslationLine(id: $0.id, text: $0.text) }
        let target = try Language(to)
        let translated = try await batcher.translate(lines, source: try? Language(source.language), target: target, glossary: terms)
        var result = source
        result.language = target.tag
        for index in result.segments.indices {
            result.segments[index].text = translated[result.segments[index].id]?.text ?? result.segments[index].text
            result.segments[index].words = []
        }
        try TranscriptFile.write(result, to: output)
        let usage = catalog.meter.snapshot.values.reduce(ProviderUsage(), +)
        print("wrote \(output): \(result.segments.count) segments in \(to) (\(usage.requests) requests, \(usage.promptTokens + usage.completionTokens) tokens, \(usage.characters) characters)")
    }
}
