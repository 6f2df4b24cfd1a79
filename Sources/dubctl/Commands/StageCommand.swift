import ArgumentParser
import AudioKitCore
import FoundationEssentials
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue

struct StageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage",
        abstract: "Run one pipeline stage of a work folder again (for developers testing a stage on a clip).",
        discussion: """
        The work folder must come from an earlier 'dubctl dub' (it keeps the request in request.json). Earlier stages
        are taken from the folder (or run if missing); the named stage runs again even if it is cached.

        Stages, in order:
        \(StageName.allCases.map { "  \($0.rawValue + String(repeating: " ", count: max(1, 12 - $0.rawValue.count)))\($0.summary)" }.joined(separator: "\n"))

        Example:
          dubctl stage mix --work .english.es.mp4.work
        """
    )

    @Argument(help: "The stage to run.") var name: String
    @Option(help: "The work folder.") var work: String
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard DubPipeline.stages.contains(name) else {
            throw ValidationError("unknown stage '\(name)'; stages: \(DubPipeline.stages.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let work = Paths.absolute(work)
        guard let folder = WorkFolder.existing(work), let request = try folder.readJSON(DubRequest.self, from: DubPipeline.requestFile) else {
            throw ValidationError("'\(work)' has no \(DubPipeline.requestFile): run 'dubctl dub ... --work \(work)' first")
        }
        try Paths.enterDirectory(of: request)
        let pipeline = try DubPipeline(request: request, providers: ProviderCatalog(settings: try ProviderSettings.load()), work: folder)
        let result = try await pipeline.runStage(name)
        if json {
            print(try DubJSON.string(result, pretty: true))
        } else {
            print("ran \(name) in \(result.seconds.fixed(2)) s; steps run: \(result.executed.joined(separator: ", "))")
        }
    }
}
