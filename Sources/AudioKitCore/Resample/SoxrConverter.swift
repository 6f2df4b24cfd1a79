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

    func process(_ input: [Float]) throws -> [Float] {
        let frames = input.count / channels
        var output: [Float] = []
        output.reserveCapacity(Int((Double(frames) * ratio).rounded(.up) + 64) * channels)
        var consumed = 0
        var chunk = [Float](repeating: 0, count: (Int(Double(frames) * ratio) + 256) * channels)
        while consumed < frames {
            var inDone = 0
            var outDone = 0
            let error = input.withUnsafeBufferPointer { inBuf in
                chunk.withUnsafeMutableBufferPointer { outBuf in
                    soxr_process(soxr, inBuf.baseAddress! + consumed * channels, frames - consumed, &inDone,
                                 outBuf.baseAddress!, outBuf.count / channels, &outDone)
                }
            }
            if let error { throw MediaError(.resampleFailed, "libsoxr failed on", path: path, underlying: String(cString: error)) }
            output.append(contentsOf: chunk[0..<(outDone * channels)])
            consumed += inDone
            if inDone == 0 && outDone == 0 { break }
        }
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
