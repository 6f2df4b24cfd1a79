
import DubSupport
import Foundation
import TestSupport
import Testing

@Suite("Reading users' small text files")
struct InputFileTests {
    @Test("a device, a FIFO and a folder are refused at once (no read of /dev/zero, no wait on the FIFO); size is bounded")
    func notRegularOrTooLarge() throws {
        let scratch = try Scratch()
        let fifo = scratch.path("pipe.srt")
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in ["/dev/zero", fifo, scratch.url.path] {
            let error = #expect(throws: MediaError.self, "\(path)") { try InputFile.read(path, what: "subtitles", limit: 1 << 20) }
            #expect(error?.code == .notARegularFile, "\(path): \(String(describing: error))")
        }
        let big = scratch.path("big.srt")
        try Data(count: 2 << 20).write(to: URL(fileURLWithPath: big))
        let error = #expect(throws: MediaError.self) { try InputFile.read(big, what: "subtitles", limit: 1 << 20) }
        #expect(error?.code == .tooLarge && error?.description.contains("too large") == true)
        #expect(throws: MediaError.self) { try InputFile.read(scratch.path("missing.srt"), what: "subtitles", limit: 10) }
    }

    @Test("UTF-8 (with or without BOM), UTF-16 (LE/BE, with or without BOM) and Latin-1 decode to the same text; binary is refused")
    func encodings() throws {
        let text = "Señor, ¿qué tal? — «Ça va»"
        let utf16le = Array(text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let utf16be = Array(text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        let cases: [([UInt8], String?)] = [
            (Array(text.utf8), nil), ([0xEF, 0xBB, 0xBF] + Array(text.utf8), nil),
            ([0xFF, 0xFE] + utf16le, "UTF-16"), ([0xFE, 0xFF] + utf16be, "UTF-16"), (utf16le, "UTF-16"), (utf16be, "UTF-16"),
        ]
        for (bytes, note) in cases {
            let decoded = try InputFile.decode(bytes, what: "subtitles", path: nil)
            #expect(decoded.text == text)
            #expect(decoded.note?.contains(note ?? "-") ?? (note == nil))
        }
        // Latin-1 (Windows-1252): "Señor, ¿qué tal? — «Ça va»" with the em dash as 0x97.
        let latin1: [UInt8] = Array("Se".utf8) + [0xF1] + Array("or, ".utf8) + [0xBF] + Array("qu".utf8) + [0xE9] + Array(" tal? ".utf8) + [0x97]
            + Array(" ".utf8) + [0xAB, 0xC7] + Array("a va".utf8) + [0xBB]
        let decoded = try InputFile.decode(latin1, what: "subtitles", path: nil)
        #expect(decoded.text == text)
        #expect(decoded.note?.contains("Windows-1252") == true)
        #expect(!decoded.text.contains("\u{FFFD}"))
        let error = #expect(throws: MediaError.self) { try InputFile.decode([0x7F, 0x45, 0x4C, 0x46, 0, 0, 1, 0xFF, 0xFE, 0], what: "subtitles", path: "x.srt") }
        #expect(error?.code == .notText)
    }
}
