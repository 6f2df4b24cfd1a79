import DubSupport
import ProviderAPI
/// How long each phase of one HTTP request may take. A provider that reads a long upload and then thinks before
/// answering is not stalled: only the phases where bytes should be moving have a stall window.
///
/// - connect: establishing the connection (TCP and TLS);
/// - stall: no byte accepted for this long while uploading, or none received for this long once the answer's body has
///   started (the upload stall and the download stall);
/// - deadline: the whole request, the server's think time included (the official SDKs allow 600 s for OpenAI and 240 s
///   for ElevenLabs; an upload of long audio gets `perAudioSecond` more for each second it holds).
///
/// Each provider's limits are settings: `PREFIX_TIMEOUT` (the deadline, seconds), `PREFIX_CONNECT_TIMEOUT` and
/// `PREFIX_STALL_TIMEOUT`, for `OPENAI`, `ELEVENLABS`, `NCP` (CLOVA Voice, Papago) and `CLOVA_SPEECH`.
public struct HTTPTimeouts: Sendable, Equatable {
    public var connect: Double
    public var stall: Double
    public var deadline: Double
    /// Extra deadline per second of audio in an upload (recognition, isolation).
    public var perAudioSecond: Double

    public init(connect: Double = 10, stall: Double = 60, deadline: Double = 600, perAudioSecond: Double = 0.5) {
        self.connect = connect
        self.stall = stall
        self.deadline = deadline
        self.perAudioSecond = perAudioSecond
    }

    /// The deadline of a request that uploads `seconds` of audio.
    public func deadline(forAudioSeconds seconds: Double) -> Double {
        deadline + max(0, seconds) * perAudioSecond
    }

    /// Applies these limits to `request` (for an upload of `audioSeconds`, when it carries audio).
    public func apply(to request: inout HTTPRequest, audioSeconds: Double = 0) {
        request.connectTimeout = connect
        request.stallTimeout = stall
        request.totalTimeout = deadline(forAudioSeconds: audioSeconds)
    }

    /// The defaults for `prefix` (`OPENAI`: 600 s as OpenAI's SDK; `ELEVENLABS`: 240 s as ElevenLabs' SDK; the NAVER
    /// gateway 120 s; CLOVA Speech 600 s plus one second per second of audio, its sync recognition being slow),
    /// overridden by the `PREFIX_TIMEOUT`, `PREFIX_CONNECT_TIMEOUT` and `PREFIX_STALL_TIMEOUT` settings.
    public static func forProvider(_ prefix: String, settings: ProviderSettings) -> HTTPTimeouts {
        var timeouts: HTTPTimeouts
        switch prefix {
        case "ELEVENLABS": timeouts = HTTPTimeouts(deadline: 240)
        case "NCP": timeouts = HTTPTimeouts(deadline: 120)
        case "CLOVA_SPEECH": timeouts = HTTPTimeouts(deadline: 600, perAudioSecond: 1)
        default: timeouts = HTTPTimeouts(deadline: 600)
        }
        func seconds(_ name: String) -> Double? { settings["\(prefix)_\(name)"].flatMap(Double.init).flatMap { $0 > 0 && $0.isFinite ? $0 : nil } }
        if let value = seconds("TIMEOUT") { timeouts.deadline = value }
        if let value = seconds("CONNECT_TIMEOUT") { timeouts.connect = value }
        if let value = seconds("STALL_TIMEOUT") { timeouts.stall = value }
        return timeouts
    }
}
