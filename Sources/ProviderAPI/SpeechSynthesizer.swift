import DubSupport

/// One line to speak.
public struct SynthesisRequest: Sendable, Equatable, Codable {
    public var text: String
    /// The language to speak.
    public var language: Language
    /// A provider voice; nil picks the language's default.
    public var voice: String?
    /// Speaking speed, 1 = natural.
    public var speed: Double
    /// The lines spoken before and after, for providers that keep prosody across lines (ElevenLabs).
    public var previousText: String?
    public var nextText: String?
    /// How to say it, for the engines that take a note (nil: as the engine reads the text).
    public var delivery: Delivery?

    public init(text: String, language: Language, voice: String? = nil, speed: Double = 1,
                previousText: String? = nil, nextText: String? = nil, delivery: Delivery? = nil) {
        self.text = text
        self.language = language
        self.voice = voice
        self.speed = speed
        self.previousText = previousText
        self.nextText = nextText
        self.delivery = delivery == .neutral ? nil : delivery
    }
}

/// Synthesized audio written to a file, with its exact length.
public struct SynthesizedAudio: Sendable, Equatable, Codable {
    public var path: String
    public var duration: Double
    /// Characters billed.
    public var characters: Int

    public init(path: String, duration: Double, characters: Int) {
        self.path = path
        self.duration = duration
        self.characters = characters
    }
}

/// A text-to-speech engine the pipeline can use.
public protocol SpeechSynthesizer: Sendable {
    /// The engine's name, part of every cache key.
    var name: String { get }
    /// The speeds it can synthesize at itself, if any.
    var speedRange: ClosedRange<Double>? { get }
    /// Whether the engine keeps prosody across lines from the neighbouring text (`previousText`, `nextText`).
    var usesContext: Bool { get }
    /// Whether the engine acts on `SynthesisRequest.delivery` (others get none, so a changed note costs nothing).
    var takesDelivery: Bool { get }
    /// Writes the spoken `request` to `path` (WAV) and returns its exact duration.
    func synthesize(_ request: SynthesisRequest, to path: String) async throws -> SynthesizedAudio
}

extension SpeechSynthesizer {
    public var usesContext: Bool { false }
    public var takesDelivery: Bool { false }
}

/// A synthesis failure.
public struct SynthesisError: ClassifiedError, Sendable {
    public var engine: String
    public var message: String

    public init(engine: String, message: String) {
        self.engine = engine
        self.message = message
    }

    public var description: String { "\(engine) speech synthesis failed: \(message)" }
    public var errorCode: String { "synthesisFailed" }
    public var isPermanent: Bool { false }
}
