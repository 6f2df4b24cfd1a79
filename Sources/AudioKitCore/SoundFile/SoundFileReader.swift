import DubSupport
import CSndFile

/// Streams a WAV, FLAC or other libsndfile-readable file as interleaved Float32.
/// Sole owner of its `SNDFILE` handle.
public final class SoundFileReader {
    /// The file being read.
    public let path: String
    /// Sample rate in Hz.
    public let sampleRate: Int
    /// Channel count.
    public let channels: Int
    /// Total frames in the file.
    public let frameCount: Int
    /// Whether the samples are stored as plain integers or floats (not ADPCM, GSM or another coding).
    let isPlainPCM: Bool
    private let handle: OpaquePointer
    /// Advice to the page cache behind the reading, for an uncompressed container (WAV, AIFF, ...), where the bytes
    /// read are the frames read times their size; nil for FLAC and other coded files.
    private let dropBehind: (advice: DropBehind, frameBytes: Int)?
    private var framesRead = 0

    /// Opens `path` for reading.
    public init(path: String) throws {
        try FileCheck.requireReadableFile(path)
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            throw MediaError(.notMedia, "cannot open as a sound file", path: path, underlying: String(cString: sf_strerror(nil)))
        }
        self.handle = handle
        self.path = path
        sampleRate = Int(info.samplerate)
        channels = Int(info.channels)
        frameCount = Int(info.frames)
        let width = [SF_FORMAT_PCM_S8: 1, SF_FORMAT_PCM_U8: 1, SF_FORMAT_PCM_16: 2, SF_FORMAT_PCM_24: 3, SF_FORMAT_PCM_32: 4, SF_FORMAT_FLOAT: 4,
                     SF_FORMAT_DOUBLE: 8][Int(info.format) & SF_FORMAT_SUBMASK]
        isPlainPCM = width != nil
        let uncompressed = [SF_FORMAT_WAV, SF_FORMAT_WAVEX, SF_FORMAT_RF64, SF_FORMAT_W64, SF_FORMAT_AIFF, SF_FORMAT_CAF, SF_FORMAT_AU, SF_FORMAT_RAW]
            .contains(Int(info.format) & SF_FORMAT_TYPEMASK)
        dropBehind = width.flatMap { uncompressed ? (DropBehind(path: path), $0 * Int(info.channels)) : nil }
    }

    deinit { sf_close(handle) }

    /// Duration in seconds.
    public var duration: Double { Double(frameCount) / Double(sampleRate) }

    /// Reads up to `maxFrames` frames; returns an empty array at the end.
    public func read(maxFrames: Int = 65_536) throws -> [Float] {
        try WorkCancellation.check()
        var buffer = [Float](repeating: 0, count: maxFrames * channels)
        let got = buffer.withUnsafeMutableBufferPointer { sf_readf_float(handle, $0.baseAddress, sf_count_t(maxFrames)) }
        if got < 0 { throw MediaError(.decodeFailed, "cannot read", path: path, underlying: String(cString: sf_strerror(handle))) }
        buffer.removeLast(buffer.count - Int(got) * channels)
        framesRead += Int(got)
        // The header's few bytes before the samples are left out: the advice stays a little behind the reading.
        if let dropBehind { dropBehind.advice.advance(to: framesRead * dropBehind.frameBytes) }
        return buffer
    }

    /// Reads the whole file. Meant for short clips and tests; stream long files with `read(maxFrames:)`.
    public func readAll() throws -> [Float] {
        var all: [Float] = []
        all.reserveCapacity(frameCount * channels)
        while true {
            let chunk = try read()
            if chunk.isEmpty { break }
            all.append(contentsOf: chunk)
        }
        return all
    }
}
