import Foundation
import Hummingbird

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
    private let server: LoopbackServer
    public var port: Int { server.port }

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
        router.add(middleware: FakeLatency(control: control))
        OpenAIFake.register(on: router, control: control)
        OpenAIFake.registerChat(on: router, control: control)
        OpenAIFake.registerTranscription(on: router, control: control)
        ElevenLabsFake.register(on: router, control: control)
        NaverFake.register(on: router, control: control)
        let server = try await LoopbackServer.start(router, label: "fake-providers")
        return FakeProviderServer(server: server, control: control)
    }

    private init(server: LoopbackServer, control: FakeControl) {
        self.server = server
        self.control = control
    }

    /// Stops the server.
    public func stop() {
        server.stop()
    }
}
