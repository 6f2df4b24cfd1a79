import Synchronization

/// A fault the fake injects instead of a normal answer, once per queued entry.
public enum FakeFault: Sendable, Equatable {
    /// 429 with optional `Retry-After` (seconds as text) and `retry-after-ms` values.
    case rateLimited(retryAfter: String?, retryAfterMs: String? = nil)
    /// The provider's "out of quota" error.
    case quota
    /// A 5xx with the provider's error body.
    case serverError(Int)
    /// Thinks this many seconds before answering normally (no byte sent meanwhile: a server at work, not a stall).
    case stall(seconds: Double)
    /// Sends the headers and part of the body, then nothing for this many seconds, then drops the connection.
    case stallMidBody(seconds: Double)
    /// Starts the body, then drops the connection.
    case truncatedBody
    /// 200 with a body that is not JSON.
    case malformedJSON
}

/// Faults queued per path, recorded requests, and simulated latency; shared by the fake's handlers and the test.
public final class FakeControl: Sendable {
    private struct State {
        var faults: [String: [FakeFault]] = [:]
        var quirks: [String: [String]] = [:]
        var requests: [RecordedRequest] = []
        var latency: Double = 0
        var expansion: Double = 0
        var kept: [String: [String]] = [:]
    }
    private let state = Mutex(State())
    /// The texts the fake voices spoke, for the fake recognisers to hear back.
    public let voices = FakeVoices()
    /// The ElevenLabs fake's voice library (premade and cloned voices).
    public let library = FakeVoiceLibrary()

    public init() {}

    /// Queues `faults` for the next requests whose path ends with `pathSuffix`.
    public func inject(_ faults: FakeFault..., on pathSuffix: String) {
        state.withLock { $0.faults[pathSuffix, default: []].append(contentsOf: faults) }
    }

    /// Queues provider-specific misbehaviours (named by the fake that understands them, e.g. a chat reply that
    /// drops an id) for the next requests whose path ends with `pathSuffix`.
    public func injectQuirk(_ quirks: String..., on pathSuffix: String) {
        state.withLock { $0.quirks[pathSuffix, default: []].append(contentsOf: quirks) }
    }

    func nextQuirk(for path: String) -> String? {
        state.withLock { state in
            guard let key = state.quirks.keys.first(where: { path.hasSuffix($0) }), var queue = state.quirks[key], !queue.isEmpty
            else { return nil }
            let quirk = queue.removeFirst()
            state.quirks[key] = queue
            return quirk
        }
    }

    /// How much longer than the source the chat fake's translations are (0.3: 30 % more characters), as a real
    /// translation into a longer language is; with an expansion set, a translation may also overshoot its `max_length` by
    /// up to 10 %, as language models do, so that the fit's shortening has work to do.
    public var translationExpansion: Double {
        get { state.withLock { $0.expansion } }
        set { state.withLock { $0.expansion = newValue } }
    }

    /// Seconds from a request's arrival to its answer (`FakeLatency`): the fake's own work is inside them.
    public var latency: Double {
        get { state.withLock { $0.latency } }
        set { state.withLock { $0.latency = newValue } }
    }

    /// Keeps a part of a request a test wants to look at (e.g. CLOVA Speech's `params` text), under `name`.
    func keep(_ name: String, _ value: String) {
        state.withLock { $0.kept[name, default: []].append(value) }
    }

    /// What was kept under `name`, in order.
    public func kept(_ name: String) -> [String] { state.withLock { $0.kept[name] ?? [] } }

    /// Every request the fake received, in order.
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }

    func nextFault(for path: String) -> FakeFault? {
        state.withLock { state in
            guard let key = state.faults.keys.first(where: { path.hasSuffix($0) }), var queue = state.faults[key], !queue.isEmpty
            else { return nil }
            let fault = queue.removeFirst()
            state.faults[key] = queue
            return fault
        }
    }

    func record(_ request: RecordedRequest) {
        state.withLock { $0.requests.append(request) }
    }
}

/// One request as the fake saw it.
public struct RecordedRequest: Sendable {
    public var path: String
    public var headers: [String: String]
    public var at: ContinuousClock.Instant
    /// The body, for fakes that keep it (small JSON bodies); empty otherwise.
    public var body: [UInt8] = []
}
