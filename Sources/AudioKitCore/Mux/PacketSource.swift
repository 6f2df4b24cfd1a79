import DubSupport
import CFFmpeg

/// Something that yields packets for the output, already stamped with the output stream index and
/// time base: copied input streams, encoded audio tracks, converted subtitle tracks.
protocol PacketSource: AnyObject {
    /// Fills `packet` with the next packet; returns false when the source is exhausted.
    func next(into packet: UnsafeMutablePointer<AVPacket>, output: OutputContainer) throws -> Bool
    /// Problems that did not stop muxing.
    var warnings: [String] { get }
}

/// Copies chosen streams of the input file, packet for packet.
final class CopiedStreams: PacketSource {
    private let input: InputContainer
    private let map: [Int: Int]
    private(set) var warnings: [String] = []

    init(input: InputContainer, map: [Int: Int]) {
        self.input = input
        self.map = map
    }

    func next(into packet: UnsafeMutablePointer<AVPacket>, output: OutputContainer) throws -> Bool {
        while true {
            let rc = input.read(into: packet)
            if rc < 0 {
                if rc != .avEOF { warnings.append("input ended early: \(avErrorString(rc)); the video may be truncated") }
                return false
            }
            let inIndex = Int(packet.pointee.stream_index)
            guard let outIndex = map[inIndex] else {
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
