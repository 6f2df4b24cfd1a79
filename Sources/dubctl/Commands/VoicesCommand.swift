import DubSupport
import ArgumentParser
import ProviderAPI
import Providers
import Dubbing

struct VoicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voices",
        abstract: "List the voices casting picks from, or remove cloned voices a dub left behind.",
        subcommands: [List.self, Prune.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List an engine's voices for a language, as casting sees them (gender, pitch, notes).",
            discussion: "Example:\n  dubctl voices list --tts openai --to es\n  dubctl voices list --tts espeak --to ko"
        )
        @Option(help: "Speech synthesizer: \(ProviderCatalog.providers(for: .speech).joined(separator: ", ")).") var tts = DubRequest.defaultTTS
        @Option(help: "The language to speak.") var to: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let language: Language
            do { language = try Language(to) } catch { throw ValidationError("--to: \(error)") }
            let engine = try ProviderCatalog(settings: try ProviderSettings.load()).synthesizer(tts)
            guard let catalog = engine as? any VoiceCatalog else { throw ValidationError("\(tts) lists no voices") }
            let voices = try await catalog.voices(for: language)
            if json { return print(try DubJSON.string(voices, pretty: true)) }
            for voice in voices {
                print([voice.id, voice.gender?.rawValue ?? "-", voice.pitch.map { "\(Int($0.rounded())) Hz" } ?? "-", voice.note ?? ""].joined(separator: "\t"))
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the voices dub cloned (named dub-...) that are still at the provider.",
            discussion: """
            A dub with --clone-voices deletes its clones when it finishes, unless --keep-voices; a failed or stopped run \
            keeps them for its resumed run. With --work, this deletes the clones recorded in that work folder's \
            voices.json (and marks them deleted there). With --all, every voice dub cloned in the account (named 'dub-' \
            and labelled created_by dub), including those a running dub is using or --keep-voices kept.

            Example:
              dubctl voices prune --work .film.es.mp4.work
              dubctl voices prune --all --dry-run
            """
        )
        @Option(help: "The engine that cloned them.") var tts = "elevenlabs"
        @Option(help: "Only the clones of this work folder.") var work: String?
        @Flag(help: "Every voice dub cloned in the account, whichever dub made it.") var all = false
        @Flag(name: .customLong("dry-run"), help: "List what would be deleted, delete nothing.") var dryRun = false

        func validate() throws {
            guard (work != nil) != all else { throw ValidationError("give --work DIR (one dub's clones) or --all (every clone dub made)") }
        }

        func run() async throws {
            let engine = try ProviderCatalog(settings: try ProviderSettings.load()).synthesizer(tts)
            guard let cloner = engine as? any VoiceCloner else { throw ValidationError("\(tts) does not clone voices") }
            if let work {
                guard let folder = WorkFolder.existing(work), let cast = try folder.readJSON(VoiceCast.self, from: VoiceCast.file) else {
                    throw ValidationError("--work: \(work) holds no \(VoiceCast.file)")
                }
                let left = cast.liveClones.map(\.voiceID)
                if dryRun { return print(left.isEmpty ? "nothing to delete" : "would delete: " + left.joined(separator: ", ")) }
                let deleted = try await DubPipeline.deleteClones(in: folder, cloner: cloner)
                return print("deleted \(deleted) cloned voice\(deleted == 1 ? "" : "s")")
            }
            let voices = try await cloner.clonedVoices(prefix: CatalogVoice.clonePrefix)
            if dryRun { return print(voices.isEmpty ? "nothing to delete" : "would delete: " + voices.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")) }
            for voice in voices { try await cloner.deleteVoice(voice.id) }
            print("deleted \(voices.count) cloned voice\(voices.count == 1 ? "" : "s")")
        }
    }
}
