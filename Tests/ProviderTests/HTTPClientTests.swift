import Foundation
import ProviderFakes
import TestSupport
import Testing
import Synchronization
import DubSupport
import ProviderAPI
@testable import Providers
@testable import Dubbing

@Suite("HTTP client: rate limit, cancellation, responses to files, provider audio")
struct HTTPClientTests {
    static func speechRequest(_ server: FakeProviderServer) throws -> HTTPRequest {
        let body = try JSONSerialization.data(withJSONObject: ["model": "tts-1", "input": "Hello.", "voice": "alloy", "response_format": "pcm"])
        return HTTPRequest(url: server.baseURL + "/v1/audio/speech", secretHeaders: ["Authorization": "Bearer \(FakeProviderServer.openAIKey)"],
                           body: .bytes(Array(body), contentType: "application/json"))
    }

    @Test func requestStartsAreSpacedByTheRateLimit() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let client = HTTPClient(provider: "OpenAI", maxConcurrent: 8, maxRequestsPerSecond: 5)
        let request = try Self.speechRequest(server)
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { _ = try await client.send(request) } }
            try await group.waitForAll()
        }
        #expect(server.control.requests.count == 4)
        // The fourth request cannot start before three intervals of 200 ms at 5 requests a second.
        #expect(ContinuousClock.now - started >= .milliseconds(590))
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        server.control.latency = 300
        let client = HTTPClient(provider: "OpenAI")
        let request = try Self.speechRequest(server)
        let started = ContinuousClock.now
        let task = Task { try await client.send(request) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        // Long before the 300 s answer: curl's progress callback aborts the transfer (generous: on a loaded 2-core
        // machine this task has been seen waiting tens of seconds for a thread).
        #expect(ContinuousClock.now - started < .seconds(200))
    }

    @Test func aSuccessfulBodyStreamsToTheFileAndErrorsStayInMemory() async throws {
        let server = try await FakeProviderServer.start()
        defer { server.stop() }
        let scratch = try Scratch()
        var request = try Self.speechRequest(server)
        request.responseFile = scratch.path("speech.pcm")
        let response = try await HTTPClient(provider: "OpenAI").send(request)
        #expect(response.body.isEmpty)
        let size = try FileManager.default.attributesOfItem(atPath: scratch.path("speech.pcm"))[.size] as? Int ?? 0
        #expect(size > 1000 && size % 2 == 0)
        var bad = request
        bad.body = .bytes(Array(#"{"model":"tts-1","input":"Hi.","voice":"nobody"}"#.utf8), contentType: "application/json")
        let error = await #expect(throws: ProviderError.self) {
            _ = try await HTTPClient(provider: "OpenAI").send(bad, errorMessage: OpenAIClient.errorMessage)
        }
        #expect(error?.status == 400 && error?.description.contains("Invalid voice") == true)
    }

    @Test func encodedAudioIsDecodedToItsExactLength() throws {
        let scratch = try Scratch()
        // 1.5 s at 22.05 kHz, as MP3 (with its encoder delay) and as WAV.
        for ext in ["mp3", "wav"] {
            let encoded = scratch.path("tone.\(ext)")
            try Tool.ffmpeg(["-f", "lavfi", "-i", "sine=f=440:r=22050:d=1.5", encoded])
            let seconds = try ProviderAudio.decodeFile(encoded, to: scratch.path("\(ext).wav"), trim: false, provider: "test")
            #expect(abs(seconds - 1.5) < (ext == "mp3" ? 0.03 : 1e-6), "\(ext): \(seconds)")
        }
        try "not audio".write(toFile: scratch.path("bad.mp3"), atomically: true, encoding: .utf8)
        #expect(throws: ProviderError.self) {
            _ = try ProviderAudio.decodeFile(scratch.path("bad.mp3"), to: scratch.path("bad.wav"), trim: true, provider: "test")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("bad.wav")))
    }
}

@Suite("Rate limiter on a clock the test moves")
struct RateLimiterClockTests {
    @Test("request starts are spaced by the limit on the limiter's clock: each waits until the test moves time to its slot")
    func spacing() async throws {
        let clock = TestClock()
        let limiter = try #require(RateLimiter(perSecond: 5, clock: clock))
        final class Started: Sendable {
            let list = Mutex<[Int]>([])
            func withLock<T>(_ body: (inout [Int]) -> T) -> T { list.withLock { body(&$0) } }
        }
        let started = Started()
        try await limiter.wait() // the first goes at once
        let tasks = (1...3).map { n in Task { try await limiter.wait(); started.withLock { $0.append(n) } } }
        for _ in 0..<2400 where clock.sleepers < 3 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(clock.sleepers == 3 && started.withLock { $0.isEmpty })
        for expected in 1...3 {
            clock.advance(by: .milliseconds(200))
            for _ in 0..<2400 where started.withLock({ $0.count }) < expected { try await Task.sleep(for: .milliseconds(5)) }
            #expect(started.withLock { $0.count } == expected, "after \(expected * 200) ms")
        }
        for task in tasks { try await task.value }
        #expect(Set(started.withLock { $0 }) == [1, 2, 3])
    }
}
