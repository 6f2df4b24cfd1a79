import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Real MP3 bytes for the fakes, encoded with LAME (`libmp3lame`, which the project's FFmpeg links, loaded at run
/// time so the fakes need no build-time dependency). The LAME info tag carries the encoder delay and padding, so
/// FFmpeg decodes exactly the samples that were encoded (gapless), as it does for ElevenLabs' own MP3s.
enum FakeMP3 {
    private typealias Init = @convention(c) () -> OpaquePointer?
    private typealias SetInt = @convention(c) (OpaquePointer?, Int32) -> Int32
    private typealias Params = @convention(c) (OpaquePointer?) -> Int32
    private typealias Encode = @convention(c) (OpaquePointer?, UnsafePointer<Float>?, UnsafePointer<Float>?, Int32,
                                               UnsafeMutablePointer<UInt8>?, Int32) -> Int32
    private typealias Flush = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, Int32) -> Int32
    private typealias TagFrame = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, Int) -> Int

    private struct Library: @unchecked Sendable {
        let initialize: Init, inRate: SetInt, outRate: SetInt, channels: SetInt, mode: SetInt, bitRate: SetInt, tag: SetInt
        let params: Params, encode: Encode, flush: Flush, tagFrame: TagFrame, close: Params
    }

    private static let library: Library? = {
        guard let handle = dlopen("libmp3lame.so.0", RTLD_NOW) ?? dlopen("libmp3lame.so", RTLD_NOW) else { return nil }
        func symbol<T>(_ name: String, _: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: T.self) }
        }
        guard let initialize = symbol("lame_init", Init.self), let inRate = symbol("lame_set_in_samplerate", SetInt.self),
              let outRate = symbol("lame_set_out_samplerate", SetInt.self), let channels = symbol("lame_set_num_channels", SetInt.self),
              let mode = symbol("lame_set_mode", SetInt.self), let bitRate = symbol("lame_set_brate", SetInt.self),
              let tag = symbol("lame_set_bWriteVbrTag", SetInt.self), let params = symbol("lame_init_params", Params.self),
              let encode = symbol("lame_encode_buffer_ieee_float", Encode.self), let flush = symbol("lame_encode_flush", Flush.self),
              let tagFrame = symbol("lame_get_lametag_frame", TagFrame.self), let close = symbol("lame_close", Params.self)
        else { return nil }
        return Library(initialize: initialize, inRate: inRate, outRate: outRate, channels: channels, mode: mode, bitRate: bitRate,
                       tag: tag, params: params, encode: encode, flush: flush, tagFrame: tagFrame, close: close)
    }()

    /// Whether LAME could be loaded.
    static var isAvailable: Bool { library != nil }

    /// Mono MP3 (CBR, `kbps`) of `samples` at `sampleRate`; nil when LAME is unavailable or refuses the settings.
    static func encode(_ samples: [Float], sampleRate: Int, kbps: Int = 128) -> [UInt8]? {
        guard let lame = library, let context = lame.initialize() else { return nil }
        defer { _ = lame.close(context) }
        _ = lame.inRate(context, Int32(sampleRate))
        _ = lame.outRate(context, Int32(sampleRate))
        _ = lame.channels(context, 1)
        _ = lame.mode(context, 3) // MONO
        _ = lame.bitRate(context, Int32(kbps))
        _ = lame.tag(context, 1) // the info tag with delay and padding
        guard lame.params(context) >= 0 else { return nil }
        // The ieee_float entry point takes samples in ±1.0; mono reads only the left pointer.
        var out = [UInt8](repeating: 0, count: samples.count * 5 / 4 + 7_200)
        var written = 0
        let block = 1_152 * 8
        var offset = 0
        while offset < samples.count {
            let count = min(block, samples.count - offset)
            if out.count - written < count * 5 / 4 + 7_200 { out += [UInt8](repeating: 0, count: count * 5 / 4 + 7_200) }
            let n = samples.withUnsafeBufferPointer { input in
                out.withUnsafeMutableBufferPointer { output in
                    let start = input.baseAddress.map { $0 + offset }
                    return lame.encode(context, start, start, Int32(count), output.baseAddress.map { $0 + written }, Int32(output.count - written))
                }
            }
            guard n >= 0 else { return nil }
            written += Int(n)
            offset += count
        }
        if out.count - written < 7_200 { out += [UInt8](repeating: 0, count: 7_200) }
        let tail = out.withUnsafeMutableBufferPointer { lame.flush(context, $0.baseAddress.map { $0 + written }, Int32($0.count - written)) }
        guard tail >= 0 else { return nil }
        written += Int(tail)
        out.removeSubrange(written...)
        // The first frame was reserved for the info tag; fill it in now that delay and padding are known.
        var tag = [UInt8](repeating: 0, count: 2_880)
        let tagSize = tag.withUnsafeMutableBufferPointer { lame.tagFrame(context, $0.baseAddress, $0.count) }
        if tagSize > 0, tagSize <= tag.count, tagSize <= out.count {
            out.replaceSubrange(0..<tagSize, with: tag[0..<tagSize])
        }
        return out
    }
}
