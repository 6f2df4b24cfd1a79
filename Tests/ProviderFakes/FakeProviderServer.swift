import Foundation
import Hummingbird
import Logging

/// Faithful fakes of the provider HTTP APIs (`providers.md`) on 127.0.0.1 and a free port.
public final class FakeProviderServer: Sendable {
    /// Keys the fake accepts.
    public static let openAIKey = "sk-test-fake-openai-key-0123456789"
    public static let elevenLabsKey = "el-test-fake-elevenlabs-key-0123"
    public static let naverClientID = "ncp-test-client-id"
    public static let naverClientSecret = "ncp-test-client-secret-0123456789"
    public static let clovaSpeechSecret = "clova-test-speech-secret-0123"

    /// Fault injection, latency and the request record.
    public let control: FakeControl
    public let port: Int
    private let task: Task<Void, Error>

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The settings that point every provider at this fake, with the keys it accepts.
    public var environment: [String: String] {
        ["OPENAI_API_KEY": Self.openAIKey, "OPENAI_BASE_URL": baseURL + "/v1",
         "ELEVENLABS_API_KEY": Self.elevenLabsKey, "ELEVENLABS_BASE_URL": baseURL,
         "NCP_CLIENT_ID": Self.naverClientID, "NCP_CLIENT_SECRET": Self.naverClientSecret,
         "CLOVA_VOICE_URL": baseURL + "/naver/tts-premium/v1/tts", "PAPAGO_URL": baseURL + "/naver/nmt/v1/translation",
         "CLOVA_SPEECH_INVOKE_URL": baseURL + "/clova", "CLOVA_SPEECH_SECRET": Self.clovaSpeechSecret]
    }

    /// Starts the server and returns once it is listening.
    public static func start() async throws -> FakeProviderServer {
        let control = FakeControl()
        let router = Router()
        OpenAIFake.register(on: router, control: control)
        OpenAIFake.registerChat(on: router, control: control)
        OpenAIFake.registerTranscription(on: router, control: control)
        ElevenLabsFake.register(on: router, control: control)
        NaverFake.register(on: router, control: control)
        var logger = Logger(label: "fake-providers")
        logger.logLevel = .critical
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: logger)
        let task = Task { try await app.run() }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let server = FakeProviderServer(port: port, task: task, control: control)
        return server
    }

    private init(port: Int, task: Task<Void, Error>, control: FakeControl) {
        self.port = port
        self.task = task
        self.control = control
    }

    /// Stops the server.
    public func stop() {
        task.cancel()
    }
}
