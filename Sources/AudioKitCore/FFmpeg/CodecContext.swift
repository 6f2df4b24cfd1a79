import DubSupport
import CFFmpeg

/// Sole owner of an `AVCodecContext`: freed when the owner goes, on error paths too.
final class CodecContext {
    let pointer: UnsafeMutablePointer<AVCodecContext>

    init?(_ codec: UnsafePointer<AVCodec>) {
        guard let context = avcodec_alloc_context3(codec) else { return nil }
        pointer = context
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }
}
