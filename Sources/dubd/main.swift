import ArgumentParser
import AudioKitCore

/// The job daemon. The PostgreSQL queue it serves is being built; today it reports the media
/// libraries it was linked against, so an operator can check a host before installing it.
struct Dubd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dubd",
        abstract: "The dub job daemon (the PostgreSQL job queue is not available yet).",
        discussion: "Example: dubd --check   # prints the linked FFmpeg, libsndfile and libsoxr versions",
        version: "0.1.0"
    )

    @Flag(help: "Print the versions of the linked media libraries and exit.")
    var check = false

    func run() throws {
        guard check else {
            throw ValidationError("dubd cannot process jobs yet; run 'dubd --check' to verify the host's media libraries")
        }
        for (name, version) in MediaLibraries.versions.sorted(by: { $0.key < $1.key }) {
            print("\(name) \(version)")
        }
    }
}

Dubd.main()
