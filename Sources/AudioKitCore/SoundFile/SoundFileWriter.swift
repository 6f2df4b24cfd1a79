import DubSupport
import CSndFile

/// Streams interleaved Float32 audio into a WAV or FLAC file through libsndfile.
/// Sole owner of its `SNDFILE` handle; the file is complete once `close()` returns, which reads the file's header
/// back and checks it holds every frame written.
///
/// WAV is written as RF64 that libsndfile turns back into plain WAV on closing when the data fits in 4 GiB, so a long
/// float work file (over about 3 hours of 48 kHz stereo) is never truncated by WAV's 32-bit sizes.
public final class SoundFileWriter {
    /// The file being written.
    public let path: String
    /// Sample rate in Hz.
    public let sampleRate: Int
    /// Channel count.
    public let channels: Int
    /// Frames written so far.
    public private(set) var framesWritten = 0
    private var handle: OpaquePointer?
    /// A long file goes to the disk as it is written instead of filling the page cache.
    private var dropBehind: DropBehind?

    /// Creates (or truncates) `path`.
    public init(path: String, format: SoundFileFormat, sampleRate: Int, channels: Int) throws {
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channels)
        info.format = format.sndfileFormat
        guard sf_format_check(&info) != 0 else {
            throw MediaError(.invalidArgument, "\(format.container.rawValue) cannot hold \(channels) channel(s) of \(format.encoding.rawValue) at \(sampleRate) Hz:",
                             path: path)
        }
        guard let handle = sf_open(path, Int32(SFM_WRITE), &info) else {
            throw MediaError(.writeFailed, "cannot create", path: path, underlying: String(cString: sf_strerror(nil)))
        }
        // Clip instead of wrapping when float samples exceed ±1 on integer formats.
        sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        if format.container == .wav {
            sf_command(handle, Int32(SFC_RF64_AUTO_DOWNGRADE), nil, Int32(SF_TRUE))
        }
        self.handle = handle
        dropBehind = DropBehind(path: path, writing: true)
        self.path = path
        self.sampleRate = sampleRate
        self.channels = channels
    }

    deinit {
        if let handle { sf_close(handle) }
    }

    /// Appends interleaved samples (`samples.count` must be a multiple of `channels`).
    public func write(_ samples: [Float]) throws {
        guard let handle else { throw MediaError(.writeFailed, "write after close to", path: path) }
        try WorkCancellation.check()
        precondition(samples.count % channels == 0, "sample count is not a whole number of frames")
        let frames = samples.count / channels
        let written = samples.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, sf_count_t(frames)) }
        guard written == frames else {
            throw MediaError(.writeFailed, "cannot write audio to", path: path, underlying: String(cString: sf_strerror(handle)),
                             hint: "is the disk full?")
        }
        framesWritten += frames
        dropBehind?.advanceToEnd()
    }

    /// Finishes the file (headers, FLAC stream info) and releases the handle.
    public func close() throws {
        guard let h = handle else { return }
        handle = nil
        dropBehind = nil
        sf_write_sync(h)
        let rc = sf_close(h)
        if rc != 0 {
            throw MediaError(.writeFailed, "cannot finish", path: path, underlying: String(cString: sf_error_number(rc)))
        }
        var info = SF_INFO()
        guard let check = sf_open(path, Int32(SFM_READ), &info) else {
            throw MediaError(.writeFailed, "cannot read back", path: path, underlying: String(cString: sf_strerror(nil)))
        }
        sf_close(check)
        guard Int(info.frames) == framesWritten else {
            throw MediaError(.writeFailed, "the finished file holds \(info.frames) of the \(framesWritten) frames written to", path: path,
                             hint: "is the disk full?")
        }
    }
}
