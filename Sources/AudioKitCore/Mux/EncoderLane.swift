import DubSupport
import CFFmpeg
import Dispatch

/// A later stretch of a long AAC track, encoded on a thread of its own while the muxer encodes and writes the stretches
/// before it, its packets spooled to disk until their turn.
///
/// AAC frames only depend on each other through the overlap of their transforms and the encoder's adaptive state (its
/// rate control and psychoacoustic history). So the lane starts its own encoder `warmUpFrames` before its stretch, on
/// the same samples, and keeps only the packets from `first` on: by then its state has converged on the one a single
/// encoder would have, and the frame at the join overlaps the previous stretch's last frame exactly as consecutive
/// frames do. The stretch before it is encoded a little past the join too (`lookaheadFrames`), so its window decisions see
/// the audio that really follows. Tests hold the joined track's error against the source to a single encoder's.
final class EncoderLane {
    /// The first track frame whose packet this lane keeps (a multiple of the frame size).
    let first: Int
    private let thread: SerialThread
    private let finished = DispatchSemaphore(value: 0)
    private let state = State()
    private var waited = false

    /// Frames of the same audio each lane encodes before its stretch and drops, so its encoder's adaptive state
    /// has converged at the join (the rate control settles in about 200 frames; twice that is kept).
    static let warmUpFrames = 400
    /// Frames past a stretch's end its encoder still sees, so its last window is chosen knowing what follows.
    static let lookaheadFrames = 16

    /// Starts encoding track frames `first..<end` (nil: to the track's end) of `source` with a twin of `encoder`,
    /// spooling beside `spoolBeside`.
    init(encoder template: AudioEncoder, source: TrackSource, first: Int, end: Int?, spoolBeside: String) throws {
        // Opened here, so an error opening it is thrown here; only the lane's thread touches it after this.
        let encoder = try template.twin()
        self.first = first
        thread = SerialThread()
        let state = state, finished = finished
        let parent = WorkCancellation.currentFlag
        let frame = template.samplesPerFrame
        thread.submit {
            defer { finished.signal() }
            do {
                try WorkCancellation.with(state.stop) {
                    let start = max(0, first - Self.warmUpFrames * frame)
                    let stop = end.map { min(source.length ?? .max, $0 + Self.lookaheadFrames * frame) } ?? source.length
                    let feed = try TrackFeed(source, from: start, to: stop)
                    let spool = try PacketSpool(beside: spoolBeside)
                    let packet = av_packet_alloc()!
                    defer { var p: UnsafeMutablePointer<AVPacket>? = packet; av_packet_free(&p) }
                    while try encoder.nextPacket(packet, feed: {
                        if parent?.isSet == true { throw CancellationError() }
                        try feed.feed(encoder)
                    }) {
                        defer { av_packet_unref(packet) }
                        let pts = packet.pointee.pts + Int64(start)
                        if let end, pts >= Int64(end) { break }
                        if pts >= Int64(first) { try spool.append(packet, shift: Int64(start)) }
                    }
                    try spool.finishWriting()
                    state.finish(spool, warnings: feed.warnings)
                }
            } catch {
                state.fail(error)
            }
        }
    }

    /// Tells the lane's thread to stop soon (it throws `CancellationError` at its next chunk).
    func stop() { state.stop.set() }

    /// A lane dropped before it was read (the mux failed): it stops, and its thread is done before it goes.
    deinit {
        state.stop.set()
        if !waited { finished.wait() }
        thread.shutdown()
    }

    /// The next packet of the stretch into `packet` (time stamps in the track's frames); false after its last.
    /// Waits for the lane to finish encoding first, and throws what stopped it.
    func next(into packet: UnsafeMutablePointer<AVPacket>) throws -> Bool {
        if !waited {
            finished.wait()
            waited = true
        }
        guard let spool = state.spool else { throw state.failure ?? CancellationError() }
        return try spool.read(into: packet)
    }

    /// Problems reading the source that did not stop the lane (once it has finished).
    var warnings: [String] { waited ? state.warnings : [] }

    /// What the lane's thread hands over: the spool and warnings once finished, or its error. Written by the lane's
    /// thread before it signals `finished`, read only after waiting for that signal.
    private final class State: @unchecked Sendable {
        let stop = CancelFlag()
        var spool: PacketSpool?
        var warnings: [String] = []
        var failure: (any Error)?
        func finish(_ spool: PacketSpool, warnings: [String]) { (self.spool, self.warnings) = (spool, warnings) }
        func fail(_ error: any Error) { failure = error }
    }
}
