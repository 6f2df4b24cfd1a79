import CFFmpeg

/// Merges copied input packets and freshly encoded audio packets into the output in time order,
/// so the muxer never has to buffer one stream far ahead of another.
struct PacketInterleaver {
    private let input: InputContainer
    private let copied: [Int: Int]
    private let tracks: [EncodedTrack]
    private let output: OutputContainer
    private(set) var warnings: [String] = []

    init(input: InputContainer, copied: [Int: Int], tracks: [EncodedTrack], output: OutputContainer) {
        self.input = input
        self.copied = copied
        self.tracks = tracks
        self.output = output
    }

    /// Source 0 is the input file; sources 1... are the encoded tracks.
    mutating func run() throws {
        let count = tracks.count + 1
        let packets = (0..<count).map { _ in av_packet_alloc()! }
        defer { for p in packets { var q: UnsafeMutablePointer<AVPacket>? = p; av_packet_free(&q) } }
        var live = [Bool](repeating: true, count: count)
        live[0] = !copied.isEmpty
        for source in 0..<count where live[source] {
            live[source] = try refill(source, packets[source])
        }
        while let next = (0..<count).filter({ live[$0] }).min(by: { time(packets[$0]) < time(packets[$1]) }) {
            try output.write(packets[next])
            live[next] = try refill(next, packets[next])
        }
    }

    private func time(_ packet: UnsafeMutablePointer<AVPacket>) -> Double {
        let p = packet.pointee
        let ts = p.dts != avNoPTS ? p.dts : p.pts
        return ts == avNoPTS ? -.infinity : Double(ts) * output.timeBase(ofStream: Int(p.stream_index)).doubleValue
    }

    private mutating func refill(_ source: Int, _ packet: UnsafeMutablePointer<AVPacket>) throws -> Bool {
        if source == 0 { return readInput(packet) }
        let track = tracks[source - 1]
        guard try track.encoder.nextPacket(packet, feed: track.feed) else { return false }
        let outTB = output.timeBase(ofStream: track.streamIndex)
        if packet.pointee.pts != avNoPTS { packet.pointee.pts += track.offset }
        if packet.pointee.dts != avNoPTS { packet.pointee.dts += track.offset }
        av_packet_rescale_ts(packet, track.encoder.timeBase, outTB)
        packet.pointee.stream_index = Int32(track.streamIndex)
        return true
    }

    private mutating func readInput(_ packet: UnsafeMutablePointer<AVPacket>) -> Bool {
        while true {
            let rc = input.withContext { av_read_frame($0, packet) }
            if rc < 0 {
                if rc != .avEOF { warnings.append("input ended early: \(avErrorString(rc)); the video may be truncated") }
                return false
            }
            let inIndex = Int(packet.pointee.stream_index)
            guard let outIndex = copied[inIndex] else {
                av_packet_unref(packet)
                continue
            }
            let inTB = input.withStream(inIndex) { $0.pointee.time_base }
            av_packet_rescale_ts(packet, inTB, output.timeBase(ofStream: outIndex))
            packet.pointee.stream_index = Int32(outIndex)
            packet.pointee.pos = -1
            return true
        }
    }
}
