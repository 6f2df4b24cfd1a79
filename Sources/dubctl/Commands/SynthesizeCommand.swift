import AudioKitCore
import ArgumentParser
import Foundation
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue

struct SynthesizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize",
        abstract: "Speak text (or a JSON list of lines) with a TTS provider, to WAV.",
        discussion: """
        TEXT_OR_JSON is the text itself, or a .json file holding [{"id":"1","text":"..."}, ...] (or
        {"lines":[...]}), which gives one WAV per line, named ID.wav, in the folder -o names. Lines run
        concurrently up to --concurrency. Keys come from the environment (see README, "Providers").
        Providers: openai, elevenlabs, clova (CLOVA Voice) and espeak (offline, no key); see
        'dubctl providers check' for their settings.

        Example:
          dubctl synthesize "Hello there." --provider espeak --language en -o hello.wav
          dubctl synthesize lines.json --provider openai --voice nova --speed 1.1 -o voices/
        """
    )

    @Argument(help: "Text to speak, or a .json file of lines.")
    var input: String

    @Option(help: "TTS provider: \(ProviderCatalog.providers(for: .speech).joined(separator: ", ")).")
    var provider: String

    @Option(help: "Voice (provider-specific; default: the provider's default for the language).")
    var voice: String?

    @Option(help: "Speaking speed, 1 = natural.")
    var speed: Double = 1

    @Option(help: "Language of the text (en, es, pt-BR, ...).")
    var language: String = "en"

    @Option(help: "Requests in flight at once for a JSON of lines.")
    var concurrency: Int = 8

    @Option(name: .shortAndLong, help: "Output .wav, or a folder for a JSON of lines.")
    var output: String

    struct Line: Decodable { var id: String; var text: String }
    struct Lines: Decodable { var lines: [Line] }

    func validate() throws {
        guard speed > 0, speed <= 4 else { throw ValidationError("--speed must be in (0, 4]") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
        if !input.hasSuffix(".json"), !output.hasSuffix(".wav") { throw ValidationError("-o must name a .wav file") }
        if input.hasSuffix(".json"), !FileManager.default.fileExists(atPath: input) {
            throw ValidationError("\(input): no such file")
        }
        do { _ = try Language(language) } catch { throw ValidationError("--language: \(error)") }
        guard ProviderCatalog.providers(for: .speech).contains(provider) else {
            throw ValidationError("--provider must be one of \(ProviderCatalog.providers(for: .speech).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let engine = try ProviderCatalog(settings: try ProviderSettings.load(), maxConcurrent: concurrency).synthesizer(provider)
        guard input.hasSuffix(".json") else {
            let audio = try await engine.synthesize(SynthesisRequest(text: input, language: try Language(language), voice: voice, speed: speed), to: output)
            print("wrote \(output): \(String(format: "%.3f", audio.duration)) s, \(audio.characters) characters")
            return
        }
        let data = Data(try InputFile.read(input, what: "lines", limit: InputFile.workFileLimit))
        let lines = try (try? JSONDecoder().decode([Line].self, from: data)) ?? JSONDecoder().decode(Lines.self, from: data).lines
        // Ids become file names: letters, digits, '-', '_' and '.', not starting with a dot, so none leaves the folder.
        for line in lines where line.id.isEmpty || line.id.count > 100 || line.id.hasPrefix(".")
            || !line.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
            throw ValidationError("line id '\(line.id)' in \(input) cannot be a file name (use letters, digits, '-', '_' and '.')")
        }
        if let duplicate = Dictionary(grouping: lines, by: \.id).first(where: { $0.value.count > 1 })?.key {
            throw ValidationError("line id '\(duplicate)' appears twice in \(input)")
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let spoken = try Language(language)
        let requests = lines.map { ($0.id, SynthesisRequest(text: $0.text, language: spoken, voice: voice, speed: speed)) }
        let total = try await withThrowingTaskGroup(of: Double.self) { group in
            var next = 0
            var sum = 0.0
            // Bounded fan-out: the engine's own gate limits requests; this bounds tasks too.
            for _ in 0..<min(concurrency, requests.count) {
                let (id, request) = requests[next]; next += 1
                group.addTask { try await engine.synthesize(request, to: "\(output)/\(id).wav").duration }
            }
            while let duration = try await group.next() {
                sum += duration
                if next < requests.count {
                    let (id, request) = requests[next]; next += 1
                    group.addTask { try await engine.synthesize(request, to: "\(output)/\(id).wav").duration }
                }
            }
            return sum
        }
        print("wrote \(lines.count) lines to \(output): \(String(format: "%.3f", total)) s of speech")
    }
}
