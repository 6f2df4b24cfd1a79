import DubSupport
import Testing

@Suite("Small shared pieces: URL redaction, digests, error classification")
struct SharedPiecesTests {
    @Test("logs see a URL without user, password, query or fragment", arguments: [
        ("https://user:secret@hooks.example.com/dub?token=abc#frag", "https://hooks.example.com/dub"),
        ("http://127.0.0.1:8080/v1/audio/speech?key=sk-123", "http://127.0.0.1:8080/v1/audio/speech"),
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("https://a@b.example/x@y", "https://b.example/x@y"),
    ])
    func redaction(url: String, expected: String) {
        #expect(URLRedaction.redacted(url) == expected)
        #expect(!URLRedaction.redacted(url).contains("secret") && !URLRedaction.redacted(url).contains("sk-123"))
    }

    @Test("SHA-256 and HMAC-SHA256 match the published test vectors")
    func digests() {
        #expect(Digest.hex(Digest.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // RFC 4231, test case 2.
        #expect(Digest.hex(Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Digest.hex([0, 15, 255]) == "000fff")
    }

    @Test("errors say their code and whether retrying can help; unknown errors are retried as internal")
    func classification() {
        struct Unknown: Error {}
        #expect(ErrorReport.code(for: MediaError(.notMedia, "x")) == "notMedia" && ErrorReport.isPermanent(MediaError(.notMedia, "x")))
        #expect(!ErrorReport.isPermanent(MediaError(.writeFailed, "x")))
        #expect(ErrorReport.code(for: Unknown()) == "internal" && !ErrorReport.isPermanent(Unknown()))
        #expect(ErrorReport.code(for: CancellationError()) == "cancelled" && ErrorReport.line(for: CancellationError()) == "cancelled")
    }
}
