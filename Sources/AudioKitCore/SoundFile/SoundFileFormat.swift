import DubSupport
import CSndFile

/// A PCM file format libsndfile writes: container and sample encoding.
public struct SoundFileFormat: Sendable, Equatable {
    /// The container.
    public enum Container: String, Sendable, CaseIterable {
        case wav, flac
    }

    /// How samples are stored.
    public enum Encoding: String, Sendable, CaseIterable {
        /// 32-bit IEEE float (WAV only).
        case float32 = "f32"
        /// 16-bit signed integer.
        case int16 = "s16"
        /// 24-bit signed integer.
        case int24 = "s24"
    }

    public var container: Container
    public var encoding: Encoding

    /// Creates a format, rejecting combinations the container cannot hold.
    public init(container: Container, encoding: Encoding) throws {
        if container == .flac && encoding == .float32 {
            throw MediaError(.invalidArgument, "FLAC cannot store 32-bit float samples", hint: "use --sample-format s16 or s24")
        }
        self.container = container
        self.encoding = encoding
    }

    /// The format implied by a file name's extension (`.wav`, `.flac`), with `encoding` or the container's default
    /// (s16 for both, as the ffmpeg command line writes).
    public init(path: String, encoding: Encoding? = nil) throws {
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        guard let container = Container(rawValue: ext), path.contains(".") else {
            throw MediaError(.invalidArgument, "cannot tell the output format from the file name", path: path,
                             hint: "use a .wav or .flac extension")
        }
        try self.init(container: container, encoding: encoding ?? .int16)
    }

    var sndfileFormat: Int32 {
        let major = container == .wav ? SF_FORMAT_RF64 : SF_FORMAT_FLAC
        let minor: Int32
        switch encoding {
        case .float32: minor = Int32(SF_FORMAT_FLOAT)
        case .int16: minor = Int32(SF_FORMAT_PCM_16)
        case .int24: minor = Int32(SF_FORMAT_PCM_24)
        }
        return Int32(major) | minor
    }
}
