import DubSupport
import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// Encoded packets kept on disk until the muxer needs them, so a track stretch encoded ahead of its turn costs no
/// memory: a temporary file beside the output, unlinked as soon as it is open (nothing is left behind, whatever happens
/// to the process). Written by one thread, then read back in order by one thread (never both at once: the writer hands
/// it over when it is done). Sole owner of its `FILE`.
final class PacketSpool {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String

    /// The fixed part of each record: pts, dts and duration (`Int64`), then flags and size (`Int32`).
    private struct Header {
        var pts: Int64 = 0, dts: Int64 = 0, duration: Int64 = 0
        var flags: Int32 = 0, size: Int32 = 0
    }

    /// Creates the spool beside `target` (a file being written, whose folder has room for its audio).
    init(beside target: String) throws {
        let path = AtomicFile.temporaryPath(for: target, suffix: ".packets")
        guard let file = fopen(path, "w+be") else {
            throw MediaError(.writeFailed, "cannot create a temporary file beside", path: target, underlying: String(cString: strerror(errno)))
        }
        unlink(path)
        AtomicFile.discard(path)
        self.file = file
        self.path = target
    }

    deinit { fclose(file) }

    /// Appends `packet`'s data and timing, with `shift` added to its time stamps.
    func append(_ packet: UnsafePointer<AVPacket>, shift: Int64) throws {
        let p = packet.pointee
        var header = Header(pts: p.pts == avNoPTS ? avNoPTS : p.pts + shift, dts: p.dts == avNoPTS ? avNoPTS : p.dts + shift,
                            duration: p.duration, flags: p.flags, size: p.size)
        let wrote = withUnsafeBytes(of: &header) { fwrite($0.baseAddress, $0.count, 1, file) }
        guard wrote == 1, p.size == 0 || fwrite(p.data, Int(p.size), 1, file) == 1 else { throw writeError() }
    }

    /// Finishes writing: flushes, and rewinds for reading.
    func finishWriting() throws {
        guard fflush(file) == 0 else { throw writeError() }
        rewind(file)
    }

    /// Reads the next packet into `packet` (unreferenced first); false after the last.
    func read(into packet: UnsafeMutablePointer<AVPacket>) throws -> Bool {
        var header = Header()
        let got = withUnsafeMutableBytes(of: &header) { fread($0.baseAddress, $0.count, 1, file) }
        guard got == 1 else {
            if ferror(file) != 0 { throw readError() }
            return false
        }
        av_packet_unref(packet)
        try avCheck(av_new_packet(packet, header.size), .encodeFailed, "cannot allocate a packet for", path: path)
        guard header.size == 0 || fread(packet.pointee.data, Int(header.size), 1, file) == 1 else { throw readError() }
        packet.pointee.pts = header.pts
        packet.pointee.dts = header.dts
        packet.pointee.duration = header.duration
        packet.pointee.flags = header.flags
        return true
    }

    private func writeError() -> MediaError {
        MediaError(.writeFailed, "cannot spool encoded audio beside", path: path, underlying: String(cString: strerror(errno)),
                   hint: "check the free space of the output's folder")
    }

    private func readError() -> MediaError {
        MediaError(.writeFailed, "cannot read back the encoded audio spooled beside", path: path, underlying: String(cString: strerror(errno)))
    }
}
