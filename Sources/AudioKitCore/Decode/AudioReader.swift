import DubSupport
import CFFmpeg
import Logging

/// Streams the audio of a media file as interleaved Float32 chunks at a chosen rate and channel count,
/// aligned to the media timeline.
///
/// Timeline alignment, as the ffmpeg command line's `aresample=async=1:first_pts=0`: sample 0 is the start of the
/// container's timeline (the earliest start of its streams; time 0 when the container does not say), so audio that
/// starts after the video, or after the decoder's own delay, yields silence first, and audio that starts before the
/// video keeps its lead. A timestamp gap yields silence there; overlapping timestamps are
/// dropped. Memory stays flat whatever the input length.
///
/// Reading is blocking; run it off Swift's cooperative pool (see `BlockingWork`).
public final class AudioReader {
    /// The file being read.
    public let path: String
    /// Index of the audio stream being read.
    public let streamIndex: Int
    /// The stream's own sample rate.
    public let sourceSampleRate: Int
    /// Output sample rate.
    public let sampleRate: Int
    /// Output channel count.
    public let channels: Int
    /// Problems that did not stop reading (truncation, corrupt packets); final after `next()` returns nil.
    public internal(set) var warnings: [String] = []
    /// Output frames (samples per channel) returned so far.
    public private(set) var framesRead = 0

    enum Item {
        case silence(Int)
        case samples([Float])
    }

    let input: InputContainer
    let decoder: AudioDecoder
    let converter: SampleConverter
    let resampling: Resampling
    let packet: UnsafeMutablePointer<AVPacket>
    let timeBase: Double
    let expectedDuration: Double?
    let startFrame: Int
    let endFrame: Int?
    /// How far (in source frames) a frame's time stamp may be from where it falls before silence is inserted or samples
    /// dropped: 1 ms for the first frame, 100 ms after it (as libswresample's `async` matching in the ffmpeg command line).
    let firstFrameTolerance: Int
    let gapTolerance: Int
    /// Whether the first decoded frame has been placed on the timeline.
    var placedFirstFrame = false
    let logger = Logger(label: "dub.audio.reader")

    /// The timeline's zero, in seconds of the file's own timestamps.
    let origin: Double
    /// Source-rate frames on the timeline that decoding has reached (items queued included).
    var timelinePos = 0
    /// Source-rate frames on the timeline that have been emitted or trimmed away.
    var emitPos = 0
    var sourceFramesKept = 0
    var decodedFrames = 0
    var corruptPackets = 0
    var needsResync = false
    var inputDone = false
    var finished = false
    var items: [Item] = []
    var itemHead = 0
    var ready: [[Float]] = []
    var readyHead = 0

    /// Opens `path` and prepares to stream its audio.
    public init(path: String, options: AudioReadOptions = AudioReadOptions()) throws {
        try options.validate()
        let input = try InputContainer(path: path)
        let index = try input.audioStreamIndex(requested: options.streamIndex)
        let (rate, sourceChannels, tb, plainMono) = input.withStream(index) { stream in
            let par = stream.pointee.codecpar.pointee, layout = par.ch_layout
            // Mono for sure: PCM or FLAC (no codec that may decode to more channels than its header says, as HE-AAC's
            // parametric stereo does) in the mono layout or none.
            let lossless = (AV_CODEC_ID_PCM_S16LE.rawValue..<AV_CODEC_ID_ADPCM_IMA_QT.rawValue).contains(par.codec_id.rawValue)
                || par.codec_id == AV_CODEC_ID_FLAC
            let mono = layout.nb_channels == 1 && (layout.order == AV_CHANNEL_ORDER_UNSPEC
                                                   || (layout.order == AV_CHANNEL_ORDER_NATIVE && layout.u.mask == UInt64(1) << AV_CHAN_FRONT_CENTER.rawValue))
            return (Int(par.sample_rate), Int(layout.nb_channels), stream.pointee.time_base.doubleValue, lossless && mono)
        }
        guard rate > 0 else {
            throw MediaError(.decodeFailed, "audio stream \(index) has no sample rate in", path: path,
                             hint: "the file may be corrupt")
        }
        self.input = input
        self.path = path
        streamIndex = index
        sourceSampleRate = rate
        let outRate = options.sampleRate ?? rate
        let outChannels = options.channels ?? max(sourceChannels, 1)
        sampleRate = outRate
        channels = outChannels
        timeBase = tb
        decoder = try AudioDecoder(input: input, streamIndex: index)
        resampling = try Resampling(options.resampler, from: rate, to: outRate, channels: outChannels, monoSource: plainMono, path: path)
        converter = SampleConverter(outputChannels: resampling.inputChannels, path: path)
        guard let packet = av_packet_alloc() else { fatalError("out of memory allocating a packet") }
        self.packet = packet
        let first = Int((options.start * Double(rate)).rounded())
        startFrame = first
        endFrame = options.duration.map { first + Int(($0 * Double(rate)).rounded()) }
        firstFrameTolerance = max(rate / 1000, 1)
        gapTolerance = max(rate / 10, 1)
        expectedDuration = input.duration(ofStream: index)
        origin = input.timelineStart ?? 0

        input.withContext { ctx in
            for i in 0..<Int(ctx.pointee.nb_streams) where i != index {
                ctx.pointee.streams[i]!.pointee.discard = AVDISCARD_ALL
            }
        }
        if options.start > 2 { seek(to: options.start) }
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&p)
    }

    /// The next chunk of interleaved samples (`count / channels` frames), or `nil` at the end.
    public func next() throws -> [Float]? {
        try WorkCancellation.check()
        while true {
            if readyHead < ready.count {
                let chunk = ready[readyHead]
                readyHead += 1
                if readyHead == ready.count { ready.removeAll(keepingCapacity: true); readyHead = 0 }
                framesRead += chunk.count / channels
                return chunk
            }
            if finished { return nil }
            if itemHead < items.count {
                try emitNextItem()
            } else if inputDone || endFrame.map({ timelinePos >= $0 }) == true {
                try finish()
            } else {
                try pump()
            }
        }
    }
}
