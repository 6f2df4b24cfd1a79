import DubSupport
import ProviderAPI
import AudioKitCore

/// probe: the container and its streams. A file without an audio stream stops the job here.
struct ProbeStage: DubStage {
    static let stage = StageName.probe
    /// The media file to dub.
    let input: String

    func run(_: Void, in context: StageContext) async throws -> MediaInfo {
        let input = input
        let info = try await BlockingWork.run { try MediaInfo.probe(path: input) }
        guard !info.audioStreams.isEmpty else { throw MediaError(.noAudioStream, "no audio stream in", path: input) }
        return info
    }
}
