import DubSupport
import CFFmpeg

/// FFmpeg's own text for an error code (`av_strerror`).
func avErrorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    if av_strerror(code, &buffer, buffer.count) < 0 {
        return "FFmpeg error \(code)"
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

extension Int32 {
    /// FFmpeg's `AVERROR_EOF`.
    static let avEOF = dub_averror_eof()
    /// FFmpeg's `AVERROR(EAGAIN)`.
    static let avAgain = dub_averror_eagain()
}

/// Throws a `MediaError` when an FFmpeg call returned a negative code.
@discardableResult
func avCheck(_ result: Int32, _ code: MediaError.Code, _ message: @autoclosure () -> String, path: String?) throws -> Int32 {
    if result < 0 {
        throw MediaError(code, message(), path: path, underlying: avErrorString(result))
    }
    return result
}

/// FFmpeg's "no timestamp" value.
let avNoPTS = dub_av_nopts_value()

extension AVRational {
    /// The rational as a Double (0 when the denominator is 0).
    var doubleValue: Double { den == 0 ? 0 : Double(num) / Double(den) }
}
