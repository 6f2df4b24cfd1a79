import AudioKitCore
import ArgumentParser
import Foundation
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue

struct TranscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Transcribe speech (ASR) with a provider, to dub's transcript JSON, SRT or VTT.",
        discussion: """
        The JSON is the same for every provider: {"language":"en","duration":S,"segments":[{"id":..,"start":S,
        "end":S,"text":..,"speaker":..,"words":[{"text":..,"start":S,"end":S}]}]} (seconds). Long audio is cut
        at pauses into chunks for providers with upload limits. Keys: see 'dubctl providers check'.

        Example:
          dubctl transcribe talk.mp4 --provider openai --language en -o talk.json
          dubctl transcribe interview.mp4 --provider elevenlabs --diarize --speakers 2 -o interview.srt
        """
    )

    @Argument(help: "Audio or video file.")
    var input: String

    @Option(help: "ASR provider: \(ProviderCatalog.providers(for: .transcription).joined(separator: ", ")).")
    var provider: String = "openai"

    @Option(help: "Spoken language (en, pt-BR, zh-TW, eng, english, ...); default: detected.")
    var language: String?

    @Flag(help: "Label speakers (diarization), where the provider can.")
    var diarize = false

    @Option(help: "Number of speakers, when known.")
    var speakers: Int?

    @Option(help: "Names and terms that help recognition.")
    var prompt: String?

    @Option(name: .shortAndLong, help: "Output: .json, .srt or .vtt.")
    var output: String

    func validate() throws {
        guard output.hasSuffix(".json") || SubtitleFormat(path: output) != nil else {
            throw ValidationError("-o must end in .json, .srt or .vtt")
        }
        guard ProviderCatalog.providers(for: .transcription).contains(provider) else {
            throw ValidationError("--provider must be one of \(ProviderCatalog.providers(for: .transcription).joined(separator: ", "))")
        }
        if let speakers, speakers < 1 { throw ValidationError("--speakers must be at least 1") }
        if let language { do { _ = try Language(language) } catch { throw ValidationError("--language: \(error)") } }
    }

    func run() async throws {
        try OutputPaths.refuseOverwriting(inputs: [("input", input)], outputs: [("output", output)])
        let catalog = ProviderCatalog(settings: try ProviderSettings.load())
        let transcriber = try catalog.transcriber(provider)
        let transcript = try await transcriber.transcribe(TranscriptionRequest(
            audioPath: input, language: try language.map { try Language($0) }, diarize: diarize || speakers != nil, speakers: speakers, prompt: prompt))
        try TranscriptFile.write(transcript, to: output)
        let words = transcript.segments.reduce(0) { $0 + $1.words.count }
        print("wrote \(output): \(transcript.segments.count) segments, \(words) words, language \(transcript.language), \(transcript.duration.fixed(1)) s")
    }
}
