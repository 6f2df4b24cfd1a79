import DubSupport
import ProviderAPI
import AudioKitCore
import Foundation

/// ElevenLabs audio isolation (`/v1/audio-isolation`): the voice of a recording, streamed to disk and decoded.
public struct ElevenLabsVoiceIsolator: VoiceIsolator {
    /// The connection: key, base URL, retries and usage meter.
    public let client: ElevenLabsClient
    public var name: String { "elevenlabs-isolation" }

    /// An isolator on `client`.
    public init(client: ElevenLabsClient) {
        self.client = client
    }

    /// Uploads `audioPath` (as one compressed file, streamed from disk), streams the isolated voice (MP3) to a
    /// temporary file, decodes it into `vocalsPath` (WAV) and returns its exact duration in seconds.
    public func isolate(_ audioPath: String, to vocalsPath: String) async throws -> Double {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dub-isolate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // One compressed upload (the API takes up to an hour and 500 MB).
        let chunker = AudioChunker(maxSeconds: 3_600, maxBytes: 500_000_000)
        let chunks = try await BlockingWork.run { try chunker.split(audioPath, into: folder) }
        guard chunks.count == 1, let chunk = chunks.first else {
            throw ProviderError(code: .http, provider: "ElevenLabs", message: "audio isolation takes at most one hour of audio")
        }
        var request = HTTPRequest(url: client.baseURL + "/v1/audio-isolation",
                                  body: .multipart([MultipartPart(name: "audio", .file(path: chunk.path, filename: "audio.flac", contentType: "audio/flac"))]))
        client.timeouts.apply(to: &request, audioSeconds: chunk.duration)
        request.responseFile = folder + "/isolated.download"
        _ = try await client.send(request)
        client.meter.record("elevenlabs", ProviderUsage(audioSeconds: chunk.duration, requests: 1))
        let encoded = folder + "/isolated.download"
        return try await BlockingWork.run { try ProviderAudio.decodeFile(encoded, to: vocalsPath, trim: false, provider: "ElevenLabs") }
    }
}
