import AudioKitCore
import Foundation
import DubSupport
import ProviderAPI
import Providers
import Dubbing
import JobQueue
import ProviderFakes
import TestSupport
import Testing

/// `dubctl providers check`, `transcribe` and `translate` as an operator runs them, against the fakes.
@Suite("dubctl provider commands", .tags(.endToEnd))
struct ProviderCommandTests {
    /// An environment with no provider settings but the given ones, and no config file from the real home.
    static func environment(_ scratch: Scratch, _ values: [String: String] = [:]) -> [String: String] {
        var env = ["XDG_CONFIG_HOME": scratch.path("config"), "DUB_CONFIG": ""]
        for name in ["OPENAI_API_KEY", "OPENAI_BASE_URL", "ELEVENLABS_API_KEY", "ELEVENLABS_BASE_URL", "NCP_CLIENT_ID",
                     "NCP_CLIENT_SECRET", "CLOVA_VOICE_URL", "PAPAGO_URL", "CLOVA_SPEECH_INVOKE_URL", "CLOVA_SPEECH_SECRET"] { env[name] = "" }
        return env.merging(values) { _, new in new }
    }

    /// Runs dubctl on its own thread: the fake server answers on the cooperative pool, which a blocking wait for
    /// the child process must not hold.
    static func dubctl(_ arguments: [String], environment: [String: String]) async throws -> CommandRunner.Result {
        try await BlockingWork.run { try CommandRunner.run("dubctl", arguments, environment: environment) }
    }

    @Test func checkShowsWhatIsConfiguredWithoutKeys() async throws {
        let scratch = try Scratch()
        let key = "sk-this-key-must-never-be-printed"
        let result = try await Self.dubctl(["providers", "check", "--json"], environment: Self.environment(scratch, ["OPENAI_API_KEY": key]))
        #expect(result.status == 0)
        #expect(!result.stdout.contains(key) && !result.stderr.contains(key))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let providers = try #require(object["providers"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: providers.map { ($0["name"] as? String ?? "", $0) })
        #expect(byName["openai"]?["configured"] as? Bool == true)
        #expect(byName["elevenlabs"]?["configured"] as? Bool == false)
        #expect(byName["elevenlabs"]?["missing"] as? [String] == ["ELEVENLABS_API_KEY"])
        #expect(byName["espeak"]?["configured"] as? Bool == true)
    }

    @Test func configFileIsReadOnlyWhenPrivateAndTheEnvironmentWins() async throws {
        let scratch = try Scratch()
        let config = scratch.path("providers.env")
        try "# dub\nELEVENLABS_API_KEY=\"el-secret-from-file\"\nOPENAI_API_KEY=from-file\n".write(toFile: config, atomically: true, encoding: .utf8)
        chmod(config, 0o644)
        let open = try await Self.dubctl(["providers", "check"], environment: Self.environment(scratch, ["DUB_CONFIG": config]))
        #expect(open.status == 1)
        #expect(open.stderr.contains("chmod 600"))
        #expect(!open.stderr.contains("el-secret-from-file"))
        chmod(config, 0o600)
        let result = try await Self.dubctl(["providers", "check"], environment: Self.environment(scratch, ["DUB_CONFIG": config]))
        #expect(result.status == 0)
        #expect(result.stdout.contains("config file: \(config)"))
        #expect(result.stdout.contains("elevenlabs") && !result.stdout.contains("el-secret-from-file"))
        // The environment wins over the file: a wrong key in the file, the right one in the environment.
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let out = scratch.path("hi.wav")
        let spoken = try await Self.dubctl(["synthesize", "Hello there.", "--provider", "openai", "-o", out],
                                           environment: Self.environment(scratch, ["DUB_CONFIG": config, "OPENAI_API_KEY": FakeProviderServer.openAIKey,
                                                                                   "OPENAI_BASE_URL": server.baseURL + "/v1"]))
        #expect(spoken.status == 0, "\(spoken.stderr)")
    }

    @Test func transcribeThenTranslateAgainstTheFake() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let env = Self.environment(scratch, ["OPENAI_API_KEY": FakeProviderServer.openAIKey, "OPENAI_BASE_URL": server.baseURL + "/v1"])
        let transcript = scratch.path("talk.json")
        let asr = try await Self.dubctl(["transcribe", Repository.sample("english.mp4"), "--provider", "openai", "--language", "en", "-o", transcript], environment: env)
        #expect(asr.status == 0, "\(asr.stderr)")
        let source = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: transcript))) as? [String: Any])
        let segments = try #require(source["segments"] as? [[String: Any]])
        #expect(source["language"] as? String == "en")
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Repository.sample("english.lines.json")))) as? [Any]
        #expect(segments.count == truth?.count)
        let srt = try await Self.dubctl(["transcribe", Repository.sample("english.mp4"), "-o", scratch.path("talk.srt")], environment: env)
        #expect(srt.status == 0)
        #expect(try String(contentsOfFile: scratch.path("talk.srt"), encoding: .utf8).contains(" --> "))

        let glossary = scratch.path("terms.txt")
        try "word1 = palabra-uno\n".write(toFile: glossary, atomically: true, encoding: .utf8)
        let translated = scratch.path("talk.es.json")
        let mt = try await Self.dubctl(["translate", transcript, "--to", "es", "--glossary", glossary, "--batch-size", "2", "-o", translated], environment: env)
        #expect(mt.status == 0, "\(mt.stderr)")
        let target = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: translated))) as? [String: Any])
        let out = try #require(target["segments"] as? [[String: Any]])
        #expect(target["language"] as? String == "es")
        #expect(out.map { $0["id"] as? Int } == segments.map { $0["id"] as? Int })
        #expect(out.map { $0["start"] as? Double } == segments.map { $0["start"] as? Double })
        #expect(out.allSatisfy { ($0["text"] as? String)?.hasPrefix("[es] ") == true })
        #expect((out.first?["text"] as? String)?.contains("palabra-uno") == true)
    }

    @Test func badKeyAndMissingKeyGetOneClearLine() async throws {
        let scratch = try Scratch()
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let wrong = "sk-wrong-key-never-shown"
        let bad = try await Self.dubctl(["transcribe", Repository.sample("mono.wav"), "-o", scratch.path("t.json")],
                                        environment: Self.environment(scratch, ["OPENAI_API_KEY": wrong, "OPENAI_BASE_URL": server.baseURL + "/v1"]))
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("OpenAI") && bad.stderr.contains("401"))
        #expect(!bad.stderr.contains(wrong))
        let missing = try await Self.dubctl(["translate", scratch.path("t.json"), "--to", "es", "-o", scratch.path("o.json")],
                                            environment: Self.environment(scratch))
        #expect(missing.status == 1)
        #expect(missing.stderr.split(separator: "\n").count == 1)
    }
}
