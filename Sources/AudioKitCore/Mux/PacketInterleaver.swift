import DubSupport
import CFFmpeg

/// Merges packets from every source into the output in time order, so the muxer never has to
/// buffer one stream far ahead of another.
struct PacketInterleaver {
    let sources: [any PacketSource]
    let output: OutputContainer

    func run() throws {
        let packets = sources.map { _ in av_packet_alloc()! }
        defer { for p in packets { var q: UnsafeMutablePointer<AVPacket>? = p; av_packet_free(&q) } }
        var live = [Bool](repeating: true, count: sources.count)
        for i in sources.indices {
            live[i] = try sources[i].next(into: packets[i], output: output)
        }
        while let next = sources.indices.filter({ live[$0] }).min(by: { time(packets[$0]) < time(packets[$1]) }) {
            try WorkCancellation.check()
            try output.write(packets[next])
            live[next] = try sources[next].next(into: packets[next], output: output)
        }
    }

    private func time(_ packet: UnsafeMutablePointer<AVPacket>) -> Double {
        let p = packet.pointee
        let ts = p.dts != avNoPTS ? p.dts : p.pts
        return ts == avNoPTS ? -.infinity : Double(ts) * output.timeBase(ofStream: Int(p.stream_index)).doubleValue
    }
}
