import DubSupport
import CSoxr

/// High-quality rate conversion with libsoxr. Sole owner of its `soxr_t`.
final class SoxrConverter: RateConverter {
    private let soxr: soxr_t
    private let channels: Int
    private let ratio: Double
    private let path: String

    init(from inputRate: Int, to outputRate: Int, channels: Int, path: String) throws {
        var error: soxr_error_t?
        var io = dub_soxr_float_io()
        var quality = dub_soxr_quality(0)
        let handle = soxr_create(Double(inputRate), Double(outputRate), UInt32(channels), &error, &io, &quality, nil)
        guard let handle, error == nil else {
            throw MediaError(.resampleFailed, "cannot set up libsoxr \(inputRate)→\(outputRate) Hz for", path: path,
                             underlying: error.map { String(cString: $0) })
        }
        soxr = handle
        self.channels = channels
        ratio = Double(outputRate) / Double(inputRate)
        self.path = path
    }

    deinit { soxr_delete(soxr) }

    /// Converts into one array sized for the ratio and written in place: no zeroed scratch buffer to copy from (a long
    /// block's buffers are fresh pages, and touching them twice cost more than the conversion).
    func process(_ input: [Float]) throws -> [Float] {
        let frames = input.count / channels
        let room = Int(Double(frames) * ratio) + 256
        var consumed = 0
        var full = false
        var output = try [Float](unsafeUninitializedCapacity: room * channels) { out, count in
            var produced = 0
            defer { count = produced * channels }
            while consumed < frames, produced < room {
                var inDone = 0
                var outDone = 0
                let error = input.withUnsafeBufferPointer { inBuf in
                    soxr_process(soxr, inBuf.baseAddress! + consumed * channels, frames - consumed, &inDone,
                                 out.baseAddress! + produced * channels, room - produced, &outDone)
                }
                if let error { throw MediaError(.resampleFailed, "libsoxr failed on", path: path, underlying: String(cString: error)) }
                consumed += inDone
                produced += outDone
                if inDone == 0 && outDone == 0 { break }
            }
            full = produced == room
        }
        if full, consumed < frames { output += try process(Array(input[(consumed * channels)...])) }
        return output
    }

    func flush() throws -> [Float] {
        var output: [Float] = []
        var chunk = [Float](repeating: 0, count: 4096 * channels)
        while true {
            var outDone = 0
            let error = chunk.withUnsafeMutableBufferPointer { outBuf in
                soxr_process(soxr, nil, 0, nil, outBuf.baseAddress!, outBuf.count / channels, &outDone)
            }
            if let error { throw MediaError(.resampleFailed, "libsoxr failed on", path: path, underlying: String(cString: error)) }
            if outDone == 0 { break }
            output.append(contentsOf: chunk[0..<(outDone * channels)])
        }
        return output
    }
}
